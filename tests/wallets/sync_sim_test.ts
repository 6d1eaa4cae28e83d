// Startup sync against hcsim: one wallet missing 1 000 scripts (and with them every ticket), one
// missing 5 000+ tickets whose scripts it holds; the sync repairs both and a second run repairs
// nothing. hcsim's wallets rescan as hcwallet does (after the call, one at a time, others dropped),
// and only a wallet's own transactions let it vote: each test checks the wallets can vote. A wallet
// that has not reached the newest block is never asked to rescan from it.
import assert from "node:assert/strict";
import { Effect } from "effect";
import { toHex } from "../../src/domain/bytes.ts";
import { repairCount, type SyncProgress, syncWallets } from "../../src/wallets/wallet_sync.ts";
import type { LocalRegistration } from "../../src/wallets/address_registration.ts";
import { pendingText } from "../../src/wallets/reconciler.ts";
import {
  decoratedPoolLayer,
  DRIFTED_POOL_OPTIONS,
  poolLayer,
  registerDriftedUsers,
  type SimPool,
  unreachable,
  type WalletDecorator,
  withSimPool,
} from "./support.ts";

const SCRIPTS = 1_000;
const TICKETS = 5_000;

Deno.test("startup sync repairs a wallet missing 1000 scripts and one missing 5000 tickets; a second run repairs nothing", () =>
  withSimPool(DRIFTED_POOL_OPTIONS, async (pool) => {
    const registrations = await registerDriftedUsers(pool, SCRIPTS, TICKETS);
    const [first, second, third] = pool.sim.nodes.map((n) => n.wallet);
    const tickets = new Set(first.getTickets(true));
    assert.ok(tickets.size >= TICKETS, `${tickets.size} unspent tickets`);
    assert.equal(second.getTickets(true).length, 0);
    assert.equal(third.listScripts().length, 0);

    const progress: Array<SyncProgress> = [];
    const { firstRun, secondRun } = await Effect.gen(function* () {
      const onProgress = (p: SyncProgress) => Effect.sync(() => progress.push(p));
      const firstRun = yield* syncWallets({ resetVoteBits: true, onProgress });
      const secondRun = yield* syncWallets({ resetVoteBits: true });
      return { firstRun, secondRun };
    }).pipe(Effect.provide(poolLayer(pool, 2)), Effect.runPromise);

    assert.deepEqual(firstRun.problems, []);
    assert.deepEqual(firstRun.skipped, []);
    assert.equal(firstRun.scripts, SCRIPTS);
    assert.equal(firstRun.tickets, tickets.size);
    assert.deepEqual(firstRun.repaired.map((r) => r.scriptsImported), [0, 0, SCRIPTS]);
    // Wallets 2 and 3 each rescanned once, and now hold every ticket among their transactions.
    assert.deepEqual(firstRun.repaired.map((r) => r.ticketsAdded), [0, tickets.size, tickets.size]);
    const scripts = new Set(registrations.map((r) => r.redeemScript));
    for (const w of [first, second, third]) {
      assert.deepEqual(new Set(w.listScripts().map((s) => s.redeemscript)), scripts, w.name);
      assert.deepEqual(new Set(w.getTickets(true)), tickets, w.name);
      assert.ok([...tickets].every((t) => w.storedTx(t) !== undefined), `${w.name} can vote each`);
    }
    const last = (phase: SyncProgress["phase"]) => progress.filter((p) => p.phase === phase).at(-1);
    assert.deepEqual([last("scripts")?.done, last("scripts")?.total], [SCRIPTS, SCRIPTS]);
    // Wallet 1's tickets checked where it lists them, and looked up for wallets 2 and 3.
    assert.deepEqual([last("tickets")?.done, last("tickets")?.total], [3 * tickets.size, 3 * tickets.size]);
    assert.deepEqual([last("rescans")?.done, last("rescans")?.total], [2, 2]);
    assert.ok(progress.every((p) => p.perSecond > 0));

    assert.equal(repairCount(secondRun), 0);
    assert.deepEqual(secondRun.problems, []);
    assert.equal(secondRun.voteBitsReset, 0);
  }));

Deno.test("a wallet that goes away between the script and ticket phases: each wallet's repairs are reported under its own name", () =>
  withSimPool({}, async (pool) => {
    // Scripts on wallets 1 and 2, none on wallet 3; wallet 2 then stops answering gettickets.
    const [registration] = await registerDriftedUsers(pool, 1, 0);
    const decorate: WalletDecorator = (w) => w.name === "wallet 2" ? unreachable(w, "getTickets") : w;
    const summary = await syncWallets({ resetVoteBits: false }).pipe(
      Effect.provide(decoratedPoolLayer(pool, 2, decorate)),
      Effect.runPromise,
    );
    assert.deepEqual(
      summary.repaired.map((r) => [r.wallet, r.scriptsImported]),
      [["wallet 1", 0], ["wallet 2", 0], ["wallet 3", 1]],
    );
    assert.deepEqual(summary.skipped.map((s) => s.wallet), ["wallet 2"]);
    assert.ok(
      pool.sim.nodes[2].wallet.listScripts().some((s) => s.redeemscript === registration.redeemScript),
    );
  }));

