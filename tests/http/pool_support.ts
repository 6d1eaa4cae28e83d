// The whole pool under test for the pool's own pages (issue 12): an hcsim network of 3 voting
// nodes, a fresh database on the chosen store, one stakepoold per node voting from it, an SMTP
// sink, and the web app started as `hcstakepool serve` starts it with enablestakepoold — so the
// tickets page is fed by the real ticket-event websockets. Built from the pieces of support.ts;
// withWebApp there cannot start stakepoolds between the database and the web app.
import { Effect, Exit, Logger, Redacted, Scope } from "effect";
import { poolConfigFromOptions } from "../../src/config/pool.ts";
import { type RunningWebApp, startWebApp, type WebAppTuning } from "../../src/cli/serve.ts";
import type { WebServices } from "../../src/http/context.ts";
import { type SimNetwork, type SimNetworkOptions, startSimNetwork } from "../../src/sim/network.ts";
import { withMysqlDatabase } from "../support/mysql.ts";
import { withEmbeddedDatabase } from "../storage/support.ts";
import {
  CONTROL_SECRET,
  eventually,
  type RunningStakepoold,
  startStakepoolds,
} from "../stakepoold/support.ts";
import { type WalletRpc, walletRpc } from "../../src/rpc/hc_methods.ts";
import { clientFor } from "../sim/helpers.ts";
import {
  alertsOf,
  type Page,
  poolOptions,
  type SmtpSink,
  startSmtpSink,
  type StoreKind,
  type TestWebApp,
  WebClient,
} from "./support.ts";

export interface PoolOptions {
  readonly store?: StoreKind;
  /** Start a stakepoold per voting node (default true). */
  readonly stakepoolds?: boolean;
  /** hcstakepool.conf options added or replaced. */
  readonly options?: Readonly<Record<string, string>>;
  readonly tuning?: WebAppTuning;
  readonly network?: Partial<SimNetworkOptions>;
  /** Runs before the web app starts (e.g. to load the wallets with tickets). */
  readonly prepare?: (sim: SimNetwork) => void | Promise<void>;
  readonly showLog?: boolean;
}

export interface TestPool extends Omit<TestWebApp, "appWith"> {
  readonly stakepoolds: ReadonlyArray<RunningStakepoold>;
}

const freePort = () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
};

/** Ticket views read the wallets again after 300 ms (1 s when shown) and the tip every 250 ms: tests see news at once. */
export const FAST_TICKETS: WebAppTuning["tickets"] = {
  minRefreshInterval: 300,
  maxAge: 1000,
  tipInterval: 250,
};

export const withPool = async (
  options: PoolOptions,
  body: (pool: TestPool) => Promise<void>,
): Promise<void> => {
  const withDatabase = options.store === "mysql" ? withMysqlDatabase : withEmbeddedDatabase;
  const datadir = await Deno.makeTempDir({ prefix: "hcs_pool_" });
  const sim = await startSimNetwork({
    nodes: 3,
    datadir,
    backgroundTickets: 16,
    feeAddressCount: 50,
    ...options.network,
  });
  const smtp: SmtpSink = await startSmtpSink();
  try {
    await options.prepare?.(sim);
    await withDatabase(async (database) => {
      const logs: Array<string> = [];
      const logger = Logger.replace(
        Logger.defaultLogger,
        Logger.map(Logger.logfmtLogger, (line) => {
          logs.push(line);
          if (options.showLog) console.error(line);
        }),
      );
      const scope = await Effect.runPromise(Scope.make());
      try {
        const stakepoolds = options.stakepoolds === false ? [] : await Effect.runPromise(
          startStakepoolds(sim, database, datadir).pipe(Scope.extend(scope), Effect.provide(logger)),
        );
        const port = freePort();
        const conf = {
          ...poolOptions(sim, database, port),
          smtphost: `127.0.0.1:${smtp.port}`,
          smtptls: "none",
          smtpfrom: "pool@pool.example",
          ...(stakepoolds.length === 0 ? {} : {
            enablestakepoold: "1",
            stakepooldhosts: stakepoolds.map((s) => s.address).join(","),
            stakepooldcerts: stakepoolds.map((s) => `${datadir}/stakepoold${s.index}.cert`).join(","),
            controlsecret: Redacted.value(CONTROL_SECRET),
          }),
          ...options.options,
        };
        const config = await Effect.runPromise(poolConfigFromOptions(conf, "", datadir));
        const answers = new Map<string, string>();
        const app: RunningWebApp = await Effect.runPromise(
          startWebApp(config, {
            captcha: { onIssued: (id, digits) => answers.set(id, digits) },
            walletTimeoutMs: 30_000,
            ...options.tuning,
            tickets: { ...FAST_TICKETS, ...options.tuning?.tickets },
          }).pipe(Scope.extend(scope), Effect.provide(logger)),
        );
        const url = `http://${app.address}`;
        await body({
          sim,
          url,
          app,
          database,
          smtp,
          logs,
          stakepoolds,
          client: () => new WebClient(url, (id) => answers.get(id)),
          captchaAnswer: (id) => answers.get(id),
          run: <A, E>(effect: Effect.Effect<A, E, WebServices>) =>
            Effect.runPromise(effect.pipe(Effect.provide(app.context), Effect.provide(logger))),
        });
      } finally {
        await Effect.runPromise(Scope.close(scope, Exit.void));
      }
    });
  } finally {
    await smtp.close();
    await sim.close();
    await Deno.remove(datadir, { recursive: true });
  }
};

