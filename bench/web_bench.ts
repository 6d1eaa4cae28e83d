// The web app's pages under load from a separate process (bench/http_load.ts, loopback, bounded
// in time), the app started as `hcstakepool serve` starts it (tests/http/pool_support.ts: hcsim's
// 3 voting wallets, MariaDB when it answers, an SMTP sink):
//  - /tickets of a user with 50 000 tickets (the original took 39 s there, dcrstakepool#402):
//    one request at a time, so each one's time is the server's, over the first pages, deep pages
//    and both orders, after the first view has built the user's ticket view;
//  - / and /stats requests/s against a bare Hono handler served by Deno.serve in this process
//    that answers the very same bytes;
//  - sign-ups through the form (GET, then POST with a new email; captcha off, limits lifted) at
//    bcrypt cost 12, each checked stored, next to the rate this process hashes at with nothing
//    else to do (the app hashes on its one thread too, so that rate bounds it).
import bcrypt from "bcryptjs";
import { Effect, Either, Option } from "effect";
import { Hono } from "hono";
import { BCRYPT_COST } from "../src/accounts/passwords.ts";
import { addressHash160, decodeAddressForNet } from "../src/domain/address.ts";
import { NETWORKS } from "../src/domain/params.ts";
import { txToHex } from "../src/domain/tx.ts";
import type { SimNetwork } from "../src/sim/network.ts";
import { Users } from "../src/storage/users.ts";
import { signUpAndSignIn } from "../tests/http/support.ts";
import { userWallet, withPool } from "../tests/http/pool_support.ts";
import { mysqlIgnored } from "../tests/support/mysql.ts";
import { poolTicketBuilder } from "./pool_tickets.ts";
import { spawnDeno } from "../tests/faults/processes.ts";

const TICKETS = 50_000;
const TICKETS_PAGE_SECONDS = 15;
const THROUGHPUT_SECONDS = 6;
const THROUGHPUT_CONNECTIONS = 8;
const SIGNUP_SECONDS = 12;
const POOL_FEES = 7.5;
const PAGES_OF_TICKETS = [
  "/tickets",
  "/tickets?section=live",
  "/tickets?section=live&page=2",
  "/tickets?section=live&page=1000",
  "/tickets?section=live&page=500&order=oldest",
];

export interface LoadReport {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly statuses: Readonly<Record<string, number>>;
}

export interface Throughput {
  readonly rps: number;
  readonly bareRps: number;
  readonly ratio: number;
}

export interface WebFigures {
  readonly ticketsPage: {
    readonly tickets: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly firstViewMs: number;
    readonly requests: number;
  };
  readonly statsThroughput: Throughput;
  readonly homeThroughput: Throughput;
  readonly signup: { readonly rps: number; readonly bareHashRps: number; readonly bcryptCost: number };
}

/** Runs bench/http_load.ts and reads its report; every answer must have `status`. */
const load = async (args: ReadonlyArray<string>, status: number): Promise<LoadReport> => {
  const p = spawnDeno("load", ["bench/http_load.ts", ...args]);
  const code = await p.exited;
  const report = p.lines.find((l) => l.startsWith("{"));
  if (code !== 0 || report === undefined) {
    throw new Error(`load ${args[0]} ${args[1]}: ${p.lines.join("\n")}`);
  }
  const r: LoadReport = JSON.parse(report);
  const others = Object.entries(r.statuses).filter(([s]) => Number(s) !== status);
  if (others.length > 0 || r.requests === 0) {
    throw new Error(`load ${args[1]}: answers ${JSON.stringify(r.statuses)}, expected only ${status}`);
  }
  return r;
};

/** `count` tickets of the user with this ticket address, given to every voting wallet (addticket). */
const seedTickets = (sim: SimNetwork, ticketAddress: string, script: Uint8Array, count: number) => {
  const net = NETWORKS[sim.endpoints.net];
  const hash = addressHash160(Either.getOrThrow(decodeAddressForNet(ticketAddress, net)));
  const build = poolTicketBuilder(net, {
    price: sim.chain.nextStakeDiff,
    height: sim.chain.height,
    poolFees: POOL_FEES,
    label: "web bench",
  });
  for (let i = 0; i < count; i++) {
    const tx = build({ script, rewardHash160: hash, feeHash160: hash });
    Either.getOrThrow(sim.chain.submit(tx));
    const hex = txToHex(tx);
    for (const node of sim.nodes) node.wallet.addTicket(hex);
  }
};

