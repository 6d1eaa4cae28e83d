// Bringing the voting wallets to the same state (behaviour §5.1 walletSvrsSync, DESIGN "Startup
// sync"): usable wallets on one vote version, users' vote bits valid for it, every derived ticket
// address watched, every user's script imported into every wallet, and every wallet able to vote
// every pool ticket: the ticket's transaction among its own (generatevote reads only those).
// What the real hcwallet does shapes how (HC-PROTOCOL §10, the real-node run of 2026-12-01):
// * importscript with a rescan answers before its rescan ends, and a rescan asked for while
//   another runs is dropped (wallet/rescan.go). So scripts are imported without one, and each
//   wallet that needs it is rescanned once, with rescanwallet (which waits for its rescan), from
//   the lowest height it needs: its new scripts' registrations and the tickets it lacks.
// * addticket only tells the stake manager (generatevote still answers "not exist"), marks a
//   ticket valid without the pool-fee check and turns a voted ticket back to live. The sync never
//   uses it: a wallet's own rescan finds every ticket paying a script it holds, with its fee
//   check (a low-fee ticket stays invalid) and the ticket's real state (voted stays voted).
// * A pool ticket pays a script of the database's users. Another script some wallet holds, and
//   tickets paying anything else, are reported, never spread.
// * rescanwallet from above the wallet's own best block fails (-4 "No main chain block for
//   height"): a block that reached the other wallets first (during the round) is not rescanned
//   for; the wallet finds its tickets as it connects it, and the next round checks them. Its
//   rescan answers only when done, so it gets a deadline of its own (30 minutes by default).
// After its rescan each ticket a wallet lacked must be among its transactions (gettransaction); a
// rescan dropped because another was running is retried, and what is still missing is reported.
// At start (not in the reconciler's rounds: it costs a gettransaction per ticket and wallet) the
// tickets each wallet lists are checked the same way, since an older sync's addticket left tickets
// listed but not votable. Nothing is repaired twice, so a second run repairs nothing.
import type { SqlError } from "@effect/sql/SqlError";
import { Data, Duration, Effect, Either, Option, Ref } from "effect";
import { fromHex, toHex } from "../domain/bytes.ts";
import { hash160 } from "../domain/hash.ts";
import { parseTicket } from "../domain/stake.ts";
import { txFromHex } from "../domain/tx.ts";
import { isValidVoteBits } from "../domain/votebits.ts";
import { NO_MAIN_CHAIN_BLOCK, RpcCode, type RpcDecodeError, type RpcError } from "../rpc/errors.ts";
import { MAX_USER_ID, Users, type UsersApi } from "../storage/users.ts";
import {
  type VotingWallet,
  VotingWallets,
  type WalletCallFailed,
  type WalletDown,
  type WalletsStopped,
  type WalletsUnavailable,
} from "./voting_wallets.ts";

export class VoteVersionMismatch extends Data.TaggedError("VoteVersionMismatch")<{
  readonly versions: ReadonlyArray<{ readonly wallet: string; readonly voteVersion: number }>;
}> {
  override get message() {
    return `wallets are on different vote versions: ${
      this.versions.map((v) => `${v.wallet} ${v.voteVersion}`).join(", ")
    } (upgrade them together)`;
  }
}

export type SyncError =
  | WalletsStopped
  | WalletsUnavailable
  | WalletCallFailed
  | VoteVersionMismatch
  | SqlError;

export interface SyncProgress {
  /** scripts imported; tickets looked at (checked or looked up); wallets rescanned and checked. */
  readonly phase: "scripts" | "tickets" | "rescans";
  readonly done: number;
  readonly total: number;
  /** Items per second since the phase began, to 3 significant digits. */
  readonly perSecond: number;
}

export interface WalletRepair {
  readonly wallet: string;
  readonly scriptsImported: number;
  /**
   * Pool tickets it lacked, or listed without being able to vote them, that its own rescan added
   * to its transactions (never addticket): it can vote them now.
   */
  readonly ticketsAdded: number;
  /**
   * Pool tickets it lacks in blocks it had not reached yet (or while its best block went back):
   * it finds them as it connects those blocks, holding their scripts; the next round checks.
   */
  readonly ticketsPending: number;
  /** The height its rescan began at; undefined when it needed none (yet). */
  readonly rescannedFrom: number | undefined;
}