// ---- what the tests do as a user, and read from the pages ----

/** The user's own wallet (hcsim's user wallet over its JSON-RPC endpoint), as `hcctl --wallet` would use it. */
export const userWallet = (sim: SimNetwork) => {
  const call = <A, E>(f: (rpc: WalletRpc) => Effect.Effect<A, E>) =>
    Effect.runPromise(
      Effect.scoped(Effect.flatMap(clientFor(sim.endpoints.userWallet), (c) => f(walletRpc(c)))),
    );
  return {
    /** getnewaddress, then validateaddress's pubkeyaddr: what the Address page asks for. */
    newPubKeyAddress: () =>
      call((w) =>
        Effect.flatMap(w.getNewAddress(), (a) => Effect.map(w.validateAddress(a), (v) => v.pubkeyaddr!))
      ),
    newAddress: () => call((w) => w.getNewAddress()),
    /** purchaseticket "default" 1000 1 <ticket address> n <fee address> <fee>, as the tickets page says. */
    buyTickets: (ticketAddress: string, feeAddress: string, poolFees: number, count: number) =>
      call((w) => w.purchaseTicket(["default", 1000, 1, ticketAddress, count, feeAddress, poolFees])),
  };
};

export interface ShownTicket {
  readonly status: string;
  readonly spentBy: string | undefined;
}

/** The ticket rows of a tickets page: hash → shown status and vote txid. */
export const ticketRows = (html: string): ReadonlyMap<string, ShownTicket> =>
  new Map(
    [...html.matchAll(
      /<tr data-ticket="([0-9a-f]{64})" data-status="([a-z]+)"(?: data-spent-by="([0-9a-f]{64})")?/g,
    )]
      .map((m) => [m[1], { status: m[2], spentBy: m[3] }]),
  );

/** Polls `path` until `check` holds for the page (it fails the test after `timeoutMs`). */
export const waitForPage = async (
  client: WebClient,
  path: string,
  check: (page: Page) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<Page> => {
  const deadline = Date.now() + timeoutMs;
  let last: Page | undefined;
  while (Date.now() < deadline) {
    last = await client.get(path);
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out waiting for ${what} on ${path} (last: ${last?.status} ${alertsOf(last?.text ?? "")})`,
  );
};

/**
 * Mining for tests, a block at a time: after each block the pool tickets it selected are voted
 * by every node (or, not in `votable` — ignored low-fee ones — not waited for).
 */
export const miner = (pool: TestPool) => {
  const votable = new Set<string>();
  const sim = pool.sim;
  const votesSettled = Effect.sync(() => {
    const { winners, height } = sim.control.chainState();
    return winners.filter((w) => votable.has(w)).every((w) =>
      sim.control.votes(w).filter((v) => v.blockHeight === height).length >= sim.nodes.length
    );
  });
  const generate = async (blocks: number) => {
    for (let i = 0; i < blocks; i++) {
      sim.control.generate(1);
      await Effect.runPromise(eventually("votes of the block", votesSettled));
    }
  };
  /** Mines until `done` holds; fails after `maxBlocks`. */
  const mineUntil = async (done: () => boolean, what: string, maxBlocks = 300) => {
    for (let i = 0; i <= maxBlocks; i++) {
      if (done()) return;
      await generate(1);
    }
    throw new Error(`not within ${maxBlocks} blocks: ${what}`);
  };
  /** Mines until one of `tickets` was selected after block `after` and its vote mined; returns it. */
  const mineUntilVoted = async (tickets: ReadonlyArray<string>, after = 0) => {
    const voted = () =>
      sim.control.tickets().find((t) =>
        tickets.includes(t.ticket) && t.status === "voted" &&
        sim.control.votes(t.ticket).some((v) => v.blockHeight > after)
      );
    await mineUntil(() => voted() !== undefined, `a vote for one of ${tickets.length} tickets`);
    return voted()!.ticket;
  };
  return { votable, generate, mineUntil, mineUntilVoted };
};