/** Hashes at bcrypt's cost for `seconds` with nothing else running here; hashes per second. */
const bareHashRate = async (seconds: number) => {
  const started = performance.now();
  let hashes = 0;
  while (performance.now() - started < seconds * 1000) {
    await bcrypt.hash("bench password 1", BCRYPT_COST);
    hashes++;
  }
  return hashes / ((performance.now() - started) / 1000);
};

export const webBenchmarks = (): Promise<WebFigures> => {
  let figures: WebFigures | undefined;
  return withPool({
    store: mysqlIgnored() ? "embedded" : "mysql",
    stakepoolds: false,
    options: { nocaptcha: "1" },
    tuning: {
      // Nothing reads the wallets on its own while the pages are measured.
      tickets: { maxAge: "1 hour", tipInterval: "1 hour" },
      reconcileInterval: "1 hour",
      rateRules: {
        "signup:ip": { points: 1_000_000, seconds: 1 },
        "captcha:ip": { points: 1_000_000, seconds: 1 },
      },
    },
  }, async (pool) => {
    const alice = pool.client();
    await signUpAndSignIn(pool, alice, "alice@bench.test", "alice password 1");
    const posted = await alice.submit("/address", {
      UserPubKeyAddr: await userWallet(pool.sim).newPubKeyAddress(),
    });
    if (posted.location !== "/tickets") throw new Error(`address not taken: ${posted.status}`);
    const user = Option.getOrThrow(await pool.run(Effect.flatMap(Users, (users) => users.byId(1))));
    seedTickets(
      pool.sim,
      user.MultiSigAddress,
      Uint8Array.from(user.MultiSigScript.match(/../g)!.map((b) => parseInt(b, 16))),
      TICKETS,
    );
    const firstStarted = performance.now();
    const first = await alice.get("/tickets");
    const firstViewMs = performance.now() - firstStarted;
    if (!first.text.includes("50,000")) throw new Error("the tickets page does not show 50,000 tickets");
    const cookie = [...alice.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const tickets = await load(
      ["get", `${pool.url}/tickets`, "1", String(TICKETS_PAGE_SECONDS), cookie, ...PAGES_OF_TICKETS],
      200,
    );

    // The bare handler answers what the app answers, byte for byte.
    const bodies = new Map<string, string>();
    for (const path of ["/", "/stats"]) {
      const page = await fetch(`${pool.url}${path}`);
      bodies.set(path, await page.text());
    }
    const bare = new Hono();
    bare.get("*", (c) => c.html(bodies.get(c.req.path) ?? ""));
    const bareServer = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, bare.fetch);
    const bareUrl = `http://127.0.0.1:${bareServer.addr.port}`;
    const throughput = async (path: string): Promise<Throughput> => {
      const args = (
        url: string,
      ) => ["get", `${url}${path}`, String(THROUGHPUT_CONNECTIONS), String(THROUGHPUT_SECONDS)];
      const bareRps = (await load(args(bareUrl), 200)).rps;
      const rps = (await load(args(pool.url), 200)).rps;
      return { rps, bareRps, ratio: rps / bareRps };
    };
    let homeThroughput, statsThroughput;
    try {
      homeThroughput = await throughput("/");
      statsThroughput = await throughput("/stats");
    } finally {
      await bareServer.shutdown();
    }

    // The hash rate is taken just before and just after the sign-ups, so a change in the
    // machine's other load during the run weighs on both figures alike.
    const hashesBefore = await bareHashRate(SIGNUP_SECONDS / 2);
    const countUsers = () => pool.run(Effect.flatMap(Users, (users) => users.count));
    const usersBefore = await countUsers();
    const signups = await load(["signup", pool.url, "4", String(SIGNUP_SECONDS)], 200);
    // A refused sign-up is a 200 page too: only accounts stored count.
    const stored = await countUsers() - usersBefore;
    if (stored !== signups.requests) {
      throw new Error(`${signups.requests} sign-ups answered but ${stored} accounts stored`);
    }
    const bareHashRps = (hashesBefore + await bareHashRate(SIGNUP_SECONDS / 2)) / 2;
    figures = {
      ticketsPage: {
        tickets: TICKETS,
        p50Ms: tickets.p50Ms,
        p99Ms: tickets.p99Ms,
        firstViewMs,
        requests: tickets.requests,
      },
      statsThroughput,
      homeThroughput,
      signup: { rps: signups.rps, bareHashRps, bcryptCost: BCRYPT_COST },
    };
  }).then(() => figures!);
};

if (import.meta.main) console.log(await webBenchmarks());
