// A pool in front of hcsim for the wallet tests: a 3-node simulated network over real TLS, a fresh
// migrated embedded store, the pool's keys, and the layers the services under test need.
import { Effect, Either, Layer, Redacted, Ref } from "effect";
import type { DatabaseConfig } from "../../src/config/database.ts";
import { parseExtendedKey } from "../../src/domain/hdkey.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import {
  type LocalRegistration,
  localRegistration,
  type PoolKeys,
} from "../../src/wallets/address_registration.ts";
import { migrate } from "../../src/storage/migrations.ts";
import { sqlLayer } from "../../src/storage/sql.ts";
import { StakepooldClients, type StakepooldUpdate } from "../../src/wallets/stakepoolds.ts";
import { Users } from "../../src/storage/users.ts";
import {
  connectWallets,
  makeVotingWallets,
  type VotingWallet,
  VotingWallets,
  type VotingWalletsConfig,
  type WalletMethods,
} from "../../src/wallets/voting_wallets.ts";
import { RpcTransportError } from "../../src/rpc/errors.ts";
import { type SimNetwork, type SimNetworkOptions, startSimNetwork } from "../../src/sim/network.ts";
import { withEmbeddedDatabase } from "../storage/support.ts";
import { reportingSeed, testSeed } from "../sim/helpers.ts";

export interface SimPool {
  readonly sim: SimNetwork;
  readonly db: DatabaseConfig;
  readonly keys: PoolKeys;
  readonly walletsConfig: (minServers: number) => VotingWalletsConfig;
  /** Every updateAll the code under test asked for. */
  readonly stakepooldUpdates: Ref.Ref<ReadonlyArray<StakepooldUpdate>>;
  readonly stakepoolds: Layer.Layer<StakepooldClients>;
}

export const withSimPool = async (
  options: Partial<SimNetworkOptions>,
  f: (pool: SimPool) => Promise<void>,
): Promise<void> => {
  const datadir = await Deno.makeTempDir({ prefix: "hcs_wallets_" });
  const sim = await startSimNetwork({ nodes: 3, seed: testSeed(), ...options, datadir });
  try {
    const net = NETWORKS[sim.endpoints.net];
    const certs = await Promise.all(sim.endpoints.nodes.map((n) => Deno.readTextFile(n.wallet.cert)));
    const stakepooldUpdates = Ref.unsafeMake<ReadonlyArray<StakepooldUpdate>>([]);
    await withEmbeddedDatabase((db) =>
      reportingSeed(sim.seed, async () => {
        await Effect.runPromise(migrate().pipe(Effect.provide(sqlLayer(db))));
        await f({
          sim,
          db,
          keys: {
            votingWalletExtPub: Either.getOrThrow(parseExtendedKey(sim.endpoints.votingWalletXpub, net)),
            coldWalletExtPub: Either.getOrThrow(parseExtendedKey(sim.endpoints.coldWalletXpub, net)),
          },
          walletsConfig: (minServers) => ({
            net,
            minServers,
            // The three sim wallets share one thread: accountsyncaddressindex derives 10 000 keys
            // in each, which takes seconds on a loaded machine.
            timeoutMs: 30_000,
            wallets: sim.endpoints.nodes.map((n, i) => ({
              url: n.wallet.url,
              user: n.wallet.user,
              password: Redacted.make(n.wallet.password),
              certPem: certs[i],
            })),
          }),
          stakepooldUpdates,
          stakepoolds: Layer.succeed(StakepooldClients, {
            updateAll: (kind) =>
              Effect.as(Ref.update(stakepooldUpdates, (xs) => [...xs, kind]), { ok: 1, failed: [] }),
          }),
        });
      })
    );
  } finally {
    await sim.close();
    await Deno.remove(datadir, { recursive: true });
  }
};

/** VotingWallets (fresh clients: a "restart") and Users over the pool's store. */
export const poolLayer = (pool: SimPool, minServers: number) =>
  Layer.mergeAll(VotingWallets.layer(pool.walletsConfig(minServers)), Users.layer, pool.stakepoolds).pipe(
    Layer.provideMerge(Layer.orDie(sqlLayer(pool.db))),
  );