export interface SyncSummary {
  readonly voteVersion: number;
  readonly voteBitsReset: number;
  /** The database's users' scripts, and the distinct tickets the usable wallets list. */
  readonly scripts: number;
  readonly tickets: number;
  readonly repaired: ReadonlyArray<WalletRepair>;
  /** Wallets that were down, locked or without their hcd: not synced this time. */
  readonly skipped: ReadonlyArray<WalletDown>;
  /** What could not be repaired, and what was left alone on purpose (not the pool's). */
  readonly problems: ReadonlyArray<string>;
  readonly durationMs: number;
}

export interface SyncOptions {
  /** Reset users' vote bits for the wallets' vote version (startup; the reconciler leaves them). */
  readonly resetVoteBits: boolean;
  /**
   * Check that each wallet has every ticket it lists among its transactions (one gettransaction
   * per ticket and wallet). Default: as resetVoteBits — at startup, not in the reconciler's rounds.
   */
  readonly checkListedTickets?: boolean;
  /**
   * Deadline of one rescanwallet call, which answers when the wallet's rescan ends: minutes on a
   * long chain, far beyond the wallets' usual call deadline. Default 30 minutes.
   */
  readonly rescanDeadline?: Duration.DurationInput;
  readonly onProgress?: (p: SyncProgress) => Effect.Effect<void>;
}

/** Highest UserId + 1: the derivation indexes the wallets must watch. */
const WATCHED_ADDRESSES = MAX_USER_ID + 1;

/**
 * gettransaction checks in flight per wallet: hcwallet answers each request in its own goroutine
 * (a read of its database), so the round trips overlap; 64 checked 5 000 tickets about 1.6 times
 * as fast as 16 against hcsim.
 */
const CHECK_CONCURRENCY = 64;

/**
 * Waits before asking a wallet again for a rescan that left tickets missing: hcwallet drops a
 * rescan asked for while another runs (a registration's importscript, the wallet's own start).
 */
const RESCAN_RETRY_WAITS = [Duration.seconds(3), Duration.seconds(10)];

const DEFAULT_RESCAN_DEADLINE = Duration.minutes(30);

/** Tickets named in one problem at most; the rest are counted. */
const LISTED_AT_MOST = 10;

/** hcjson ErrRPCNoTxInfo: gettransaction of a transaction the wallet does not have. */
const NO_TX_INFO = -5;

/** Counts work done in a phase and reports it about twenty times plus at the end. */
const progressCounter = (phase: SyncProgress["phase"], total: number, options: SyncOptions) =>
  Effect.gen(function* () {
    const done = yield* Ref.make(0);
    const started = Date.now();
    const step = Math.max(1, Math.floor(total / 20));
    return Effect.gen(function* () {
      const n = yield* Ref.updateAndGet(done, (x) => x + 1);
      if (options.onProgress && (n % step === 0 || n === total)) {
        const seconds = Math.max((Date.now() - started) / 1000, 0.001);
        yield* options.onProgress({ phase, done: n, total, perSecond: Number((n / seconds).toPrecision(3)) });
      }
    });
  });

const isUnreachable = (e: RpcError | RpcDecodeError) =>
  e._tag === "RpcTransportError" || e._tag === "RpcTimeout";

/** hcwallet refused a rescan from above its best block. */
const isAboveBestBlock = (e: RpcError | RpcDecodeError) =>
  e._tag === "RpcCallError" && e.code === RpcCode.wallet && e.message.startsWith(NO_MAIN_CHAIN_BLOCK);

/** `hashes` in a problem text: the first few, and how many more. */
const named = (hashes: ReadonlyArray<string>) =>
  hashes.length <= LISTED_AT_MOST
    ? hashes.join(", ")
    : `${hashes.slice(0, LISTED_AT_MOST).join(", ")} and ${hashes.length - LISTED_AT_MOST} more`;

