// The admin's low-fee tickets (behaviour §2.3 /admintickets, §8): tickets the stakepoolds ignore
// because their pool fee is too low can be added, so they are voted; added ones can be removed,
// so they are not (the original kept voting them until a restart). Each change is stored, then
// pushed to every stakepoold, and written to the audit log with the admin and their IP.
import { Clock, Effect } from "effect";
import { audit } from "../accounts/audit.ts";
import { rejected } from "../accounts/errors.ts";
import type { User } from "../domain/models.ts";
import { chainBlockTime, ticketVotableUntil } from "../domain/ticket_expiry.ts";
import { RpcCode, type RpcDecodeError, type RpcError } from "../rpc/errors.ts";
import { LowFeeTickets } from "../storage/low_fee_tickets.ts";
import { StakepooldWatch } from "../tickets/stakepoold_watch.ts";
import { StakepooldClients } from "../wallets/stakepoolds.ts";
import { VotingWallets, type WalletMethods } from "../wallets/voting_wallets.ts";

const TICKET_HASH = /^[0-9a-f]{64}$/;

/** The lists of the page: what the stakepoolds ignore now (not yet added) and what is added. */
export const lowFeeTicketLists = Effect.gen(function* () {
  const watch = yield* StakepooldWatch;
  const added = yield* Effect.flatMap(LowFeeTickets, (t) => t.votable);
  const addedHashes = new Set(added.map((t) => t.TicketHash));
  const ignored = yield* watch.ignoredLowFeeTickets.pipe(
    Effect.map((r) => ({ tickets: r.tickets, problems: r.failed.map((f) => `${f.host}: ${f.reason}`) })),
    Effect.catchTag("StakepooldsUnavailable", (e) => Effect.succeed({ tickets: [], problems: [e.message] })),
  );
  return {
    ignored: ignored.tickets.filter((t) => !addedHashes.has(t.TicketHash)),
    added,
    /** Stakepoolds that did not answer: their ignored tickets are missing from the list. */
    problems: ignored.problems,
  };
}).pipe(Effect.withSpan("lowFeeTicketLists"));

/** A change refused as the admin asked it is AccountRejected: its message (the original's words) is flashed. */
export interface LowFeeChange {
  readonly admin: User;
  readonly ip: string;
  readonly hashes: ReadonlyArray<string>;
}

const checkedHashes = (hashes: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const unique = [...new Set(hashes.map((h) => h.trim().toLowerCase()))];
    if (unique.length === 0) return yield* rejected("no tickets selected to modify");
    const bad = unique.find((h) => !TICKET_HASH.test(h));
    if (bad !== undefined) return yield* rejected(`NewHashFromStr failed for ${bad.slice(0, 80)}`);
    return unique;
  });

/** What follows a stored change: its audit line with the admin, then every stakepoold told. */
const auditAndPush = (
  r: LowFeeChange,
  action: "low-fee tickets added" | "low-fee tickets removed",
  hashes: ReadonlyArray<string>,
  count: number,
) =>
  Effect.gen(function* () {
    yield* audit({ userId: r.admin.UserId, ip: r.ip, action, detail: hashes.join(",") });
    return { count, stakepoolds: yield* Effect.flatMap(StakepooldClients, (s) => s.updateAll("tickets")) };
  });

/** Other tickets of a wallet whose blocks' header times show the chain's pace. */
const PACE_SAMPLE = 8;

/** hcwallet has no such transaction (-5): a ticket it does not hold (yet), or only in its stake manager. */
const walletLacks = (e: RpcError | RpcDecodeError) =>
  e._tag === "RpcCallError" && e.code === RpcCode.invalidAddressOrKey;

/**
 * What one wallet shows of the chain: each ticket's height (absent: not mined, or unknown to it), a
 * few more tickets' blocks, and its best block with its header's time (through its hcd), read last
 * so that a block arriving meanwhile makes the heights later, not earlier.
 */