Deno.test("a wallet restored from the seed lacks several users' scripts and their tickets: after the sync every wallet holds every pool ticket it lists, though hcwallet runs one rescan at a time", () =>
  // A rescan from the users' registration takes about 3 s (3 blocks at 1 s), and hcwallet drops
  // any other rescan asked for meanwhile (importscript's or rescanwallet's).
  withSimPool({ rescanMsPerBlock: 1000 }, async (pool) => {
    await registerDriftedUsers(pool, 4, 8);
    const wallets = pool.sim.nodes.map((n) => n.wallet);
    const tickets = new Set(wallets[0].getTickets(true));
    const summary = await syncWallets({ resetVoteBits: true }).pipe(
      Effect.provide(poolLayer(pool, 2)),
      Effect.runPromise,
    );
    assert.deepEqual(summary.problems, []);
    for (const w of wallets) {
      assert.deepEqual(new Set(w.getTickets(true)), tickets, w.name);
      const unvotable = [...tickets].filter((t) => w.storedTx(t) === undefined);
      assert.deepEqual(
        unvotable,
        [],
        `${w.name}: listed tickets it cannot vote (not among its transactions)`,
      );
    }
  }));

Deno.test("tickets an older sync's addticket left listed but not votable are repaired at start, not in a reconciler round", () =>
  withSimPool({}, async (pool) => {
    await registerDriftedUsers(pool, 2, 4);
    const wallets = pool.sim.nodes.map((n) => n.wallet);
    const [first, second, third] = wallets;
    const tickets = first.getTickets(true);
    // What the old sync did: scripts imported without a rescan, tickets given by addticket.
    for (const s of first.listScripts()) third.importScript(s.redeemscript, false, 0);
    for (const t of tickets) {
      for (const w of [second, third]) w.addTicket(toHex(pool.sim.chain.tx(t)!.bytes));
    }
    const unvotable = (w: typeof first) => tickets.filter((t) => w.storedTx(t) === undefined);
    for (const w of [second, third]) {
      assert.deepEqual(new Set(w.getTickets(true)), new Set(tickets), `${w.name} lists them`);
      assert.equal(unvotable(w).length, tickets.length, `${w.name} cannot vote them`);
    }

    const run = (resetVoteBits: boolean) =>
      syncWallets({ resetVoteBits }).pipe(Effect.provide(poolLayer(pool, 2)), Effect.runPromise);
    const round = await run(false);
    assert.equal(repairCount(round), 0, "a round does not check what each wallet lists");
    const startup = await run(true);
    assert.deepEqual(startup.problems, []);
    assert.deepEqual(startup.repaired.map((r) => r.ticketsAdded), [0, tickets.length, tickets.length]);
    for (const w of wallets) assert.deepEqual(unvotable(w), [], w.name);
  }));

Deno.test("a rescan hcwallet dropped because another was running is asked for again; the wallet then holds every ticket", () =>
  withSimPool({}, async (pool) => {
    await registerDriftedUsers(pool, 1, 3);
    const wallets = pool.sim.nodes.map((n) => n.wallet);
    const third = wallets[2];
    const tickets = wallets[0].getTickets(true);
    // Someone else's rescan of the whole chain (about 2 s) starts just before the sync asks for its own.
    third.rescanMsPerBlock = 2000 / (pool.sim.chain.height + 1);
    let competing: Promise<void> | undefined;
    const sawRunning: Array<boolean> = [];
    const competingRescan: WalletDecorator = (w) =>
      w.name !== "wallet 3" ? w : {
        ...w,
        rpc: {
          ...w.rpc,
          rescanWallet: (from) =>
            Effect.suspend(() => {
              competing ??= third.rescan(0);
              sawRunning.push(third.isRescanning);
              return w.rpc.rescanWallet(from);
            }),
        },
      };
    const summary = await syncWallets({ resetVoteBits: true }).pipe(
      Effect.provide(decoratedPoolLayer(pool, 2, competingRescan)),
      Effect.runPromise,
    );
    await competing;
    assert.deepEqual(sawRunning, [true, false], "dropped once, then asked again after the other ended");
    assert.deepEqual(summary.problems, []);
    assert.deepEqual(summary.repaired.map((r) => r.ticketsAdded), [0, tickets.length, tickets.length]);
    for (const w of wallets) assert.deepEqual(tickets.filter((t) => w.storedTx(t) === undefined), [], w.name);
  }));

/** Buys `n` tickets to `r`'s script and mines them; returns their hashes. */
const buyAndMine = (pool: SimPool, r: LocalRegistration, n: number) => {
  const bought = pool.sim.userWallet.purchaseTicket({
    spendLimit: 1e9,
    ticketAddress: r.multisigAddress,
    numTickets: n,
    poolAddress: r.feeAddress,
    poolFees: 7.5,
  });
  pool.sim.control.generate(1);
  return bought;
};