/** What gettransaction in one wallet says of a ticket. */
type Held =
  /** Among its transactions, mined: its hex and the height it was mined at. */
  | { readonly kind: "mined"; readonly hex: string; readonly height: number }
  /** Among its transactions, not mined yet: no wallet can vote it before it is. */
  | { readonly kind: "unmined" }
  /** Not among its transactions (only its stake manager knows it, or nothing does). */
  | { readonly kind: "absent" }
  | { readonly kind: "down" }
  | { readonly kind: "failed"; readonly detail: string };

/**
 * gettransaction of `hash` in `wallet`; `tip` is the wallet's best height read before, so a block
 * arriving meanwhile can only make the height lower (an earlier rescan start), never too late.
 */
const heldBy = (wallet: VotingWallet, hash: string, tip: number): Effect.Effect<Held> =>
  wallet.rpc.getTransaction(hash).pipe(
    Effect.map((tx): Held =>
      tx.confirmations > 0
        ? { kind: "mined", hex: tx.hex, height: tip - tx.confirmations + 1 }
        : { kind: "unmined" }
    ),
    Effect.catchAll((e) =>
      Effect.succeed<Held>(
        isUnreachable(e)
          ? { kind: "down" }
          : e._tag === "RpcCallError" && e.code === NO_TX_INFO
          ? { kind: "absent" }
          : { kind: "failed", detail: e.message },
      )
    ),
  );

/** A ticket a wallet must hold, and the height its rescan must begin at to find it. */
interface Needed {
  readonly hash: string;
  readonly height: number;
}

/** What the sync learnt of a ticket it must place: needed (a pool ticket), or why it leaves it. */
type Placement =
  /** It pays `script`, a user's: a wallet must hold it, found by a rescan from `height`. */
  | { readonly kind: "pool"; readonly script: string; readonly height: number }
  | { readonly kind: "unmined" }
  /** It pays no user's script. */
  | { readonly kind: "foreign" }
  /** Neither a wallet nor hcd gave its transaction (or it is not a ticket). */
  | { readonly kind: "unknown" };

/** A user's script (hex) and the height it was registered at. */
interface PoolScript {
  readonly script: string;
  readonly height: number;
}

/** One wallet's repair: what it imports, which tickets it must hold, where its rescan begins. */
interface WalletPlan {
  readonly wallet: VotingWallet;
  scriptsImported: number;
  rescanFrom: number | undefined;
  readonly needed: Array<Needed>;
  readonly problems: Array<string>;
  down: boolean;
}

