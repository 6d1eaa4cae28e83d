// The whole pool under test for the pool's own pages (issue 12): support.ts's web app (an hcsim
// network of 3 voting nodes, a fresh database on the chosen store, an SMTP sink) with one
// stakepoold per node voting from that database, started before the app and given to it with
// enablestakepoold — so the tickets page is fed by the real ticket-event websockets.
import { Effect, Redacted } from "effect";
import type { WebAppTuning } from "../../src/cli/serve.ts";
import type { SimNetwork, SimNetworkOptions } from "../../src/sim/network.ts";
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
  type StoreKind,
  type TestWebApp,
  type WebClient,
  withWebApp,
} from "./support.ts";

export interface PoolOptions {
  readonly store?: StoreKind;
  /** Start a stakepoold per voting node (default true). */
  readonly stakepoolds?: boolean;
  /** hcstakepool.conf options added or replaced. */
  readonly options?: Readonly<Record<string, string>>;
  /** The app's tuning (the captcha is the harness's); the ticket view's defaults to FAST_TICKETS. */
  readonly tuning?: Omit<WebAppTuning, "captcha">;
  readonly network?: Partial<SimNetworkOptions>;
  /** Runs before the web app starts (e.g. to load the wallets with tickets). */
  readonly prepare?: (sim: SimNetwork) => void | Promise<void>;
  readonly showLog?: boolean;
}

export interface TestPool extends TestWebApp {
  readonly stakepoolds: ReadonlyArray<RunningStakepoold>;
}

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
  let stakepoolds: ReadonlyArray<RunningStakepoold> = [];
  const { rateRules, ...tuning } = options.tuning ?? {};
  await withWebApp({
    store: options.store,
    options: options.options,
    network: options.network,
    prepare: options.prepare,
    showLog: options.showLog,
    rateRules,
    tuning: { ...tuning, tickets: { ...FAST_TICKETS, ...tuning.tickets } },
    beforeStart: async ({ sim, database, datadir, runScoped }): Promise<Record<string, string>> => {
      if (options.stakepoolds === false) return {};
      stakepoolds = await runScoped(startStakepoolds(sim, database, datadir));
      return {
        enablestakepoold: "1",
        stakepooldhosts: stakepoolds.map((s) => s.address).join(","),
        stakepooldcerts: stakepoolds.map((s) => `${datadir}/stakepoold${s.index}.cert`).join(","),
        controlsecret: Redacted.value(CONTROL_SECRET),
      };
    },
  }, (web) => body({ ...web, stakepoolds }));
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

/**
 * How long a test waits for a state of the pool: minutes, as a loaded 2-core machine may need; a
 * wait ends as soon as the state is there.
 */
const STATE_DEADLINE_MS = 120_000;

/** Polls `path` until `check` holds for the page (it fails the test after `timeoutMs`). */
export const waitForPage = async (
  client: WebClient,
  path: string,
  check: (page: Page) => boolean,
  what: string,
  timeoutMs = STATE_DEADLINE_MS,
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
      await Effect.runPromise(eventually("votes of the block", votesSettled, STATE_DEADLINE_MS));
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
