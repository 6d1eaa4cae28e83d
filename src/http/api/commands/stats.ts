// GET stats (no token): the /stats page's figures plus the API versions and program version, in
// the original's field order (the Schema's order), and SignaturePubKey added: the key that signs
// every API answer.
import { Effect, Schema } from "effect";
import { ResponseSigner } from "../../../signing/response_signer.ts";
import { poolStats } from "../../../pool/stats.ts";
import { command, Uint32 } from "../command.ts";
import { Code, failure } from "../envelope.ts";

const PREFIX = "stats error";

/** The API versions this pool serves (the original's APIVersionsSupported). */
export const API_VERSIONS = [1, 2] as const;
/** The original's version string, which wallets show. */
export const POOL_VERSION = "0.1.0";

export const Stats = Schema.Struct({
  AllMempoolTix: Uint32,
  APIVersionsSupported: Schema.Array(Schema.Int),
  BlockHeight: Schema.Int,
  Difficulty: Schema.Number.annotations({ description: "The ticket price, HC." }),
  Expired: Uint32,
  Immature: Uint32,
  Live: Uint32,
  Missed: Uint32,
  OwnMempoolTix: Uint32,
  PoolSize: Uint32,
  ProportionLive: Schema.Number,
  ProportionMissed: Schema.Number,
  Revoked: Uint32,
  TotalSubsidy: Schema.Number,
  Voted: Uint32,
  Network: Schema.String,
  PoolEmail: Schema.String,
  PoolFees: Schema.Number,
  PoolStatus: Schema.Literal("Open", "Closed"),
  UserCount: Schema.Int,
  UserCountActive: Schema.Int,
  Version: Schema.String,
  SignaturePubKey: Schema.String.annotations({
    description: "The ed25519 public key (base64) that signs every API answer (HC-Server-Signature).",
  }),
}).annotations({ identifier: "Stats" });

export default command({
  name: "stats",
  method: "GET",
  versions: [1, 2],
  summary: "The pool's ticket and user statistics",
  auth: false,
  successMessage: "stats successfully retrieved",
  errorPrefix: PREFIX,
  data: Stats,
  dataOnError: "null",
  failures: [
    { code: Code.Unavailable, message: `${PREFIX} - RPC server stopped` },
    { code: Code.Unavailable, message: `${PREFIX} - RPC server error` },
  ],
  run: () =>
    Effect.gen(function* () {
      const stats = yield* poolStats.pipe(
        Effect.catchTags({
          WalletsStopped: () => Effect.fail(failure(Code.Unavailable, PREFIX, "RPC server stopped")),
          WalletsUnavailable: rpcError,
          WalletCallFailed: rpcError,
          StakeInfoMismatch: rpcError,
        }),
      );
      const signer = yield* ResponseSigner;
      return {
        ...stats,
        APIVersionsSupported: API_VERSIONS,
        Version: POOL_VERSION,
        SignaturePubKey: signer.publicKey,
      };
    }),
});

/** The wallets could not answer: logged with the reason, answered as the original did. */
const rpcError = (e: { readonly message: string }) =>
  Effect.zipRight(
    Effect.logWarning("stats: getstakeinfo failed").pipe(Effect.annotateLogs({ reason: e.message })),
    Effect.fail(failure(Code.Unavailable, PREFIX, "RPC server error")),
  );
