// The database of a benchmark: a fresh MariaDB/MySQL database when the test server answers
// (tests/support/mysql.ts: HCPOOL_TEST_MYSQL, default root@127.0.0.1:3306), else a fresh embedded
// store; either is removed afterwards. Users are stored as address submission leaves them.
import { Effect } from "effect";
import type { DatabaseConfig } from "../src/config/database.ts";
import { sqlLayer, type Store } from "../src/storage/sql.ts";
import { Users } from "../src/storage/users.ts";
import { withMysqlDatabase } from "../tests/support/mysql.ts";
import { withEmbeddedDatabase } from "../tests/storage/support.ts";

export const withBenchDatabase = async <A>(
  f: (database: DatabaseConfig, store: Store) => Promise<A>,
): Promise<A> => {
  let reached = false;
  try {
    return await withMysqlDatabase((database) => {
      reached = true;
      return f(database, "mysql");
    });
  } catch (e) {
    // Only a server that does not answer falls back; a failure of the benchmark itself is one.
    if (reached) throw e;
    console.log(`(MariaDB does not answer, the embedded store is used: ${String(e).split("\n")[0]})`);
    return withEmbeddedDatabase((database) => f(database, "embedded"));
  }
};

/** A pool user as address submission leaves the row. */
export interface RegisteredUser {
  readonly userId: number;
  readonly multiSigAddress: string;
  readonly multiSigScript: string;
  readonly poolPubKeyAddr: string;
  readonly userPubKeyAddr: string;
  readonly userFeeAddr: string;
}

/**
 * Stores users whose keys were derived for UserIds `from`…`from + n − 1`, the next ids of a
 * store holding `from − 1` users: rows are created 16 at a time (ids in any order) and each
 * gets the registration derived for its id.
 */
export const storeRegisteredUsers = (
  database: DatabaseConfig,
  users: ReadonlyArray<RegisteredUser>,
  voteBitsVersion: number,
) =>
  Effect.gen(function* () {
    const repo = yield* Users;
    const byId = new Map(users.map((u) => [u.userId, u]));
    yield* Effect.forEach(users, (_, i) =>
      Effect.gen(function* () {
        const row = yield* repo.create({
          email: `user${users[0].userId + i}@bench.test`,
          passwordHash: "$2b$12$bench",
          emailToken: "",
          voteBits: 1,
          voteBitsVersion,
          emailVerified: 1,
        });
        const u = byId.get(row.UserId);
        if (u === undefined) return yield* Effect.die(`a new user got UserId ${row.UserId}`);
        yield* repo.setMultisig(row.UserId, {
          MultiSigAddress: u.multiSigAddress,
          MultiSigScript: u.multiSigScript,
          PoolPubKeyAddr: u.poolPubKeyAddr,
          UserPubKeyAddr: u.userPubKeyAddr,
          UserFeeAddr: u.userFeeAddr,
          HeightRegistered: 0,
        });
      }), { concurrency: 16, discard: true });
  }).pipe(Effect.provide(Users.layer), Effect.provide(sqlLayer(database)), Effect.runPromise);