export const syncWallets = (
  options: SyncOptions,
): Effect.Effect<SyncSummary, SyncError, VotingWallets | Users> =>
  Effect.gen(function* () {
    const vw = yield* VotingWallets;
    const users = yield* Users;
    return yield* vw.exclusive(Effect.gen(function* () {
      const started = Date.now();
      const ready = yield* vw.ready;
      const skipped: Array<WalletDown> = [...ready.down];
      const versions = ready.infos.map((i) => ({ wallet: i.wallet.name, voteVersion: i.value.voteversion }));
      if (new Set(versions.map((v) => v.voteVersion)).size > 1) {
        return yield* new VoteVersionMismatch({ versions });
      }
      const voteVersion = versions[0].voteVersion;
      const voteBitsReset = options.resetVoteBits
        ? yield* users.resetVoteBits(voteVersion, (bits) => isValidVoteBits(vw.net, voteVersion, bits))
        : 0;

      let wallets = ready.wallets;
      const dropDown = (down: ReadonlyArray<WalletDown>) => {
        skipped.push(...down);
        wallets = wallets.filter((w) => !down.some((d) => d.wallet === w.name));
      };
      dropDown(
        (yield* vw.fanOut(
          "accountsyncaddressindex",
          (rpc) => rpc.accountSyncAddressIndex("default", 0, WATCHED_ADDRESSES),
          wallets,
        )).down,
      );

      const problems: Array<string> = [];
      const registered = yield* registrationHeights(users);
      const listed = yield* vw.fanOut("listscripts", (rpc) => rpc.listScripts(), wallets);
      dropDown(listed.down);
      const held = new Map(listed.answers.map(({ wallet, value }) => [
        wallet.name,
        new Set(value.scripts.map((s) => s.redeemscript.toLowerCase())),
      ]));
      problems.push(...foreignScripts(held, registered));
      const plans = new Map(wallets.map((wallet): [string, WalletPlan] => [wallet.name, {
        wallet,
        scriptsImported: 0,
        rescanFrom: undefined,
        needed: [],
        problems: [],
        down: false,
      }]));
      const needRescan = (plan: WalletPlan, height: number) => {
        plan.rescanFrom = Math.min(plan.rescanFrom ?? height, height);
      };

      // Scripts: each user's imported where missing, without a rescan (it comes once, below).
      const missingScripts = wallets.map((w) => ({
        plan: plans.get(w.name)!,
        scripts: [...registered.keys()].filter((s) => !held.get(w.name)?.has(s)),
      }));
      const scriptTick = yield* progressCounter(
        "scripts",
        missingScripts.reduce((n, w) => n + w.scripts.length, 0),
        options,
      );
      yield* Effect.forEach(missingScripts, ({ plan, scripts }) =>
        Effect.gen(function* () {
          for (const script of scripts) {
            const imported = yield* Effect.either(plan.wallet.rpc.importScript(script, false));
            if (Either.isLeft(imported)) {
              if (isUnreachable(imported.left)) return void (plan.down = true);
              plan.problems.push(`${plan.wallet.name}: importscript ${script}: ${imported.left.message}`);
            } else {
              plan.scriptsImported++;
              needRescan(plan, registered.get(script)!);
            }
            yield* scriptTick;
          }
        }), { concurrency: "unbounded" });

      // Tickets: each wallet's list, and its best height read before any ticket is looked up.
      const listedTickets = yield* vw.fanOut(
        "gettickets",
        (rpc) => Effect.all([rpc.getBestBlock(), rpc.getTickets(true)]),
        wallets.filter((w) => !plans.get(w.name)!.down),
      );
      dropDown(listedTickets.down);
      for (const d of listedTickets.down) plans.get(d.wallet)!.down = true;
      const tips = new Map(listedTickets.answers.map(({ wallet, value }) => [wallet.name, value[0].height]));
      const lists = new Map(listedTickets.answers.map(({ wallet, value }) => [wallet.name, value[1].hashes]));
      const owners = new Map<string, Array<VotingWallet>>();
      for (const { wallet, value } of listedTickets.answers) {
        for (const hash of value[1].hashes) owners.set(hash, [...(owners.get(hash) ?? []), wallet]);
      }
      const ticketWallets = listedTickets.answers.map((a) => a.wallet);
      const poolScripts = new Map<string, PoolScript>();
      for (const [script, height] of registered) {
        Either.map(fromHex(script), (bytes) => poolScripts.set(toHex(hash160(bytes)), { script, height }));
      }
      const placements = new Map<string, Placement>();
      const place = (hex: string, minedAt: number | undefined) => placement(hex, minedAt, poolScripts);

      // At start: every listed ticket checked in the wallet that lists it.
      const checkListed = options.checkListedTickets ?? options.resetVoteBits;
      const lacking = new Map(ticketWallets.map((w) => [
        w.name,
        [...owners.keys()].filter((hash) => !owners.get(hash)!.includes(w)),
      ]));
      const ticketTick = yield* progressCounter(
        "tickets",
        [...lacking.values()].reduce((n, hashes) => n + hashes.length, 0) +
          (checkListed ? ticketWallets.reduce((n, w) => n + lists.get(w.name)!.length, 0) : 0),
        options,
      );
      const unvotable = new Map<string, ReadonlyArray<string>>();
      if (checkListed) {
        yield* Effect.forEach(ticketWallets, (wallet) =>
          Effect.gen(function* () {
            const plan = plans.get(wallet.name)!;
            const hashes = lists.get(wallet.name)!;
            const answers = yield* Effect.forEach(
              hashes,
              (hash) => Effect.zipLeft(heldBy(wallet, hash, tips.get(wallet.name)!), ticketTick),
              { concurrency: CHECK_CONCURRENCY },
            );
            const absent: Array<string> = [];
            answers.forEach((h, i) => {
              const hash = hashes[i];
              if (h.kind === "mined" && !placements.has(hash)) placements.set(hash, place(h.hex, h.height));
              else if (h.kind === "unmined") placements.set(hash, { kind: "unmined" });
              else if (h.kind === "absent") absent.push(hash);
              else if (h.kind === "down") plan.down = true;
              else if (h.kind === "failed") {
                plan.problems.push(`${wallet.name}: gettransaction ${hash}: ${h.detail}`);
              }
            });
            unvotable.set(wallet.name, absent);
          }), { concurrency: "unbounded" });
      }

      /** A ticket's placement: from a wallet holding it, else from its transaction through hcd. */
      const placementOf = (hash: string) =>
        Effect.gen(function* () {
          const known = placements.get(hash);
          if (known !== undefined) return known;
          let found: Placement = { kind: "unknown" };
          for (const owner of owners.get(hash) ?? []) {
            const h = yield* heldBy(owner, hash, tips.get(owner.name)!);
            if (h.kind === "mined") found = place(h.hex, h.height);
            if (h.kind === "unmined") found = { kind: "unmined" };
            if (found.kind !== "unknown") break;
          }
          // No wallet holds it (an older sync's addticket in each): its transaction through hcd,
          // to be rescanned for from its script's registration.
          for (const owner of owners.get(hash) ?? []) {
            if (found.kind !== "unknown") break;
            const hex = yield* Effect.option(owner.rpc.getRawTransactionHex(hash));
            if (Option.isSome(hex)) found = place(hex.value, undefined);
          }
          placements.set(hash, found);
          return found;
        });

      // Wallet by wallet, so that a ticket one wallet looked up is known to the next.
      const foreignTickets = new Set<string>();
      const unknownTickets = new Set<string>();
      /** A pool ticket's rescan need; a foreign or unknown one noted for the problems. */
      const poolNeed = (hash: string, p: Placement) => {
        if (p.kind === "foreign") foreignTickets.add(hash);
        else if (p.kind === "unknown") unknownTickets.add(hash);
        // An unmined ticket is left to the blocks: a wallet holding its script sees it mined.
        return p.kind === "pool" ? [{ hash, script: p.script, height: p.height }] : [];
      };
      for (const wallet of ticketWallets) {
        const plan = plans.get(wallet.name)!;
        if (plan.down) continue;
        const lacked = lacking.get(wallet.name)!;
        const placed = yield* Effect.forEach(
          lacked,
          (hash) => Effect.zipLeft(placementOf(hash), ticketTick),
          { concurrency: CHECK_CONCURRENCY },
        );
        // A wallet that held the ticket's script may have it although it did not list it: its
        // list was read after a block that spent it. Only one that lacks it needs a rescan.
        const pool = lacked.flatMap((hash, i) => poolNeed(hash, placed[i]));
        const tip = tips.get(wallet.name)!;
        const scriptsHeld = held.get(wallet.name);
        const absent = yield* Effect.filter(pool, (t) =>
          scriptsHeld?.has(t.script)
            ? Effect.map(heldBy(wallet, t.hash, tip), (h) => {
              if (h.kind === "down") {
                plan.down = true;
              }
              if (h.kind === "failed") {
                plan.problems.push(`${wallet.name}: gettransaction ${t.hash}: ${h.detail}`);
              }
              return h.kind === "absent";
            })
            : Effect.succeed(true), { concurrency: CHECK_CONCURRENCY });
        const listedUnvotable = yield* Effect.forEach(
          unvotable.get(wallet.name) ?? [],
          (hash) =>
            Effect.map(placementOf(hash), (p) => ({ hash, p })),
          { concurrency: CHECK_CONCURRENCY },
        );
        const needed = [
          ...absent,
          ...listedUnvotable.flatMap(({ hash, p }) =>
            poolNeed(hash, p)
          ),
        ];
        for (const t of needed) {
          plan.needed.push({ hash: t.hash, height: t.height });
          needRescan(plan, t.height);
        }
      }
      if (foreignTickets.size > 0) {
        problems.push(
          `${foreignTickets.size} tickets some wallets list pay no user's script in the database; ` +
            `not spread to the other wallets: ${named([...foreignTickets])}`,
        );
      }
      if (unknownTickets.size > 0) {
        problems.push(
          `${unknownTickets.size} tickets some wallets list could not be read from any wallet or hcd: ` +
            named([...unknownTickets]),
        );
      }

      // One rescan per wallet that needs it, then each ticket it must hold checked.
      const rescanTick = yield* progressCounter(
        "rescans",
        [...plans.values()].filter((p) => !p.down && p.rescanFrom !== undefined).length,
        options,
      );
      const deadline = Duration.toMillis(options.rescanDeadline ?? DEFAULT_RESCAN_DEADLINE);
      const repaired = yield* Effect.forEach([...plans.values()], (plan) =>
        Effect.gen(function* () {
          const rescan = plan.down || plan.rescanFrom === undefined
            ? NO_RESCAN
            : yield* Effect.zipLeft(rescanAndCheck(plan, plan.rescanFrom, deadline), rescanTick);
          problems.push(...plan.problems);
          if (plan.down && !skipped.some((d) => d.wallet === plan.wallet.name)) {
            skipped.push({ wallet: plan.wallet.name, reason: "went away during the sync" });
          }
          return {
            wallet: plan.wallet.name,
            scriptsImported: plan.scriptsImported,
            ticketsAdded: rescan.added,
            ticketsPending: rescan.pending,
            rescannedFrom: rescan.from,
          } satisfies WalletRepair;
        }), { concurrency: "unbounded" });
      return {
        voteVersion,
        voteBitsReset,
        scripts: registered.size,
        tickets: owners.size,
        repaired,
        skipped,
        problems,
        durationMs: Date.now() - started,
      } satisfies SyncSummary;
    }));
  }).pipe(Effect.withSpan("syncWallets"));

