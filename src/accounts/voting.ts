// Voting preferences, for the /voting page and the API's `voting` command (behaviour §7.8): the
// agendas of the wallets' vote version with the user's choice, and saving new bits — checked
// against those agendas, stored with the vote version they were chosen for, and pushed to every
// stakepoold (which votes with them from the next selection on).
import { Data, Effect, Either } from "effect";
import type { User } from "../domain/models.ts";
import { agendasFor } from "../domain/params.ts";
import { DEFAULT_VOTE_BITS, isValidVoteBits } from "../domain/votebits.ts";
import { Users } from "../storage/users.ts";
import { StakepooldClients, type StakepooldUpdateReport } from "../wallets/stakepoolds.ts";
import { audit } from "./audit.ts";
import { PoolSettings } from "./pool_settings.ts";

/** Bits that are not a choice of every agenda of the vote version (nothing is stored). */
export class VoteBitsRejected extends Data.TaggedError("VoteBitsRejected")<{
  readonly voteBits: number;
  readonly voteVersion: number;
}> {
  override get message() {
    return "generated votebits were invalid";
  }
}

/** A form value that is not an integer (the original's "invalid agenda choice"). */
export class AgendaChoiceRejected extends Data.TaggedError("AgendaChoiceRejected")<{
  readonly field: string;
}> {
  override get message() {
    return "invalid agenda choice";
  }
}

export interface ChoiceView {
  readonly id: string;
  readonly description: string;
  readonly bits: number;
  readonly selected: boolean;
}

export interface AgendaView {
  /** Its form field is `agenda<index>`, as in the original. */
  readonly index: number;
  readonly id: string;
  readonly description: string;
  readonly choices: ReadonlyArray<ChoiceView>;
}

export interface VotingPreferences {
  readonly voteVersion: number;
  readonly voteBits: number;
  /** Empty when the vote version has none (mainnet, vote version 0). */
  readonly agendas: ReadonlyArray<AgendaView>;
}

/**
 * The agendas of the wallets' vote version, each choice marked selected when the user's bits
 * pick it (bits of another vote version select nothing but each agenda's zero-bits choice).
 */
export const votingPreferences = (user: User) =>
  Effect.map(PoolSettings, ({ net, voteVersion }): VotingPreferences => {
    const bits = user.VoteBitsVersion === voteVersion ? user.VoteBits : DEFAULT_VOTE_BITS;
    return {
      voteVersion,
      voteBits: bits,
      agendas: agendasFor(net, voteVersion).map((agenda, index) => ({
        index,
        id: agenda.id,
        description: agenda.description,
        choices: agenda.choices.map((c) => ({
          id: c.id,
          description: c.description,
          bits: c.bits,
          selected: (bits & agenda.mask) === c.bits,
        })),
      })),
    };
  });

/** The page's form: bit 0 (previous block valid) OR each `agenda<i>` value, as the original built it. */
export const voteBitsFromAgendaFields = (
  agendaCount: number,
  field: (name: string) => string,
): Either.Either<number, AgendaChoiceRejected> => {
  let bits = DEFAULT_VOTE_BITS;
  for (let i = 0; i < agendaCount; i++) {
    const name = `agenda${i}`;
    const value = field(name).trim();
    if (!/^\d{1,5}$/.test(value)) return Either.left(new AgendaChoiceRejected({ field: name }));
    bits |= Number(value);
  }
  return Either.right(bits);
};

export interface VoteBitsChange {
  readonly user: User;
  readonly voteBits: number;
  readonly ip: string;
}

export interface VoteBitsSaved {
  readonly voteBits: number;
  readonly voteVersion: number;
  /** False when the user already had these bits for this vote version (nothing was written). */
  readonly changed: boolean;
  /** Which stakepoolds took the new preferences (none asked when nothing changed). */
  readonly stakepoolds: StakepooldUpdateReport;
}

export const setVoteBits = (r: VoteBitsChange) =>
  Effect.gen(function* () {
    const { net, voteVersion } = yield* PoolSettings;
    if (!isValidVoteBits(net, voteVersion, r.voteBits)) {
      return yield* new VoteBitsRejected({ voteBits: r.voteBits, voteVersion });
    }
    const changed = r.user.VoteBits !== r.voteBits || r.user.VoteBitsVersion !== voteVersion;
    if (!changed) {
      return {
        voteBits: r.voteBits,
        voteVersion,
        changed,
        stakepoolds: { ok: 0, failed: [] },
      } satisfies VoteBitsSaved;
    }
    yield* Effect.flatMap(Users, (users) => users.setVoteBits(r.user.UserId, r.voteBits, voteVersion));
    yield* audit({
      userId: r.user.UserId,
      ip: r.ip,
      action: "voting preferences changed",
      detail: `vote bits ${r.user.VoteBits} (v${r.user.VoteBitsVersion}) → ${r.voteBits} (v${voteVersion})`,
    });
    // A stakepoold that misses the push is brought up to date by the reconciler's next round.
    const stakepoolds = yield* Effect.flatMap(StakepooldClients, (s) => s.updateAll("users"));
    return { voteBits: r.voteBits, voteVersion, changed, stakepoolds } satisfies VoteBitsSaved;
  }).pipe(Effect.withSpan("setVoteBits"));
