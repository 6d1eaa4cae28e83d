// Shared by the stakepoold tests: an hcsim network, a migrated embedded database with pool users
// registered the way address submission does it, and one in-process stakepoold per voting node,
// each with its own config, TLS control API and clients.
import {
  Context,
  Duration,
  Effect,
  Either,
  Layer,
  Logger,
  LogLevel,
  Redacted,
  Schedule,
  type Scope,
  type Stream,
} from "effect";
import type { DatabaseConfig } from "../../src/config/database.ts";
import type { StakepooldConfig } from "../../src/config/stakepoold.ts";
import { type WalletRpc, walletRpc } from "../../src/rpc/hc_methods.ts";
import { ControlApi, type StakepooldStatus, type TicketEvent } from "../../src/rpc/stakepoold_protocol.ts";
import { ControlServer } from "../../src/stakepoold/control_server.ts";
import { stakepooldStatus } from "../../src/stakepoold/status.ts";
import { TicketEvents } from "../../src/stakepoold/ticket_events.ts";
import { TicketKeeper } from "../../src/stakepoold/ticket_keeper.ts";
import { databaseLayer } from "../../src/storage/database.ts";
import {
  makeStakepooldControlClient,
  type StakepooldControlClient,
} from "../../src/rpc/stakepoold_client.ts";
import { LowFeeTickets } from "../../src/storage/low_fee_tickets.ts";
import { Users } from "../../src/storage/users.ts";
import type { Endpoint, SimNetwork, SimNetworkOptions } from "../../src/sim/network.ts";
import { parseExtendedKey } from "../../src/domain/hdkey.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { DEFAULT_LOG_LEVELS, STAKEPOOLD_PROGRAM } from "../../src/runtime/logging.ts";
import { stakepooldLayer, type StakepooldTuning } from "../../stakepoold.ts";
import { clientFor, derived, withNetwork } from "../sim/helpers.ts";
import { withEmbeddedDatabase } from "../storage/support.ts";
import { withMysqlDatabase } from "../support/mysql.ts";

/** The voting wallets' and stakepoolds' poolfees (hcsim's default). */
export const POOL_FEES = 7.5;

export const CONTROL_SECRET = Redacted.make("test-control-secret-0123456789");

export interface PoolUser {
  readonly userId: number;
  readonly ticketAddress: string;
  readonly feeAddress: string;
  readonly voteBits: number;
  readonly voteBitsVersion: number;
}

/** Imports every user's 1-of-2 [pool, user] script into every voting wallet and stores the user row. */
export const registerUsers = (
  network: SimNetwork,
  prefs: ReadonlyArray<{ readonly voteBits: number; readonly voteBitsVersion: number }>,
) =>
  Effect.gen(function* () {
    const userWallet = walletRpc(yield* clientFor(network.endpoints.userWallet, "ws"));
    const wallets: WalletRpc[] = [];
    for (const n of network.endpoints.nodes) wallets.push(walletRpc(yield* clientFor(n.wallet, "ws")));
    for (const w of wallets) yield* w.accountSyncAddressIndex("default", 0, prefs.length + 10);
    const users = yield* Users;
    const registered: PoolUser[] = [];
    const before = yield* users.count;
    for (const [i, p] of prefs.entries()) {
      const row = yield* users.create({
        email: `user${before + i}@example.test`,
        passwordHash: "$2a$10$abcdefghijklmnopqrstuuq0A7mXhbTnH7pXo0a3Hn4sXbFqZWq6",
        emailToken: "",
        voteBits: p.voteBits,
        voteBitsVersion: p.voteBitsVersion,
        emailVerified: 1,
      });
      const userAddress = yield* userWallet.getNewAddress();
      const userKey = (yield* userWallet.validateAddress(userAddress)).pubkeyaddr!;
      const poolKey = derived(network.endpoints.votingWalletXpub, row.UserId);
      const multisig = yield* wallets[0].createMultisig(1, [poolKey.pubKeyAddress, userKey]);
      for (const w of wallets) yield* w.importScript(multisig.redeemScript, false);
      const feeAddress = derived(network.endpoints.coldWalletXpub, row.UserId).address;
      yield* users.setMultisig(row.UserId, {
        MultiSigAddress: multisig.address,
        MultiSigScript: multisig.redeemScript,
        PoolPubKeyAddr: poolKey.pubKeyAddress,
        UserPubKeyAddr: userKey,
        UserFeeAddr: feeAddress,
        HeightRegistered: network.chain.height,
      });
      registered.push({ userId: row.UserId, ticketAddress: multisig.address, feeAddress, ...p });
    }
    return { users: registered, userWallet };
  });