const chainSeenBy = (hashes: ReadonlyArray<string>) => (rpc: WalletMethods) =>
  Effect.gen(function* () {
    const { hashes: tickets } = yield* rpc.getTickets(true);
    const sample = [...hashes, ...tickets.filter((t) => !hashes.includes(t)).slice(0, PACE_SAMPLE)];
    const mined = yield* Effect.forEach(sample, (hash) =>
      rpc.getTransaction(hash).pipe(
        Effect.map((tx) => ({ hash, confirmations: tx.confirmations, time: tx.blocktime })),
        Effect.catchIf(walletLacks, () => Effect.succeed(undefined)),
      ), { concurrency: 4 });
    const best = yield* rpc.getBestBlock();
    const tip = yield* rpc.getBlockHeader(best.hash);
    const stamps = mined.flatMap((m) =>
      m === undefined || m.confirmations <= 0 || m.time === undefined ? [] : [{
        hash: m.hash,
        height: best.height - m.confirmations + 1,
        time: m.time,
      }]
    );
    return { tip: { height: best.height, time: tip.time }, stamps };
  });

/**
 * Per ticket, the latest time it may still vote (LowFeeTicket.Expires): now plus its blocks left at
 * the chain's slowest recent pace between block header times (never below the target), with
 * margin; of all wallets that answered, the latest.
 */
const votableUntil = (hashes: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const vw = yield* VotingWallets;
    const { answers } = yield* vw.fanOut("gettransaction", chainSeenBy(hashes));
    const now = Math.floor((yield* Clock.currentTimeMillis) / 1000);
    const until = new Map(hashes.map((h) => [h, now]));
    for (const { value: { tip, stamps } } of answers) {
      const blockTime = chainBlockTime(vw.net, { tip, blocks: stamps });
      for (const hash of hashes) {
        const ticketHeight = stamps.find((s) => s.hash === hash)?.height;
        const estimate = ticketVotableUntil(vw.net, { ticketHeight, bestHeight: tip.height, now, blockTime });
        until.set(hash, Math.max(until.get(hash)!, estimate));
      }
    }
    return until;
  });

export const addLowFeeTickets = (r: LowFeeChange) =>
  Effect.gen(function* () {
    const hashes = yield* checkedHashes(r.hashes);
    const ignored = yield* Effect.flatMap(StakepooldWatch, (w) => w.ignoredLowFeeTickets).pipe(
      Effect.mapError((e) => rejected(`GetIgnoredLowFeeTickets error: ${e.message}`)),
    );
    const byHash = new Map(ignored.tickets.map((t) => [t.TicketHash, t]));
    const gone = hashes.find((h) => !byHash.has(h));
    if (gone !== undefined) return yield* rejected(`ticket ${gone} is no longer present`);
    // The original estimated now + TicketExpiry × target block time × 1.05 for all: on a chain
    // slower than its target that stopped voting tickets that could still win.
    const expires = yield* votableUntil(hashes).pipe(
      Effect.mapError((e) => rejected(`cannot tell how long the tickets can vote: ${e.message}`)),
    );
    const added = yield* Effect.flatMap(LowFeeTickets, (t) =>
      t.add(
        r.admin.UserId,
        hashes.map((h) => ({
          TicketHash: h,
          TicketAddress: byHash.get(h)!.TicketAddress,
          Expires: expires.get(h)!,
        })),
      ));
    return yield* auditAndPush(r, "low-fee tickets added", hashes, added);
  }).pipe(Effect.withSpan("addLowFeeTickets"));

export const removeLowFeeTickets = (r: LowFeeChange) =>
  Effect.gen(function* () {
    const hashes = yield* checkedHashes(r.hashes);
    const removed = yield* Effect.flatMap(LowFeeTickets, (t) => t.remove(hashes));
    return yield* auditAndPush(r, "low-fee tickets removed", hashes, removed);
  }).pipe(Effect.withSpan("removeLowFeeTickets"));
