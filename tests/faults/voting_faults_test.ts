// Faults at vote time on a 3-node hcsim network with a pool of 24 tickets (8 users): a voting
// wallet down, reorganizations of the tip, and SIGTERM to a stakepoold — a process of its own, as
// an operator runs it — while its votes are in flight. After each: every pool ticket any
// main-chain block drew is voted, in the next block, exactly once; no two different votes were
// sent for one ticket and block (the nodes vote alike); no pool ticket missed or left the
// stakepoolds' live sets without being spent.
import assert from "node:assert/strict";
import { Effect, Redacted } from "effect";
import { ControlApi } from "../../src/rpc/stakepoold_protocol.ts";
import type { SimNetwork } from "../../src/sim/network.ts";
import { makeStakepooldControlClient } from "../../src/rpc/stakepoold_client.ts";
import {
  buyPoolTickets,
  CONTROL_SECRET,
  eventually,
  POOL_FEES,
  registerUsers,
  type RunningStakepoold,
  startStakepoolds,
  withStakepooldSetup,
} from "../stakepoold/support.ts";
import { spawnDeno } from "./processes.ts";
import { freePort } from "../demo/support.ts";
import { stakepooldConf } from "./stakepoold_process.ts";

const NETWORK = { nodes: 3, backgroundTickets: 8, feeAddressCount: 50, userFunds: 10n ** 14n };
const USERS = 8;
const TICKETS_PER_USER = 3;
/** Blocks a fault is given to meet the pool tickets it needs (5 of ~32 live are drawn per block). */
const MAX_BLOCKS = 80;

interface Drawn {
  readonly hash: string;
  readonly height: number;
  readonly tickets: ReadonlyArray<string>;
}

/** Users with their tickets bought and mined (immature: no block draws them yet): the pool's tickets. */
const poolWithTickets = (network: SimNetwork) =>
  Effect.gen(function* () {
    const { users, userWallet } = yield* registerUsers(
      network,
      Array.from({ length: USERS }, () => ({ voteBits: 5, voteBitsVersion: 7 })),
    );
    const tickets = new Set<string>();
    for (const u of users) {
      for (const t of yield* buyPoolTickets(userWallet, u, TICKETS_PER_USER)) tickets.add(t);
    }
    network.control.generate(2);
    return tickets;
  });

/** Mines until the pool's tickets are live, each block's pool winners voted before the next. */
const mature = (network: SimNetwork, pool: ReadonlySet<string>, drawn: Array<Drawn>) =>
  Effect.gen(function* () {
    for (let i = 0; i < network.chain.net.ticketMaturity; i++) {
      yield* voted(network, mine(network, pool, drawn));
    }
  });

/** The chain's live pool tickets. */
const livePool = (network: SimNetwork, pool: ReadonlySet<string>) =>
  new Set(
    network.control.tickets().filter((t) => t.status === "live" && pool.has(t.ticket)).map((t) => t.ticket),
  );

/** Mines a block and notes the pool tickets it drew. */
const mine = (network: SimNetwork, pool: ReadonlySet<string>, drawn: Array<Drawn>): Drawn => {
  network.control.generate(1);
  const { hash, height, winners } = network.control.chainState();
  const d = { hash, height, tickets: winners.filter((t) => pool.has(t)) };
  drawn.push(d);
  return d;
};

/** Waits until hcd accepted (or already had) a vote on `d`'s block for each of its pool tickets. */
const voted = (network: SimNetwork, d: Drawn, timeoutMs = 20_000) =>
  eventually(
    `votes on block ${d.height}`,
    Effect.sync(() =>
      d.tickets.every((t) =>
        network.control.votes(t).some((v) => v.blockHash === d.hash && v.outcome !== "rejected")
      )
    ),
    timeoutMs,
  );

