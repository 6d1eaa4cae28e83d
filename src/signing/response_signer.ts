// The pool's ed25519 key that signs every API answer (vspd's idea, issue 13): a client checks the
// HC-Server-Signature header against the exact body bytes with the public key the pool publishes
// (the stats command, the home page). The key is made at first start and kept in the SigningKey
// table, so a restart, a second web app on the same database and a restored backup all sign with it.
import * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import { ed25519 } from "@noble/curves/ed25519.js";
import { Context, Data, Effect, Either, Layer } from "effect";
import { Buffer } from "node:buffer";
import { fromHex, toHex } from "../domain/bytes.ts";
import { isDuplicateKey, unixNow } from "../storage/sql.ts";

/** The response header carrying the signature (vspd names its own VSP-Server-Signature). */
export const SIGNATURE_HEADER = "HC-Server-Signature";

/** The SigningKey row of this key. */
const PURPOSE = "api-answers";
const SEED_BYTES = 32;

export class SigningKeyUnreadable extends Data.TaggedError("SigningKeyUnreadable")<{
  readonly reason: string;
}> {
  override get message() {
    return `the SigningKey row "${PURPOSE}" is unusable (${this.reason}); restore it from a backup, or ` +
      `delete the row to make a new key (clients that pinned the old public key must be told)`;
  }
}

export interface ResponseSignerApi {
  /** The ed25519 public key, base64 (32 bytes). */
  readonly publicKey: string;
  /** The ed25519 signature of `body`, base64 (64 bytes). */
  readonly sign: (body: Uint8Array) => string;
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

export const signerFromSeed = (seed: Uint8Array): ResponseSignerApi => ({
  publicKey: base64(ed25519.getPublicKey(seed)),
  sign: (body) => base64(ed25519.sign(body, seed)),
});

const storedSeed = (
  sql: SqlClient.SqlClient,
): Effect.Effect<Uint8Array | undefined, SqlError | SigningKeyUnreadable> =>
  Effect.flatMap(
    sql<{ Seed: string }>`SELECT Seed FROM SigningKey WHERE Purpose = ${PURPOSE}`,
    ([row]) => {
      if (row === undefined) return Effect.succeed(undefined);
      const seed = fromHex(row.Seed);
      return Either.isRight(seed) && seed.right.length === SEED_BYTES
        ? Effect.succeed(seed.right)
        : Effect.fail(new SigningKeyUnreadable({ reason: `not ${SEED_BYTES} bytes of hex` }));
    },
  );

/** The stored seed, or a new one stored now; a program that raced us to it wins and we take its seed. */
const loadOrCreateSeed = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient;
  const found = yield* storedSeed(sql);
  if (found !== undefined) return found;
  const seed = ed25519.utils.randomSecretKey();
  const now = yield* unixNow;
  const inserted = yield* sql`INSERT INTO SigningKey (Purpose, Seed, Created)
                              VALUES (${PURPOSE}, ${toHex(seed)}, ${now})`.pipe(
    Effect.as(true),
    Effect.catchIf(isDuplicateKey, () => Effect.succeed(false)),
  );
  if (inserted) {
    yield* Effect.logInfo("made the pool's API signing key").pipe(
      Effect.annotateLogs({ publicKey: base64(ed25519.getPublicKey(seed)) }),
    );
    return seed;
  }
  const theirs = yield* storedSeed(sql);
  return theirs ?? (yield* new SigningKeyUnreadable({ reason: "vanished while it was being made" }));
}).pipe(Effect.withSpan("ResponseSigner.loadOrCreate"));

export class ResponseSigner
  extends Context.Tag("hcstakepool/ResponseSigner")<ResponseSigner, ResponseSignerApi>() {
  static readonly layer = Layer.effect(ResponseSigner, Effect.map(loadOrCreateSeed, signerFromSeed));
}
