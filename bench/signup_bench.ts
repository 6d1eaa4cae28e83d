// 200 sign-ups at once (Users.create, each its own email) on each store that answers: the embedded
// store always, MariaDB when 127.0.0.1:3306 takes root connections.
import { Effect } from "effect";
import { Users } from "../src/storage/users.ts";
import { runMigrated, STORES } from "../tests/storage/support.ts";
import type { Measurement } from "./measurement.ts";

const SIGNUPS = 200;

export const signupBenchmarks = async (): Promise<ReadonlyArray<Measurement>> => {
  const out: Array<Measurement> = [];
  for (const { store, with: withDatabase } of STORES) {
    const ms = await withDatabase((config) =>
      runMigrated(
        config,
        Users.layer,
        Effect.gen(function* () {
          const users = yield* Users;
          const start = performance.now();
          const created = yield* Effect.forEach(
            Array.from({ length: SIGNUPS }, (_, i) => i),
            (i) =>
              users.create({
                email: `bench${i}@example.test`,
                passwordHash: "$2a$10$bench",
                emailToken: crypto.randomUUID(),
                voteBits: 1,
                voteBitsVersion: 5,
              }),
            { concurrency: "unbounded" },
          );
          const ms = performance.now() - start;
          if (created.length !== SIGNUPS) throw new Error(`${created.length} of ${SIGNUPS} sign-ups stored`);
          return ms;
        }),
      )
    ).catch((e) => {
      // Only MariaDB may be missing; the embedded store failing is a failure of the benchmark.
      if (store === "embedded") throw e;
      console.log(
        `(storage: MariaDB at 127.0.0.1:3306 does not answer, skipped: ${String(e).split("\n")[0]})`,
      );
      return undefined;
    });
    if (ms !== undefined) {
      out.push({ name: `storage: ${SIGNUPS} concurrent sign-ups, ${store}`, value: ms, unit: "ms" });
      out.push({ name: `storage: sign-ups, ${store}`, value: SIGNUPS / (ms / 1000), unit: "users/s" });
    }
  }
  return out;
};