/** The sim wallet behind the pool's "wallet N" (the pool numbers its wallets from 1, hcsim from 0). */
const simWallet = (pool: SimPool, name: string) =>
  pool.sim.nodes[Number(name.slice("wallet ".length)) - 1].wallet;

/** Each wallet's rescanwallet calls: where from, their deadline, and the wallet's best block then. */
const recordingRescans = (pool: SimPool, seen: Array<[string, number, number | undefined, number]>) =>
  ((w) => ({
    ...w,
    rpc: {
      ...w.rpc,
      rescanWallet: (from, call) =>
        Effect.suspend(() => {
          seen.push([w.name, from ?? 0, call?.timeoutMs, simWallet(pool, w.name).bestHeight]);
          return w.rpc.rescanWallet(from, call);
        }),
    },
  })) satisfies WalletDecorator;

Deno.test("a round while a block reaches one wallet late: no rescan from above its best block, no problem; its tickets there are its own once it catches up", () =>
  withSimPool({}, async (pool) => {
    // One user: wallet 2 holds the script without its tickets, wallet 3 gets it without a rescan.
    const [registration] = await registerDriftedUsers(pool, 1, 2);
    const wallets = pool.sim.nodes.map((n) => n.wallet);
    const third = wallets[2];
    third.importScript(registration.redeemScript, false, 0);
    const older = wallets[0].getTickets(true);
    await pool.sim.control.setFaults(2, { walletBehind: true });
    const newer = buyAndMine(pool, registration, 2);
    assert.equal(third.bestHeight, pool.sim.chain.height - 1);

    const rescans: Array<[string, number, number | undefined, number]> = [];
    const round = await syncWallets({ resetVoteBits: false, rescanDeadline: "45 minutes" }).pipe(
      Effect.provide(decoratedPoolLayer(pool, 2, recordingRescans(pool, rescans))),
      Effect.runPromise,
    );
    assert.deepEqual(round.problems, []);
    for (const [wallet, from, , bestHeight] of rescans) {
      assert.ok(
        from <= bestHeight,
        `${wallet} asked to rescan from ${from}, above its best block ${bestHeight}`,
      );
    }
    assert.ok(rescans.every(([, , deadline]) => deadline === 45 * 60_000), "the rescan's own deadline");
    const [, second, late] = round.repaired;
    assert.deepEqual([second.ticketsAdded, second.ticketsPending], [older.length, 0]);
    // Wallet 3 rescanned for the older tickets; the newer ones are in the block it had not reached.
    assert.deepEqual([late.ticketsAdded, late.ticketsPending], [older.length, newer.length]);
    // The sync's and the reconciler's log lines say so, not as a problem.
    assert.equal(pendingText(round), `wallet 3: ${newer.length} ticket(s) in blocks it had not reached`);

    await pool.sim.control.setFaults(2, { walletBehind: false });
    for (const t of [...older, ...newer]) assert.ok(third.storedTx(t) !== undefined, `wallet 3 holds ${t}`);
    const next = await syncWallets({ resetVoteBits: false }).pipe(
      Effect.provide(poolLayer(pool, 2)),
      Effect.runPromise,
    );
    assert.deepEqual(next.problems, []);
    assert.equal(repairCount(next), 0);
    assert.deepEqual(next.repaired.map((r) => r.ticketsPending), [0, 0, 0]);
    assert.equal(pendingText(next), "none");
  }));

Deno.test("hcwallet's -4 'No main chain block for height' (its best block went back after it was read) leaves the tickets to the next round, not a problem", () =>
  withSimPool({}, async (pool) => {
    const [registration] = await registerDriftedUsers(pool, 1, 0);
    const third = pool.sim.nodes[2].wallet;
    third.importScript(registration.redeemScript, false, 0);
    await pool.sim.control.setFaults(2, { walletBehind: true });
    const newer = buyAndMine(pool, registration, 1);
    // Wallet 3 reports the tip it had before a reorganization took it back.
    const staleTip: WalletDecorator = (w) =>
      w.name !== "wallet 3" ? w : {
        ...w,
        rpc: {
          ...w.rpc,
          getBestBlock: () => Effect.map(w.rpc.getBestBlock(), (b) => ({ ...b, height: b.height + 1 })),
        },
      };
    const rescans: Array<[string, number, number | undefined, number]> = [];
    const round = await syncWallets({ resetVoteBits: false }).pipe(
      Effect.provide(decoratedPoolLayer(pool, 2, (w) => recordingRescans(pool, rescans)(staleTip(w)))),
      Effect.runPromise,
    );
    assert.deepEqual(rescans.map(([wallet, from]) => [wallet, from]), [["wallet 3", pool.sim.chain.height]]);
    assert.equal(rescans[0][2], 30 * 60_000, "the default rescan deadline");
    assert.deepEqual(round.problems, []);
    assert.deepEqual(
      round.repaired.map((r) => [r.wallet, r.ticketsPending, r.rescannedFrom]),
      [["wallet 1", 0, undefined], ["wallet 2", 0, undefined], ["wallet 3", newer.length, undefined]],
    );
  }));
