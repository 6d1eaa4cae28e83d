// The admin's low-fee tickets (behaviour §2.3 /admintickets, §8): tickets the stakepoolds ignore
// because their pool fee is too low can be added, so they are voted; added ones can be removed,
// so they are not (the original kept voting them until a restart). Each change is stored, then
// pushed to every stakepoold, and written to the audit log with the admin and their IP.
import { Clock, Effect } from "effect";
import { audit } from "../accounts/audit.ts";
import { rejected } from "../accounts/errors.ts";
import { PoolSettings } from "../accounts/pool_settings.ts";
import type { User } from "../domain/models.ts";
import { LowFeeTickets } from "../storage/low_fee_tickets.ts";
import { StakepooldWatch } from "../tickets/stakepoold_watch.ts";
import { StakepooldClients } from "../wallets/stakepoolds.ts";

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

const pushToStakepoolds = Effect.flatMap(StakepooldClients, (s) => s.updateAll("tickets"));

export const addLowFeeTickets = (r: LowFeeChange) =>
  Effect.gen(function* () {
    const hashes = yield* checkedHashes(r.hashes);
    const ignored = yield* Effect.flatMap(StakepooldWatch, (w) => w.ignoredLowFeeTickets).pipe(
      Effect.mapError((e) => rejected(`GetIgnoredLowFeeTickets error: ${e.message}`)),
    );
    const byHash = new Map(ignored.tickets.map((t) => [t.TicketHash, t]));
    const gone = hashes.find((h) => !byHash.has(h));
    if (gone !== undefined) return yield* rejected(`ticket ${gone} is no longer present`);
    const { net } = yield* PoolSettings;
    // The latest it could still vote, as the original estimated it: expiry blocks at 105 % of the block time.
    const expires = Math.floor((yield* Clock.currentTimeMillis) / 1000) +
      Math.ceil(net.ticketExpiry * net.targetTimePerBlock * 1.05);
    const added = yield* Effect.flatMap(LowFeeTickets, (t) =>
      t.add(
        r.admin.UserId,
        hashes.map((h) => ({ TicketHash: h, TicketAddress: byHash.get(h)!.TicketAddress, Expires: expires })),
      ));
    yield* audit({
      userId: r.admin.UserId,
      ip: r.ip,
      action: "low-fee tickets added",
      detail: hashes.join(","),
    });
    return { count: added, stakepoolds: yield* pushToStakepoolds };
  }).pipe(Effect.withSpan("addLowFeeTickets"));

export const removeLowFeeTickets = (r: LowFeeChange) =>
  Effect.gen(function* () {
    const hashes = yield* checkedHashes(r.hashes);
    const removed = yield* Effect.flatMap(LowFeeTickets, (t) => t.remove(hashes));
    yield* audit({
      userId: r.admin.UserId,
      ip: r.ip,
      action: "low-fee tickets removed",
      detail: hashes.join(","),
    });
    return { count: removed, stakepoolds: yield* pushToStakepoolds };
  }).pipe(Effect.withSpan("removeLowFeeTickets"));
