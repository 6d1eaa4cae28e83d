// Issue 9 item 2: voting must not depend on the database. stakepoold keeps what it loaded in a
// snapshot in datadir; restarted while MariaDB cannot be reached it votes with the owners' bits
// from the snapshot, retries the database, and uses it again as soon as it answers. The shared
// MariaDB is never stopped: stakepoold reaches it through a TCP forwarder the test closes.
import assert from "node:assert/strict";
import { Effect, Exit, Layer, Schema, Scope } from "effect";
import { PrefsSnapshot } from "../../src/stakepoold/voting_prefs.ts";
import { Users } from "../../src/storage/users.ts";
import { PREFS_SNAPSHOT_FILE, stakepooldLayer, type StakepooldTuning } from "../../stakepoold.ts";
import {
  buyPoolTickets,
  eventually,
  partsOf,
  registerUsers,
  stakepooldConfigFor,
  TEST_FEE_ADDRESSES,
  withStakepooldSetup,
} from "./support.ts";
import { mysqlTest } from "../support/mysql.ts";

/** A TCP forwarder to the database that the test can close (refusing connections) and open again. */
const forwarderTo = (hostname: string, targetPort: number) => {
  let listener: Deno.Listener | undefined;
  const open = new Set<Deno.Conn>();
  const listen = (on: number) => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: on });
    listener = l;
    (async () => {
      for await (const inbound of l) {
        open.add(inbound);
        Deno.connect({ hostname, port: targetPort }).then((outbound) => {
          open.add(outbound);
          const done = () => {
            for (const c of [inbound, outbound]) {
              open.delete(c);
              try {
                c.close();
              } catch { /* already closed */ }
            }
          };
          inbound.readable.pipeTo(outbound.writable).catch(() => {}).finally(done);
          outbound.readable.pipeTo(inbound.writable).catch(() => {}).finally(done);
        }, () => {
          open.delete(inbound);
          inbound.close();
        });
      }
    })();
    return (l.addr as Deno.NetAddr).port;
  };
  const port = listen(0);
  return {
    port,
    /** Refuses new connections and cuts the open ones: the database is unreachable. */
    close: () => {
      listener?.close();
      listener = undefined;
      for (const c of open) {
        try {
          c.close();
        } catch { /* already closed */ }
      }
      open.clear();
    },
    reopen: () => void listen(port),
  };
};

const TUNING: StakepooldTuning = {
  resyncInterval: "500 millis",
  databaseRetry: { initial: "100 millis", max: "500 millis" },
  feeAddressCount: TEST_FEE_ADDRESSES,
};

mysqlTest(
  "restarted while MariaDB is unreachable, stakepoold votes with the owners' bits from its snapshot; the database's newer bits once it answers",
  () =>
    withStakepooldSetup(
      { network: { nodes: 1, backgroundTickets: 10 }, database: "mysql" },
      ({ network, database, dir }) =>
        Effect.gen(function* () {
          const forwarder = forwarderTo(database.dbhost!, database.dbport);
          yield* Effect.addFinalizer(() => Effect.sync(forwarder.close));
          const config = {
            ...stakepooldConfigFor(network, database, dir, 0),
            database: { ...database, dbport: forwarder.port },
          };
          const { users: [owner], userWallet } = yield* registerUsers(network, [{
            voteBits: 5,
            voteBitsVersion: 7,
          }]);
          const tickets = [...(yield* buyPoolTickets(userWallet, owner))];
          network.control.generate(1);

          const run = Effect.gen(function* () {
            const scope = yield* Scope.make();
            const context = yield* Layer.buildWithScope(stakepooldLayer(config, TUNING), scope);
            return { ...partsOf(context), stop: Scope.close(scope, Exit.void) };
          });

          // First run: everything from the database, kept in the snapshot.
          const first = yield* run;
          yield* eventually(
            "the user and the ticket are known",
            Effect.map(first.status, (s) => s.userVotingConfigs === 1 && s.liveTickets === 1),
            30_000,
          );
          assert.equal((yield* first.status).prefsSource, "database");
          yield* first.stop;
          const snapshotText = yield* Effect.promise(() =>
            Deno.readTextFile(`${config.dataDir}/${PREFS_SNAPSHOT_FILE}`)
          );
          const snapshot = Schema.decodeUnknownSync(Schema.parseJson(PrefsSnapshot))(snapshotText);
          assert.equal(snapshot.version, 1);
          assert.deepEqual(snapshot.users.map((u) => [u.MultiSigAddress, u.VoteBits]), [[
            owner.ticketAddress,
            5,
          ]]);

          // Second run with the database unreachable: the snapshot's users, and their bits, vote.
          forwarder.close();
          const second = yield* run;
          yield* Effect.addFinalizer(() => second.stop);
          const started = yield* second.status;
          assert.equal(started.prefsSource, "snapshot");
          assert.equal(started.database, "unreachable");
          assert.match(started.databaseError ?? "", /ECONNREFUSED|connect/);
          assert.equal(started.userVotingConfigs, 1);

          const votedWith = (ticket: string) => network.control.votes(ticket).map((v) => v.voteBits);
          const mineUntilVoted = (what: string) =>
            Effect.gen(function* () {
              for (let block = 0; block < 300; block++) {
                network.control.generate(1);
                const drawn = network.control.chainState().winners.filter((t) =>
                  tickets.includes(t) && votedWith(t).length === 0
                );
                if (drawn.length === 0) continue;
                yield* eventually(
                  `${what}: the drawn ticket is voted`,
                  Effect.sync(() => votedWith(drawn[0]).length > 0),
                );
                return drawn[0];
              }
              return assert.fail(`${what}: no pool ticket drawn within 300 blocks`);
            });
          const firstVoted = yield* mineUntilVoted("database unreachable");
          assert.deepEqual(votedWith(firstVoted), [5]);

          // The owner changes their choice meanwhile; once the database answers it is used.
          yield* (yield* Users).setVoteBits(owner.userId, 3, 7);
          forwarder.reopen();
          yield* eventually(
            "the database answers again",
            Effect.map(second.status, (s) => s.prefsSource === "database" && s.database === "answering"),
            30_000,
          );
          tickets.push(...(yield* buyPoolTickets(userWallet, owner)));
          const secondVoted = yield* mineUntilVoted("database back");
          assert.equal(secondVoted, tickets[1]);
          assert.deepEqual(votedWith(secondVoted), [3]);
        }),
    ),
);