/** The pool's tables on a fresh store, opened as the programs open it, with the repositories the tests use. */
export const storageLayer = (database: DatabaseConfig) =>
  Layer.provideMerge(Layer.mergeAll(Users.layer, LowFeeTickets.layer), databaseLayer(database));

export interface StakepooldTestSetup {
  readonly network: SimNetwork;
  readonly database: DatabaseConfig;
  /** A fresh directory for stakepoold's certificates and files. */
  readonly dir: string;
}

/**
 * A test's surroundings: an hcsim network, a migrated database (the embedded store unless `mysql`)
 * and a temporary directory, all removed afterwards; `body` runs scoped with the pool's repositories.
 */
export const withStakepooldSetup = (
  options: { readonly network: Partial<SimNetworkOptions>; readonly database?: "embedded" | "mysql" },
  body: (
    setup: StakepooldTestSetup,
  ) => Effect.Effect<void, unknown, Scope.Scope | Layer.Layer.Success<ReturnType<typeof storageLayer>>>,
): Promise<void> =>
  withNetwork(
    options.network,
    (network) =>
      (options.database === "mysql" ? withMysqlDatabase : withEmbeddedDatabase)(async (database) => {
        const dir = await Deno.makeTempDir({ prefix: "stakepoold-test-" });
        try {
          await Effect.runPromise(
            Effect.scoped(body({ network, database, dir })).pipe(Effect.provide(storageLayer(database))),
          );
        } finally {
          await Deno.remove(dir, { recursive: true });
        }
      }),
  );

/** What a test reads from a stakepoold built in-process, without its control API. */
export interface StakepooldParts {
  readonly keeper: Context.Tag.Service<TicketKeeper>;
  readonly status: Effect.Effect<StakepooldStatus>;
  readonly events: Stream.Stream<TicketEvent>;
}

export const partsOf = (context: Context.Context<Layer.Layer.Success<ReturnType<typeof stakepooldLayer>>>) =>
  ({
    keeper: Context.get(context, TicketKeeper),
    status: Effect.provide(stakepooldStatus, context),
    events: Context.get(context, TicketEvents).stream,
  }) satisfies StakepooldParts;

export interface RunningStakepoold extends StakepooldParts {
  readonly index: number;
  readonly control: StakepooldControlClient;
  readonly certPem: string;
  readonly address: string;
}

/** What an operator configures for the stakepoold of voting node `index`. */
export const stakepooldConfigFor = (
  network: SimNetwork,
  database: DatabaseConfig,
  dir: string,
  index: number,
): StakepooldConfig => {
  const node = network.endpoints.nodes[index];
  const endpoint = (e: Endpoint) => ({
    url: e.url,
    user: e.user,
    password: Redacted.make(e.password),
    certPem: Deno.readTextFileSync(e.cert),
  });
  return {
    configFile: "",
    appData: dir,
    network: network.endpoints.net,
    dataDir: `${dir}/node${index}`,
    log: {
      program: STAKEPOOLD_PROGRAM,
      file: undefined,
      format: "text",
      levels: DEFAULT_LOG_LEVELS,
      secrets: [],
    },
    coldWalletExtPub: Either.getOrThrow(
      parseExtendedKey(network.endpoints.coldWalletXpub, NETWORKS[network.endpoints.net]),
    ),
    poolFees: POOL_FEES,
    database,
    hcd: endpoint(node.hcd),
    wallet: endpoint(node.wallet),
    noRpcListen: false,
    rpcListen: ["127.0.0.1:0"],
    rpcCert: `${dir}/stakepoold${index}.cert`,
    rpcKey: `${dir}/stakepoold${index}.key`,
    controlSecret: CONTROL_SECRET,
  };
};

/**
 * Fee addresses a test's stakepoold derives: the tests' users have small ids, and deriving
 * hcwallet's 10 000 takes seconds of a shared CPU.
 */
export const TEST_FEE_ADDRESSES = 500;

