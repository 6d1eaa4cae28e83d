import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as SqlClient from "@effect/sql/SqlClient";
import { ed25519 } from "@noble/curves/ed25519.js";
import { Effect, Layer } from "effect";
import { ResponseSigner } from "../../src/signing/response_signer.ts";
import { runMigrated, testBothStores } from "../storage/support.ts";

const signerOf = Effect.map(ResponseSigner, (s) => s);
const signerLayer = ResponseSigner.layer as Layer.Layer<ResponseSigner, never, SqlClient.SqlClient>;

testBothStores(
  "the API signing key is made once, kept across starts, and shared by programs starting together",
  async (config) => {
    const together = await Promise.all(
      Array.from({ length: 3 }, () => runMigrated(config, signerLayer, signerOf)),
    );
    const key = together[0].publicKey;
    assert.deepEqual(together.map((s) => s.publicKey), [key, key, key]);
    assert.equal(Buffer.from(key, "base64").length, 32);
    const later = await runMigrated(config, signerLayer, signerOf);
    assert.equal(later.publicKey, key, "a restart signs with the same key");
    const rows = await runMigrated(
      config,
      Layer.empty,
      Effect.flatMap(SqlClient.SqlClient, (sql) => sql<{ n: number }>`SELECT COUNT(*) AS n FROM SigningKey`),
    );
    assert.equal(Number(rows[0].n), 1);

    const body = new TextEncoder().encode('{"status":"success"}\n');
    const signature = Buffer.from(later.sign(body), "base64");
    assert.ok(ed25519.verify(signature, body, Buffer.from(key, "base64")));
    body[0] ^= 1;
    assert.ok(!ed25519.verify(signature, body, Buffer.from(key, "base64")), "another body does not verify");
  },
);

testBothStores(
  "an unusable stored signing key stops start-up with a message naming the row, not the key",
  async (config) => {
    await runMigrated(config, signerLayer, signerOf);
    const exit = await runMigrated(
      config,
      Layer.empty,
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient;
        yield* sql`UPDATE SigningKey SET Seed = 'not-hex'`;
        return yield* Effect.exit(Effect.provide(signerOf, signerLayer));
      }),
    );
    assert.equal(exit._tag, "Failure");
    const message = exit._tag === "Failure" ? String(exit.cause) : "";
    assert.match(message, /SigningKey row "api-answers" is unusable/);
    assert.doesNotMatch(message, /not-hex/);
  },
);
