// POST address (form field UserPubKeyAddr): the token's user submits their pubkey address and the
// pool imports their 1-of-2 ticket script (the use case the /address page runs). The answer's
// messages are the original API's, which differ from the page's wording.
import { Effect, Schema } from "effect";
import { submitAddress } from "../../../accounts/address.ts";
import { ONE_ADDRESS_PER_ACCOUNT } from "../../../wallets/address_registration.ts";
import { command } from "../command.ts";
import { type ApiFailure, Code, failure } from "../envelope.ts";

const PREFIX = "address error";
const SYSTEM = "system error";
const WALLETS = "unable to process wallet commands";

/** The use case's refusal (the page's wording) → the original API's answer. */
const REJECTIONS: Readonly<Record<string, ApiFailure>> = {
  [ONE_ADDRESS_PER_ACCOUNT]: failure(Code.AlreadyExists, PREFIX, "address already submitted"),
  "Address is too short": failure(Code.InvalidArgument, PREFIX, "address too short"),
  "Address is too long": failure(Code.InvalidArgument, PREFIX, "address too long"),
  "Couldn't decode address": failure(Code.InvalidArgument, PREFIX, "couldn't decode address"),
  "Incorrect address type": failure(Code.InvalidArgument, PREFIX, "incorrect address type"),
  "Unable to derive ticket address": failure(Code.Unavailable, SYSTEM, WALLETS),
  "Unable to derive fee address": failure(Code.Unavailable, SYSTEM, WALLETS),
};

const walletsFailed = (e: { readonly message: string }) =>
  Effect.zipRight(
    Effect.logWarning("api address: wallet commands failed").pipe(Effect.annotateLogs({ reason: e.message })),
    Effect.fail(failure(Code.Unavailable, SYSTEM, WALLETS)),
  );

export default command({
  name: "address",
  method: "POST",
  versions: [1, 2],
  summary: "Submit the user's pubkey address; the pool makes their ticket address",
  auth: true,
  successMessage: "address successfully imported",
  errorPrefix: PREFIX,
  fields: {
    UserPubKeyAddr: Schema.String.annotations({
      description: "A secp256k1 pay-to-pubkey address of this network (validateaddress's pubkeyaddr).",
    }),
  },
  dataOnError: "absent",
  failures: [...new Map(Object.values(REJECTIONS).map((f) => [f.message, f])).values()].map((f) => ({
    code: f.code as Code,
    message: f.message,
  })).concat([{ code: Code.FailedPrecondition, message: `${PREFIX} - stake pool is closed` }]),
  limits: { ip: "apiwrite:ip", user: "apiwrite:account" },
  run: ({ user, fields, ip }) =>
    submitAddress({ user, userPubKeyAddr: fields.UserPubKeyAddr, ip }).pipe(
      Effect.catchTags({
        AddressRejected: (e) =>
          Effect.fail(
            REJECTIONS[e.message] ?? failure(Code.InvalidArgument, PREFIX, e.message.toLowerCase()),
          ),
        PoolClosed: () => Effect.fail(failure(Code.FailedPrecondition, PREFIX, "stake pool is closed")),
        WalletsStopped: walletsFailed,
        WalletsUnavailable: walletsFailed,
        WalletsDisagree: walletsFailed,
        WalletCallFailed: walletsFailed,
      }),
      Effect.asVoid,
    ),
});