/**
 * A ticket's placement from its transaction: a pool ticket (paying a user's script, by its hash160
 * in `poolScripts`) to be rescanned for from where it was mined, else from its script's
 * registration; a ticket paying anything else is foreign.
 */
const placement = (
  hex: string,
  minedAt: number | undefined,
  poolScripts: ReadonlyMap<string, PoolScript>,
): Placement =>
  Either.match(Either.flatMap(txFromHex(hex), parseTicket), {
    onLeft: (): Placement => ({ kind: "unknown" }),
    onRight: (ticket): Placement => {
      const paid = ticket.votingDest.kind === "scripthash"
        ? poolScripts.get(toHex(ticket.votingDest.hash160))
        : undefined;
      return paid === undefined
        ? { kind: "foreign" }
        : { kind: "pool", script: paid.script, height: minedAt ?? paid.height };
    },
  });

/** The database's users' scripts (lower-case hex) with the height each was registered at. */
const registrationHeights = (users: UsersApi) =>
  Effect.map(users.registeredScripts, (rows) => {
    const heights = new Map<string, number>();
    for (const r of rows) {
      const script = r.MultiSigScript.toLowerCase();
      heights.set(script, Math.min(r.HeightRegistered, heights.get(script) ?? r.HeightRegistered));
    }
    return heights;
  });

