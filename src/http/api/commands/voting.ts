// POST voting (form field VoteBits) sets the token's user's vote bits; GET voting (v2 only, new)
// reads them with the agendas they choose from. Both run the /voting page's use cases.
import { Effect, Schema } from "effect";
import { setVoteBits, votingPreferences } from "../../../accounts/voting.ts";
import { command, Uint16, Uint32 } from "../command.ts";
import { Code, failure } from "../envelope.ts";

const PREFIX = "voting error";

/**
 * The VoteBits field as the original read it (strconv.Atoi: optional sign, decimal digits), but a
 * value outside uint16 is refused instead of wrapped around (65537 became 1 in the original).
 */
const parseVoteBits = (text: string): number | undefined => {
  if (!/^[+-]?\d{1,20}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 0 && n <= 0xffff ? n : undefined;
};

export const setVoting = command({
  name: "voting",
  method: "POST",
  versions: [1, 2],
  summary: "Set the user's vote bits",
  auth: true,
  successMessage: "successfully updated voting preferences",
  errorPrefix: PREFIX,
  fields: {
    VoteBits: Schema.String.annotations({
      description: "Decimal uint16: bit 0 (previous block valid) set, plus one choice's bits per agenda.",
    }),
  },
  dataOnError: "absent",
  failures: [
    { code: Code.InvalidArgument, message: `${PREFIX} - unable to convert votebits to uint16` },
    { code: Code.InvalidArgument, message: `${PREFIX} - votebits invalid for current agendas` },
    { code: Code.Internal, message: `${PREFIX} - failed to update voting prefs in database` },
  ],
  limits: { ip: "apiwrite:ip", user: "apiwrite:account" },
  run: ({ user, fields, ip }) => {
    const voteBits = parseVoteBits(fields.VoteBits);
    if (voteBits === undefined) {
      return Effect.fail(failure(Code.InvalidArgument, PREFIX, "unable to convert votebits to uint16"));
    }
    return setVoteBits({ user, voteBits, ip }).pipe(
      Effect.catchTags({
        VoteBitsRejected: () =>
          Effect.fail(failure(Code.InvalidArgument, PREFIX, "votebits invalid for current agendas")),
        UserNotFound: (e) => databaseFailed(e),
        SqlError: (e) => databaseFailed(e),
      }),
      Effect.tap((saved) =>
        Effect.forEach(
          saved.stakepoolds.failed,
          (f) =>
            Effect.logWarning("stakepoold did not take the new vote bits").pipe(
              Effect.annotateLogs({ stakepoold: f.host, reason: f.reason }),
            ),
        )
      ),
      Effect.asVoid,
    );
  },
});

const databaseFailed = (e: unknown) =>
  Effect.zipRight(
    Effect.logError("api voting: storing vote bits failed", e),
    Effect.fail(failure(Code.Internal, PREFIX, "failed to update voting prefs in database")),
  );

const Choice = Schema.Struct({
  Id: Schema.String,
  Description: Schema.String,
  Bits: Uint16,
  /** The user's bits select it. */
  Selected: Schema.Boolean,
}).annotations({ identifier: "VoteChoice" });

export const VotingPreferences = Schema.Struct({
  VoteVersion: Uint32.annotations({ description: "The voting wallets' vote version." }),
  VoteBits: Uint16.annotations({ description: "The user's bits for that version (1 when none chosen)." }),
  Agendas: Schema.Array(
    Schema.Struct({
      Id: Schema.String,
      Description: Schema.String,
      Choices: Schema.Array(Choice),
    }).annotations({ identifier: "Agenda" }),
  ),
}).annotations({ identifier: "VotingPreferences" });

export const getVoting = command({
  name: "voting",
  method: "GET",
  versions: [2],
  summary: "The user's vote bits and the agendas they choose from (v2; not in the original)",
  auth: true,
  successMessage: "voting preferences successfully retrieved",
  errorPrefix: PREFIX,
  data: VotingPreferences,
  dataOnError: "null",
  failures: [],
  run: ({ user }) =>
    Effect.map(votingPreferences(user), (prefs) => ({
      VoteVersion: prefs.voteVersion,
      VoteBits: prefs.voteBits,
      Agendas: prefs.agendas.map((a) => ({
        Id: a.id,
        Description: a.description,
        Choices: a.choices.map((c) => ({
          Id: c.id,
          Description: c.description,
          Bits: c.bits,
          Selected: c.selected,
        })),
      })),
    })),
});
