// The startup sync from empty wallets: 1 000, 5 000 and 9 999 registered users (the pool's most:
// UserId stays below 10 000) and a fresh 3-node hcsim each time (one seed, so the same pool keys
// and hence the same scripts), syncWallets as `hcpool sync` runs it: accountsyncaddressindex,
// every user's script imported into all three wallets. The cost per user must stay flat.
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { Effect, Either, Layer, Redacted } from "effect";
import { encodeAddress, pubKeyAddress } from "../src/domain/address.ts";
import { parseExtendedKey } from "../src/domain/hdkey.ts";
import { NETWORKS } from "../src/domain/params.ts";
import { startSimNetwork } from "../src/sim/network.ts";
import { Users } from "../src/storage/users.ts";
import { sqlLayer } from "../src/storage/sql.ts";
import { migrate } from "../src/storage/migrations.ts";
import { localRegistration } from "../src/wallets/address_registration.ts";
import { StakepooldClients } from "../src/wallets/stakepoolds.ts";
import { VotingWallets } from "../src/wallets/voting_wallets.ts";
import { syncWallets } from "../src/wallets/wallet_sync.ts";
import { storeRegisteredUsers, withBenchDatabase } from "./database.ts";

export const SYNC_USERS = [1_000, 5_000, 9_999] as const;
const SEED = "startup sync benchmark";

export interface SyncFigures {
  readonly users: ReadonlyArray<number>;
  readonly seconds: ReadonlyArray<number>;
  readonly msPerUser: ReadonlyArray<number>;
}

/** A fresh network on the benchmark's seed; `f` runs while it is up. */
const withSim = async <A>(f: (sim: Awaited<ReturnType<typeof startSimNetwork>>) => Promise<A>) => {
  const datadir = await Deno.makeTempDir({ prefix: "hcs_bench_sync_" });
  const sim = await startSimNetwork({ nodes: 3, seed: SEED, datadir, backgroundTickets: 16 });
  try {
    return await f(sim);
  } finally {
    await sim.close();
    await Deno.remove(datadir, { recursive: true });
  }
};

export const startupSyncBenchmarks = (): Promise<SyncFigures> =>
  withBenchDatabase(async (database) => {
    await Effect.runPromise(migrate().pipe(Effect.provide(sqlLayer(database))));
    // The users' own keys only need to be distinct valid points: consecutive multiples of G.
    const registrations = await withSim((sim) => {
      const net = NETWORKS[sim.endpoints.net];
      const keys = {
        votingWalletExtPub: Either.getOrThrow(parseExtendedKey(sim.endpoints.votingWalletXpub, net)),
        coldWalletExtPub: Either.getOrThrow(parseExtendedKey(sim.endpoints.coldWalletXpub, net)),
      };
      let point = secp256k1.Point.BASE.multiply(987654321n);
      return Promise.resolve(Array.from({ length: SYNC_USERS[SYNC_USERS.length - 1] }, (_, i) => {
        point = point.add(secp256k1.Point.BASE);
        const userKey = encodeAddress(Either.getOrThrow(pubKeyAddress(net, point.toBytes(true))));
        return Either.getOrThrow(localRegistration(net, keys, i + 1, userKey));
      }));
    });
    const seconds: Array<number> = [];
    let stored = 0;
    for (const n of SYNC_USERS) {
      await storeRegisteredUsers(
        database,
        registrations.slice(stored, n).map((r, i) => ({
          userId: stored + 1 + i,
          multiSigAddress: r.multisigAddress,
          multiSigScript: r.redeemScript,
          poolPubKeyAddr: r.poolPubKeyAddr,
          userPubKeyAddr: r.userPubKeyAddr,
          userFeeAddr: r.feeAddress,
        })),
        0,
      );
      stored = n;
      seconds.push(
        await withSim(async (sim) => {
          const certs = await Promise.all(sim.endpoints.nodes.map((e) => Deno.readTextFile(e.wallet.cert)));
          const wallets = VotingWallets.layer({
            net: NETWORKS[sim.endpoints.net],
            minServers: 3,
            timeoutMs: 60_000,
            wallets: sim.endpoints.nodes.map((e, i) => ({
              url: e.wallet.url,
              user: e.wallet.user,
              password: Redacted.make(e.wallet.password),
              certPem: certs[i],
            })),
          });
          return await Effect.gen(function* () {
            const started = performance.now();
            const summary = yield* syncWallets({ resetVoteBits: true });
            const s = (performance.now() - started) / 1000;
            if (summary.problems.length > 0) throw new Error(`sync problems: ${summary.problems.join("; ")}`);
            const imported = summary.repaired.reduce((sum, r) => sum + r.scriptsImported, 0);
            if (imported !== 3 * n) {
              throw new Error(`${imported} scripts imported for ${n} users × 3 wallets`);
            }
            return s;
          }).pipe(
            Effect.provide(Layer.mergeAll(wallets, Users.layer, StakepooldClients.none)),
            Effect.provide(sqlLayer(database)),
            Effect.runPromise,
          );
        }),
      );
    }
    return {
      users: [...SYNC_USERS],
      seconds,
      msPerUser: seconds.map((s, i) => s * 1000 / SYNC_USERS[i]),
    };
  });

if (import.meta.main) console.log(await startupSyncBenchmarks());