/** Scripts some wallets hold that are no user's: reported, never imported into the others. */
const foreignScripts = (
  held: ReadonlyMap<string, ReadonlySet<string>>,
  registered: ReadonlyMap<string, number>,
): ReadonlyArray<string> => {
  const holders = new Map<string, Array<string>>();
  for (const [wallet, scripts] of held) {
    for (const s of scripts) if (!registered.has(s)) holders.set(s, [...(holders.get(s) ?? []), wallet]);
  }
  return [...holders].filter(([, ws]) => ws.length < held.size).map(([script, ws]) =>
    `${ws.join(", ")} ${ws.length === 1 ? "holds" : "hold"} script ${script}, no user's script in the ` +
    `database: not imported into the other wallets`
  );
};

/** What a wallet's rescan did: where it began, the tickets it added, those left to the next round. */
interface RescanOutcome {
  readonly from: number | undefined;
  readonly added: number;
  readonly pending: number;
}

const NO_RESCAN: RescanOutcome = { from: undefined, added: 0, pending: 0 };

/**
 * rescanwallet from `from` (it answers when its rescan is done, within `deadlineMs`), then every
 * ticket the wallet must hold looked for among its transactions. Tickets above the wallet's best
 * block are left to the next round, and so is a rescan that would begin above it. A rescan that
 * left some missing may have been dropped because another was running: asked again after a wait.
 */