/** One stakepoold per voting node, built in the caller's scope (closed = SIGTERM). */
export const startStakepoolds = (
  network: SimNetwork,
  database: DatabaseConfig,
  dir: string,
  tuning: StakepooldTuning = {},
): Effect.Effect<ReadonlyArray<RunningStakepoold>, unknown, Scope.Scope> =>
  Effect.forEach(network.endpoints.nodes, (_, index) =>
    Effect.gen(function* () {
      const config = stakepooldConfigFor(network, database, dir, index);
      const context = yield* Layer.build(
        stakepooldLayer(config, { feeAddressCount: TEST_FEE_ADDRESSES, ...tuning }),
      );
      const [address] = Context.unsafeGet(context, ControlServer).addresses;
      const certPem = yield* Effect.promise(() => Deno.readTextFile(config.rpcCert));
      const control = makeStakepooldControlClient({
        endpoint: { host: address, certPem },
        secret: CONTROL_SECRET,
      });
      yield* control.call(ControlApi.ping, {});
      return { index, ...partsOf(context), control, certPem, address };
    }));

/** Waits until `check` holds, asking again every 20 ms; fails the test after `timeoutMs`. */
export const eventually = <E, R>(
  what: string,
  check: Effect.Effect<boolean, E, R>,
  timeoutMs = 60_000,
): Effect.Effect<void, E | Error, R> =>
  check.pipe(
    Effect.repeat({ until: (ok) => ok, schedule: Schedule.spaced(Duration.millis(20)) }),
    Effect.timeoutFail({
      duration: Duration.millis(timeoutMs),
      onTimeout: () => new Error(`timed out waiting for: ${what}`),
    }),
    Effect.asVoid,
  );

/**
 * Mines the block holding the purchases, then on until they mature: hcd announces a ticket in
 * newtickets at the height it becomes live (HC-PROTOCOL §10), where stakepoold admits it. That
 * block's lottery may already draw it.
 */
export const mineUntilMature = (network: SimNetwork) =>
  network.control.generate(1 + NETWORKS[network.endpoints.net].ticketMaturity);

/** Mines the block holding `ticket`, then on until the next block is the one it matures at. */
export const mineUntilAboutToMature = (network: SimNetwork, ticket: string) => {
  network.control.generate(1);
  const minedAt = network.control.tickets().find((t) => t.ticket === ticket)!.height;
  while (network.control.chainState().height + 1 < minedAt + NETWORKS[network.endpoints.net].ticketMaturity) {
    network.control.generate(1);
  }
};

/** Buys `count` tickets for a pool user paying the full pool fee; returns their hashes. */
export const buyPoolTickets = (userWallet: WalletRpc, user: PoolUser, count = 1) =>
  userWallet.purchaseTicket(["default", 1000, 1, user.ticketAddress, count, user.feeAddress, POOL_FEES]);

/** Buys `count` pool tickets paying half the pool fee (hcsim's user wallet told to): the pool must not vote them. */
export const buyLowFeeTickets = (network: SimNetwork, userWallet: WalletRpc, user: PoolUser, count = 1) =>
  Effect.suspend(() => {
    network.control.underpayPoolFee(true);
    return buyPoolTickets(userWallet, user, count);
  }).pipe(Effect.ensuring(Effect.sync(() => network.control.underpayPoolFee(false))));

/**
 * Mines one block at a time until `ticket` is drawn, waiting after each block until `settled`
 * holds (e.g. the other winners of the pool were voted); returns the selecting block.
 */
export const mineUntilSelected = <E = never, R = never>(
  network: SimNetwork,
  ticket: string,
  settled: Effect.Effect<boolean, E, R> = Effect.succeed(true),
  // A ticket of ~70 in the pool escapes 300 draws of 5 with odds of about 1e-10 (expiry is 384 on simnet).
  maxBlocks = 300,
): Effect.Effect<{ readonly hash: string; readonly height: number }, E | Error, R> =>
  Effect.gen(function* () {
    for (let i = 0; i < maxBlocks; i++) {
      network.control.generate(1);
      const { hash, height, winners } = network.control.chainState();
      if (winners.includes(ticket)) return { hash, height };
      yield* eventually(`block ${height} settled`, settled);
    }
    return yield* Effect.fail(new Error(`${ticket} was not selected within ${maxBlocks} blocks`));
  });

/**
 * Collects log lines at `minimum` and above, as "LEVEL message key=value …", instead of printing
 * them: stakepoold's fibers inherit the logger of the effect that builds it.
 */
export const logLinesInto = (lines: string[], minimum: LogLevel.LogLevel = LogLevel.Info) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message, annotations }) => {
      if (!LogLevel.greaterThanEqual(logLevel, minimum)) return;
      const fields = [...annotations].map(([k, v]) =>
        `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`
      );
      lines.push([logLevel.label, ...[message].flat().map(String), ...fields].join(" "));
    }),
  );