/** A wallet's methods, some of them replaced (a counter, an injected failure). */
export type WalletDecorator = (wallet: VotingWallet) => VotingWallet;

/** As poolLayer, with the sim's wallets passed through `decorate` (keyed by wallet name). */
export const decoratedPoolLayer = (pool: SimPool, minServers: number, decorate: WalletDecorator) => {
  const config = pool.walletsConfig(minServers);
  const wallets = Layer.scoped(
    VotingWallets,
    Effect.flatMap(
      connectWallets(config),
      (ws) => makeVotingWallets(config.net, ws.map(decorate), config.minServers),
    ),
  );
  return Layer.mergeAll(wallets, Users.layer, pool.stakepoolds).pipe(
    Layer.provideMerge(Layer.orDie(sqlLayer(pool.db))),
  );
};

/** The method of `wallet` fails as if the wallet had gone away. */
export const unreachable = (wallet: VotingWallet, method: keyof WalletMethods): VotingWallet => ({
  ...wallet,
  rpc: {
    ...wallet.rpc,
    [method]: () =>
      Effect.fail(new RpcTransportError({ host: wallet.host, method, detail: "connection closed" })),
  },
});

/** A user row without an address; returns its id. */
export const newUser = (email: string) =>
  Effect.flatMap(
    Users,
    (users) =>
      users.create({ email, passwordHash: "$2a$10$test", emailToken: "", voteBits: 1, voteBitsVersion: 0 }),
  )
    .pipe(Effect.map((u) => u.UserId));

/** Funds enough for the thousands of tickets `registerDriftedUsers` buys. */
export const DRIFTED_POOL_OPTIONS: Partial<SimNetworkOptions> = { userFunds: 10n ** 24n };

/**
 * Wallets drifted apart, as startup sync finds them: `scripts` registered users (in the store),
 * their scripts on wallet 1 with at least `tickets` unspent tickets bought to them, on wallet 2
 * without those tickets (imported without a rescan), and wallet 3 missing everything.
 */
export const registerDriftedUsers = async (
  pool: SimPool,
  scripts: number,
  tickets: number,
): Promise<ReadonlyArray<LocalRegistration>> => {
  const { sim } = pool;
  const registrations = await Effect.gen(function* () {
    const users = yield* Users;
    const out: Array<LocalRegistration> = [];
    for (let i = 0; i < scripts; i++) {
      const userId = yield* newUser(`user${i}@example.com`);
      const local = Either.getOrThrow(
        localRegistration(sim.chain.net, pool.keys, userId, sim.userWallet.getNewAddress().pubKeyAddress),
      );
      yield* users.setMultisig(userId, {
        MultiSigAddress: local.multisigAddress,
        MultiSigScript: local.redeemScript,
        PoolPubKeyAddr: local.poolPubKeyAddr,
        UserPubKeyAddr: local.userPubKeyAddr,
        UserFeeAddr: local.feeAddress,
        HeightRegistered: sim.chain.height,
      });
      out.push(local);
    }
    return out;
  }).pipe(Effect.provide(poolLayer(pool, 2)), Effect.runPromise);
  const [first, second] = sim.nodes.map((n) => n.wallet);
  for (const r of registrations) first.importScript(r.redeemScript, false, 0);
  // Tickets drawn while the chain grows are missed (nobody votes here): buy until enough are unspent.
  for (let block = 0; first.getTickets(true).length < tickets; block++) {
    const r = registrations[block % registrations.length];
    sim.userWallet.purchaseTicket({
      spendLimit: 1e9,
      ticketAddress: r.multisigAddress,
      numTickets: sim.chain.net.maxFreshStakePerBlock,
      poolAddress: r.feeAddress,
      poolFees: 7.5,
    });
    sim.control.generate(1);
  }
  for (const r of registrations) second.importScript(r.redeemScript, false, 0);
  return registrations;
};

/** Polls until the predicate holds (a reconnecting client, a background round). */
export const eventually = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  holds: (a: A) => boolean,
  what: string,
  timeoutMs = 60_000,
): Effect.Effect<A, E | Error, R> =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const a = yield* effect;
      if (holds(a)) return a;
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`timed out waiting for ${what}`));
      yield* Effect.sleep("100 millis");
    }
  });
