// The startup sync from empty wallets: 1 000, 5 000 and 9 999 registered users (the pool's most:
// UserId stays below 10 000) and a fresh 3-node hcsim each time (one seed, so the same pool keys
// and hence the same scripts), syncWallets as `hcpool sync` runs it: accountsyncaddressindex,
// every user's script imported into all three wallets. hcsim runs as a process of its own
// (`deno task sim`), so its work — what each hcwallet does on its own machine — is not billed to
// the sync. The cost per user must stay flat.
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { Effect, Either, Layer, Redacted } from "effect";
import { encodeAddress, pubKeyAddress } from "../src/domain/address.ts";
import { parseExtendedKey } from "../src/domain/hdkey.ts";
import { NETWORKS } from "../src/domain/params.ts";
import type { DatabaseConfig } from "../src/config/database.ts";
import type { SimEndpoints } from "../src/sim/network.ts";
import { MAX_USER_ID, Users } from "../src/storage/users.ts";
import { sqlLayer } from "../src/storage/sql.ts";
import { migrate } from "../src/storage/migrations.ts";
import { type LocalRegistration, localRegistration } from "../src/wallets/address_registration.ts";
import { StakepooldClients } from "../src/wallets/stakepoolds.ts";
import { VotingWallets } from "../src/wallets/voting_wallets.ts";
import { syncWallets } from "../src/wallets/wallet_sync.ts";
import { spawnDeno, withProcesses } from "../tests/faults/processes.ts";
import { storeRegisteredUsers, withBenchDatabase } from "./database.ts";

export const SYNC_USERS = [1_000, 5_000, MAX_USER_ID] as const;
const SEED = "startup sync benchmark";

export interface SyncFigures {
  readonly users: ReadonlyArray<number>;
  readonly seconds: ReadonlyArray<number>;
  readonly msPerUser: ReadonlyArray<number>;
}

/** A fresh network on the benchmark's seed in a process of its own; `f` runs while it is up. */
const withSim = async <A>(f: (endpoints: SimEndpoints) => Promise<A>) => {
  const datadir = await Deno.makeTempDir({ prefix: "hcs_bench_sync_" });
  try {
    return await withProcesses(async (start) => {
      const sim = start(spawnDeno("hcsim", [
        "src/sim/main.ts",
        "--datadir",
        datadir,
        "--seed",
        SEED,
        "--background",
        "16",
      ]));
      await sim.waitForLine((l) => l.startsWith("endpoints written"), "its endpoints", 300_000);
      return await f(JSON.parse(await Deno.readTextFile(`${datadir}/endpoints.json`)));
    });
  } finally {
    await Deno.remove(datadir, { recursive: true });
  }
};

/** Stores registrations `from`…`to − 1` as users `from + 1`…`to`. */
const storeUsers = (
  database: DatabaseConfig,
  registrations: ReadonlyArray<LocalRegistration>,
  from: number,
  to: number,
) =>
  storeRegisteredUsers(
    database,
    registrations.slice(from, to).map((r, i) => ({
      userId: from + 1 + i,
      multiSigAddress: r.multisigAddress,
      multiSigScript: r.redeemScript,
      poolPubKeyAddr: r.poolPubKeyAddr,
      userPubKeyAddr: r.userPubKeyAddr,
      userFeeAddr: r.feeAddress,
    })),
    0,
  );

/** One startup sync of the `users` stored users into the network's empty wallets; its seconds. */
const syncOnce = async (database: DatabaseConfig, endpoints: SimEndpoints, users: number) => {
  const certs = await Promise.all(endpoints.nodes.map((e) => Deno.readTextFile(e.wallet.cert)));
  const wallets = VotingWallets.layer({
    net: NETWORKS[endpoints.net],
    minServers: 3,
    timeoutMs: 60_000,
    wallets: endpoints.nodes.map((e, i) => ({
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
    if (imported !== 3 * users) {
      throw new Error(`${imported} scripts imported for ${users} users × 3 wallets`);
    }
    return s;
  }).pipe(
    Effect.provide(Layer.mergeAll(wallets, Users.layer, StakepooldClients.none)),
    Effect.provide(sqlLayer(database)),
    Effect.runPromise,
  );
};

export const startupSyncBenchmarks = (): Promise<SyncFigures> =>
  withBenchDatabase(async (database) => {
    await Effect.runPromise(migrate().pipe(Effect.provide(sqlLayer(database))));
    let stored: number = SYNC_USERS[0];
    const registrations = await withSim(async (endpoints) => {
      const net = NETWORKS[endpoints.net];
      const keys = {
        votingWalletExtPub: Either.getOrThrow(parseExtendedKey(endpoints.votingWalletXpub, net)),
        coldWalletExtPub: Either.getOrThrow(parseExtendedKey(endpoints.coldWalletXpub, net)),
      };
      // The users' own keys only need to be distinct valid points: consecutive multiples of G.
      let point = secp256k1.Point.BASE.multiply(987654321n);
      const all = Array.from({ length: SYNC_USERS[SYNC_USERS.length - 1] }, (_, i) => {
        point = point.add(secp256k1.Point.BASE);
        const userKey = encodeAddress(Either.getOrThrow(pubKeyAddress(net, point.toBytes(true))));
        return Either.getOrThrow(localRegistration(net, keys, i + 1, userKey));
      });
      // A sync not measured first, so the first size measured does not pay for compiling the code.
      await storeUsers(database, all, 0, stored);
      await syncOnce(database, endpoints, stored);
      return all;
    });
    const seconds: Array<number> = [];
    for (const n of SYNC_USERS) {
      await storeUsers(database, registrations, stored, n);
      stored = n;
      seconds.push(await withSim((endpoints) => syncOnce(database, endpoints, n)));
    }
    return {
      users: [...SYNC_USERS],
      seconds,
      msPerUser: seconds.map((s, i) => s * 1000 / SYNC_USERS[i]),
    };
  });

if (import.meta.main) console.log(await startupSyncBenchmarks());