/** The invariants every fault must leave intact. */
const assertNothingLostOrDuplicated = (
  network: SimNetwork,
  pool: ReadonlySet<string>,
  drawn: ReadonlyArray<Drawn>,
) => {
  const chain = network.chain;
  const statuses = new Map(network.control.tickets().map((t) => [t.ticket, t]));
  for (const d of drawn) {
    if (chain.blockAt(d.height)?.hash !== d.hash || d.height === chain.height) continue;
    for (const t of d.tickets) {
      const s = statuses.get(t)!;
      assert.equal(s.status, "voted", `${t} drawn at ${d.height}`);
      assert.equal(s.spentByHeight, d.height + 1, `${t} voted in the next block`);
    }
  }
  for (const t of pool) {
    assert.notEqual(statuses.get(t)?.status, "missed", `pool ticket ${t} missed`);
    // Every node votes alike: one vote transaction per ticket and block, however many sent it.
    const byBlock = new Map<string, Set<string>>();
    for (const v of network.control.votes(t)) {
      byBlock.set(v.blockHash, new Set([...(byBlock.get(v.blockHash) ?? []), v.txid]));
    }
    for (const [block, txids] of byBlock) {
      assert.equal(txids.size, 1, `${t}: ${txids.size} votes on ${block}`);
    }
  }
};

/** Each stakepoold's live set is the chain's live pool tickets: none lost, none kept after spending. */
const liveSetsWhole = (
  network: SimNetwork,
  pool: ReadonlySet<string>,
  spds: ReadonlyArray<RunningStakepoold>,
) =>
  eventually(
    "every stakepoold's live set is the chain's live pool tickets",
    Effect.gen(function* () {
      const live = livePool(network, pool);
      for (const s of spds) {
        const held = (yield* s.control.call(ControlApi.getLiveTickets, {})).tickets.map((t) => t.TicketHash);
        if (held.length !== live.size || !held.every((t) => live.has(t))) return false;
      }
      return true;
    }),
    20_000,
  );

Deno.test("a voting wallet down at vote time: the other nodes vote every winner once; back up, its node holds every ticket", () =>
  withStakepooldSetup({ network: NETWORK }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      const pool = yield* poolWithTickets(network);
      const spds = yield* startStakepoolds(network, database, dir, { resyncInterval: "2 seconds" });
      const drawn: Array<Drawn> = [];
      yield* mature(network, pool, drawn);
      yield* liveSetsWhole(network, pool, spds);
      yield* Effect.promise(() => network.control.setFaults(1, { walletDown: true }));
      let whileDown = 0;
      for (let i = 0; i < MAX_BLOCKS && whileDown < 3; i++) {
        const d = mine(network, pool, drawn);
        whileDown += d.tickets.length;
        yield* voted(network, d);
      }
      assert.ok(whileDown >= 3, `${whileDown} pool tickets drawn while the wallet was down`);
      yield* Effect.promise(() => network.control.clearFaults(1));
      yield* eventually(
        "node 1's stakepoold has its wallet back",
        Effect.map(spds[1].status, (s) => s.walletConnected),
        20_000,
      );
      yield* liveSetsWhole(network, pool, spds);
      let afterwards: Drawn | undefined;
      for (let i = 0; i < MAX_BLOCKS && afterwards === undefined; i++) {
        const d = mine(network, pool, drawn);
        yield* voted(network, d);
        if (d.tickets.length > 0) afterwards = d;
      }
      assert.ok(afterwards !== undefined, "a pool ticket drawn after the wallet came back");
      // Node 1's stakepoold votes again: its votes of that block reached its hcd too.
      yield* eventually(
        "node 1 voting again",
        Effect.sync(() =>
          afterwards!.tickets.every((t) =>
            network.control.votes(t).some((v) => v.node === 1 && v.blockHash === afterwards!.hash)
          )
        ),
      );
      mine(network, pool, drawn);
      assertNothingLostOrDuplicated(network, pool, drawn);
      yield* liveSetsWhole(network, pool, spds);
    })));

