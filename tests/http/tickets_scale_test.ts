// The tickets page of a user with 50 000 tickets (seeded into hcsim's voting wallets as the sim
// load benchmark does): the first view reads the wallets once, every later view — overview,
// deep pages, either order — is served from the ticket view without a single wallet call.
// Wallet calls are counted where hcsim's wallets answer them.
import assert from "node:assert/strict";
import { Effect, Either, Option } from "effect";
import { addressHash160, decodeAddressForNet } from "../../src/domain/address.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { buildTicket, DEFAULT_TICKET_FEE_LIMITS } from "../../src/domain/stake.ts";
import { txFromHex, txToHex } from "../../src/domain/tx.ts";
import { syntheticInput } from "../../src/sim/chain.ts";
import type { SimNetwork } from "../../src/sim/network.ts";
import type { SimWallet } from "../../src/sim/wallet.ts";
import { Users } from "../../src/storage/users.ts";
import { signUpAndSignIn } from "./support.ts";
import { ticketRows, userWallet, withPool } from "./pool_support.ts";

const TICKETS = 50_000;

/** Counts every call of every method of the voting wallets, by method name. */
const countWalletCalls = (wallets: ReadonlyArray<SimWallet>) => {
  const counts = new Map<string, number>();
  for (const wallet of wallets) {
    const proto = Object.getPrototypeOf(wallet);
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method = Object.getOwnPropertyDescriptor(proto, name)?.value;
      if (name === "constructor" || typeof method !== "function") continue;
      Object.defineProperty(wallet, name, {
        configurable: true,
        value: (...args: Array<unknown>) => {
          counts.set(name, (counts.get(name) ?? 0) + 1);
          return method.apply(wallet, args);
        },
      });
    }
  }
  return counts;
};

/** `count` tickets voting with the user's ticket address, given to every voting wallet (addticket). */
const seedTickets = (sim: SimNetwork, ticketAddress: string, count: number) => {
  const address = Either.getOrThrow(decodeAddressForNet(ticketAddress, NETWORKS[sim.endpoints.net]));
  const hash160 = addressHash160(address);
  for (let i = 0; i < count; i++) {
    const hex = txToHex(buildTicket({
      inputs: [syntheticInput(`scale test ${i}`, 20_000n)],
      votingDest: { kind: "scripthash", hash160 },
      price: 20_000n,
      commitments: [{
        hash160,
        isP2SH: true,
        sigType: 0,
        amount: 20_000n,
        feeLimits: DEFAULT_TICKET_FEE_LIMITS,
      }],
    }));
    Either.getOrThrow(sim.chain.submit(Either.getOrThrow(txFromHex(hex))));
    for (const node of sim.nodes) node.wallet.addTicket(hex);
  }
};

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

Deno.test("a user with 50 000 tickets: one wallet read builds the view, every page after it calls no wallet", async () => {
  await withPool({
    stakepoolds: false,
    // The view is not read again on its own during the test (no age limit, no tip polls to count).
    tuning: { tickets: { maxAge: "1 hour", tipInterval: "1 hour" } },
  }, async (pool) => {
    const alice = pool.client();
    await signUpAndSignIn(pool, alice, "alice@example.test", "alice password 1");
    const posted = await alice.submit("/address", {
      UserPubKeyAddr: await userWallet(pool.sim).newPubKeyAddress(),
    });
    assert.equal(posted.location, "/tickets");
    // Not followed: the view is built on the first tickets page, after the seeding.
    const user = await pool.run(Effect.flatMap(Users, (users) => users.byId(1)));
    const ticketAddress = Option.getOrThrow(user).MultiSigAddress;
    seedTickets(pool.sim, ticketAddress, TICKETS);

    const calls = countWalletCalls(pool.sim.nodes.map((n) => n.wallet));
    const buildStarted = performance.now();
    const first = await alice.get("/tickets");
    const buildMs = performance.now() - buildStarted;
    assert.equal(first.status, 200);
    assert.match(first.text, /Live and immature tickets <span class="count">50,000<\/span>/);
    // The build: stakepooluserinfo once on each voting wallet (compared), nothing else per ticket.
    assert.deepEqual(Object.fromEntries(calls), { stakePoolUserInfo: pool.sim.nodes.length });
    calls.clear();

    const paths = [
      "/tickets",
      "/tickets?section=live",
      "/tickets?section=live&page=2",
      "/tickets?section=live&page=1000",
      "/tickets?section=live&page=500&order=oldest",
      "/tickets?section=voted",
      "/tickets?section=invalid",
    ];
    const times: Array<number> = [];
    for (let round = 0; round < 5; round++) {
      for (const path of paths) {
        const started = performance.now();
        const page = await alice.get(path);
        times.push(performance.now() - started);
        assert.equal(page.status, 200, path);
      }
    }
    assert.deepEqual(Object.fromEntries(calls), {});

    // Paging reaches every ticket: 1000 pages of 50, the last one the oldest.
    const last = await alice.get("/tickets?section=live&page=1000");
    const oldest = await alice.get("/tickets?section=live&page=1&order=oldest");
    assert.match(last.text, /Page 1,000 of 1,000/);
    assert.equal(ticketRows(last.text).size, 50);
    assert.deepEqual([...ticketRows(last.text).keys()].reverse(), [...ticketRows(oldest.text).keys()]);
    console.log(
      `tickets page, ${TICKETS} tickets: first view (3 wallet reads) ${buildMs.toFixed(0)} ms; ` +
        `${times.length} views after it over HTTP: median ${median(times).toFixed(1)} ms, max ${
          Math.max(...times).toFixed(1)
        } ms`,
    );
  });
});