const rescanAndCheck = (plan: WalletPlan, from: number, deadlineMs: number) =>
  Effect.gen(function* () {
    const { wallet } = plan;
    const best = yield* Effect.either(wallet.rpc.getBestBlock());
    if (Either.isLeft(best)) {
      if (isUnreachable(best.left)) plan.down = true;
      else plan.problems.push(`${wallet.name}: getbestblock: ${best.left.message}`);
      return NO_RESCAN;
    }
    const tip = best.right.height;
    const ahead = plan.needed.filter((t) => t.height > tip);
    const due = plan.needed.filter((t) => t.height <= tip);
    const leftToNextRound = (reason: string, pending: number) =>
      Effect.logDebug(`${reason}: its tickets there are checked in the next round`).pipe(
        Effect.annotateLogs({ wallet: wallet.name, bestHeight: tip, from, pending }),
      );
    if (from > tip) {
      yield* leftToNextRound("wallet behind the others, no rescan from above its best block", ahead.length);
      return { from: undefined, added: 0, pending: ahead.length };
    }
    let missing: ReadonlyArray<Needed> = due;
    for (let attempt = 0;; attempt++) {
      const rescan = yield* Effect.either(wallet.rpc.rescanWallet(from, { timeoutMs: deadlineMs }));
      if (Either.isLeft(rescan) && isAboveBestBlock(rescan.left)) {
        // Its best block went back below `from` (a reorganization) since it was read.
        yield* leftToNextRound(`rescanwallet ${from}: ${rescan.left.message}`, missing.length + ahead.length);
        return {
          from: undefined,
          added: due.length - missing.length,
          pending: missing.length + ahead.length,
        };
      }
      if (Either.isLeft(rescan) && !isUnreachable(rescan.left)) {
        plan.problems.push(
          `${wallet.name}: rescanwallet ${from}: ${rescan.left.message}; it cannot vote ${missing.length} ` +
            `tickets until a rescan finds them`,
        );
        return { from, added: due.length - missing.length, pending: ahead.length };
      }
      // An unreachable wallet may still be rescanning (a call timeout): the checks tell.
      const held = yield* Effect.forEach(missing, (t) => heldBy(wallet, t.hash, tip), {
        concurrency: CHECK_CONCURRENCY,
      });
      if (held.some((h) => h.kind === "down")) {
        plan.down = true;
        return { from, added: due.length - missing.length, pending: ahead.length };
      }
      missing = missing.filter((_, i) => held[i].kind !== "mined");
      if (missing.length === 0 || attempt === RESCAN_RETRY_WAITS.length) break;
      const wait = RESCAN_RETRY_WAITS[attempt];
      yield* Effect.logWarning(
        "tickets still missing after a rescan; asking again (hcwallet drops a rescan asked for while another runs)",
      ).pipe(Effect.annotateLogs({
        wallet: wallet.name,
        from,
        missing: missing.length,
        retryIn: Duration.format(wait),
      }));
      yield* Effect.sleep(wait);
    }
    if (missing.length > 0) {
      plan.problems.push(
        `${wallet.name}: ${missing.length} tickets are not among its transactions after a rescan from ${from}; ` +
          `it cannot vote them: ${named(missing.map((t) => t.hash))}`,
      );
    }
    if (ahead.length > 0) yield* leftToNextRound("blocks it had not reached yet", ahead.length);
    return { from, added: due.length - missing.length, pending: ahead.length } satisfies RescanOutcome;
  });

/** Scripts imported and tickets repaired in all. */
export const repairCount = (s: SyncSummary): number =>
  s.repaired.reduce((n, r) => n + r.scriptsImported + r.ticketsAdded, 0);