Deno.test("reorganizations: the new tip's winners are voted, the old tip's stay live, nothing voted twice", () =>
  withStakepooldSetup({ network: NETWORK }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      const pool = yield* poolWithTickets(network);
      const spds = yield* startStakepoolds(network, database, dir, { resyncInterval: "2 seconds" });
      const drawn: Array<Drawn> = [];
      yield* mature(network, pool, drawn);
      yield* liveSetsWhole(network, pool, spds);
      let reorgs = 0;
      for (let i = 0; i < MAX_BLOCKS && reorgs < 3; i++) {
        const d = mine(network, pool, drawn);
        yield* voted(network, d);
        if (d.tickets.length === 0) continue;
        // The block whose winners were just voted is replaced by a sibling with another lottery.
        network.control.reorg();
        const { hash, height, winners } = network.control.chainState();
        const replacement = { hash, height, tickets: winners.filter((t) => pool.has(t)) };
        drawn.push(replacement);
        yield* voted(network, replacement);
        reorgs++;
      }
      assert.equal(reorgs, 3, "three blocks with pool winners were replaced");
      mine(network, pool, drawn);
      assertNothingLostOrDuplicated(network, pool, drawn);
      yield* liveSetsWhole(network, pool, spds);
    })));

Deno.test("SIGTERM to a stakepoold while its votes are in flight: they finish, hcd has each once, it exits 0", () =>
  withStakepooldSetup({ network: NETWORK }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      const pool = yield* poolWithTickets(network);
      const port = freePort();
      const home = `${dir}/process`;
      yield* Effect.promise(() => Deno.mkdir(home, { recursive: true }));
      yield* Effect.promise(() =>
        Deno.writeTextFile(
          `${home}/stakepoold.conf`,
          stakepooldConf({
            dir: home,
            node: network.endpoints.nodes[0],
            net: network.endpoints.net,
            coldWalletXpub: network.endpoints.coldWalletXpub,
            poolFees: POOL_FEES,
            database,
            port,
            controlSecret: Redacted.value(CONTROL_SECRET),
          }),
        )
      );
      const spd = spawnDeno("stakepoold", ["stakepoold.ts", "-C", `${home}/stakepoold.conf`]);
      try {
        yield* Effect.promise(() =>
          spd.waitForLine((l) => l.includes("control API listening"), "its control API", 60_000)
        );
        const control = makeStakepooldControlClient({
          endpoint: { host: `127.0.0.1:${port}`, certPem: Deno.readTextFileSync(`${home}/rpc.cert`) },
          secret: CONTROL_SECRET,
        });
        const drawn: Array<Drawn> = [];
        yield* mature(network, pool, drawn);
        yield* eventually(
          "the pool's live tickets are live in stakepoold",
          Effect.map(control.call(ControlApi.status, {}), (s) =>
            s.liveTickets === livePool(network, pool).size),
          30_000,
        );
        // Each answer of node 0 takes a while, so the votes of a block are in flight together.
        const wallet = network.nodes[0].wallet;
        const asked: Array<{ readonly block: string; readonly ticket: string }> = [];
        const generateVote = wallet.generateVote.bind(wallet);
        wallet.generateVote = (blockHash, height, ticket, bits, ext) => {
          asked.push({ block: blockHash, ticket });
          return generateVote(blockHash, height, ticket, bits, ext);
        };
        yield* Effect.promise(() =>
          network.control.setFaults(0, { latencyMs: 400 })
        );
        let burst: Drawn | undefined;
        for (let i = 0; i < MAX_BLOCKS && burst === undefined; i++) {
          const d = mine(network, pool, drawn);
          if (d.tickets.length > 0) burst = d;
        }
        if (burst === undefined) throw new Error(`no pool ticket drawn in ${MAX_BLOCKS} blocks`);
        const block = burst;
        yield* eventually(
          "stakepoold asking the wallet for the burst's votes",
          Effect.sync(() => asked.some((a) => a.block === block.hash)),
          20_000,
        );
        const exit = yield* Effect.promise(() => spd.stop(60_000));
        assert.equal(exit, 0, spd.lines.slice(-10).join("\n"));
        for (const t of block.tickets) {
          const votes = network.control.votes(t).filter((v) => v.blockHash === block.hash);
          assert.equal(
            votes.filter((v) => v.node === 0 && v.outcome === "accepted").length,
            1,
            `${t} voted once`,
          );
        }
        mine(network, pool, drawn);
        assertNothingLostOrDuplicated(network, pool, drawn);
        assert.ok(
          spd.lines.some((l) => l.includes("stakepoold stopping")),
          "it said it was stopping",
        );
      } finally {
        yield* Effect.promise(() => spd.stop());
      }
    })));
