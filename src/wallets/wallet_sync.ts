// Bringing the voting wallets to the same state (behaviour §5.1 walletSvrsSync, DESIGN "Startup
// sync"): usable wallets on one vote version, users' vote bits valid for it, every derived ticket
// address watched, every script (database ∪ every wallet's listscripts) imported into every wallet
// with a rescan from its registration height, and every ticket any wallet knows added to the
// others. hcwallet's addticket only tells its stake manager about a ticket: generatevote answers
// "not exist" until a rescan brings the transaction into the wallet (HC-PROTOCOL §10). So a wallet
// given tickets is rescanned from the oldest of them, and each must then be in its transactions,
// or the summary names it. It only adds what is missing, so a second run repairs nothing.
import type { SqlError } from "@effect/sql/SqlError";
import { Data, Effect, Either, Option, Ref } from "effect";
import { fromHex, toHex } from "../domain/bytes.ts";
import { hash160 } from "../domain/hash.ts";
import { parseTicket } from "../domain/stake.ts";
import { txFromHex } from "../domain/tx.ts";
import { isValidVoteBits } from "../domain/votebits.ts";
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
  readonly phase: "scripts" | "tickets";
  readonly done: number;
  readonly total: number;
  /** Items per second since the phase began. */
  readonly perSecond: number;
}

export interface WalletRepair {
  readonly wallet: string;
  readonly scriptsImported: number;
  /** Tickets added and then found among the wallet's transactions: it can vote them. */
  readonly ticketsAdded: number;
}

export interface SyncSummary {
  readonly voteVersion: number;
  readonly voteBitsReset: number;
  /** Distinct scripts and tickets known to the database and the usable wallets. */
  readonly scripts: number;
  readonly tickets: number;
  readonly repaired: ReadonlyArray<WalletRepair>;
  /** Wallets that were down, locked or without their hcd: not synced this time. */
  readonly skipped: ReadonlyArray<WalletDown>;
  /** What could not be repaired. */
  readonly problems: ReadonlyArray<string>;
  readonly durationMs: number;
}

export interface SyncOptions {
  /** Reset users' vote bits for the wallets' vote version (startup; the reconciler leaves them). */
  readonly resetVoteBits: boolean;
  readonly onProgress?: (p: SyncProgress) => Effect.Effect<void>;
}

/** Highest UserId + 1: the derivation indexes the wallets must watch. */
const WATCHED_ADDRESSES = MAX_USER_ID + 1;

/** Registered users' scripts with the height to rescan from. */
const registeredScripts = (users: UsersApi) =>
  Effect.map(
    users.registeredScripts,
    (rows) => rows.map((r) => ({ script: r.MultiSigScript.toLowerCase(), height: r.HeightRegistered })),
  );

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
        yield* options.onProgress({ phase, done: n, total, perSecond: Math.round(n / seconds) });
      }
    });
  });

type ItemOutcome = "done" | "down" | { readonly problem: string };

/** Runs one wallet's repairs in order; stops at the first item that finds the wallet gone. */
const repairEach = <T>(
  items: ReadonlyArray<T>,
  repair: (item: T) => Effect.Effect<ItemOutcome>,
  tick: Effect.Effect<void>,
) =>
  Effect.gen(function* () {
    let repaired = 0;
    const problems: Array<string> = [];
    for (const item of items) {
      const outcome = yield* repair(item);
      if (outcome === "down") return { repaired, problems, down: true };
      if (outcome === "done") repaired++;
      else problems.push(outcome.problem);
      yield* tick;
    }
    return { repaired, problems, down: false };
  });

const isUnreachable = (e: { readonly _tag: string }) =>
  e._tag === "RpcTransportError" || e._tag === "RpcTimeout";

/** gettransaction checks in flight per wallet after its rescan. */
const CHECK_CONCURRENCY = 16;

/** A ticket's transaction (hex) and the height to rescan a wallet from for it. */
interface TicketSource {
  readonly hex: string;
  readonly height: number;
}

/**
 * From the wallets that list the ticket: gettransaction in one that has it among its transactions
 * (its height from the confirmations; a block arriving meanwhile only makes it lower), else the
 * transaction alone through the wallet's hcd, to be rescanned from its script's registration.
 */
const findTicketSource = (
  hash: string,
  owners: ReadonlyArray<VotingWallet>,
  tipHeight: (w: VotingWallet) => Effect.Effect<Option.Option<number>>,
  scriptHeights: ReadonlyMap<string, number>,
) =>
  Effect.gen(function* () {
    for (const owner of owners) {
      const tx = yield* Effect.option(owner.rpc.getTransaction(hash));
      const tip = yield* tipHeight(owner);
      if (Option.isSome(tx) && tx.value.confirmations > 0 && Option.isSome(tip)) {
        return Option.some<TicketSource>({
          hex: tx.value.hex,
          height: tip.value - tx.value.confirmations + 1,
        });
      }
    }
    for (const owner of owners) {
      const hex = yield* Effect.option(owner.rpc.getRawTransactionHex(hash));
      if (Option.isSome(hex)) {
        const votingHash = Either.getOrUndefined(
          Either.map(Either.flatMap(txFromHex(hex.value), parseTicket), (t) => toHex(t.votingDest.hash160)),
        );
        const height = votingHash === undefined ? undefined : scriptHeights.get(votingHash);
        return Option.some<TicketSource>({ hex: hex.value, height: height ?? 0 });
      }
    }
    return Option.none<TicketSource>();
  });

/**
 * After addticket: one rescan from the oldest added ticket brings their transactions in; each must
 * then be among the wallet's transactions (gettransaction), or the wallet could not vote it.
 */
const makeVotable = (
  wallet: VotingWallet,
  added: ReadonlyArray<{ readonly hash: string; readonly height: number }>,
) =>
  Effect.gen(function* () {
    const from = Math.min(...added.map((t) => t.height));
    const rescan = yield* Effect.either(wallet.rpc.rescanWallet(from));
    if (Either.isLeft(rescan)) {
      return isUnreachable(rescan.left) ? { votable: 0, problems: [], down: true } : {
        votable: 0,
        problems: [
          `${wallet.name}: rescanwallet ${from} after adding ${added.length} tickets: ${rescan.left.message}; ` +
          `it cannot vote them until a rescan finds them`,
        ],
        down: false,
      };
    }
    const checks = yield* Effect.forEach(
      added,
      ({ hash }) => Effect.map(Effect.either(wallet.rpc.getTransaction(hash)), (tx) => ({ hash, tx })),
      { concurrency: CHECK_CONCURRENCY },
    );
    let votable = 0;
    const problems: Array<string> = [];
    for (const { hash, tx } of checks) {
      if (Either.isRight(tx) && tx.right.confirmations > 0) votable++;
      else if (Either.isLeft(tx) && isUnreachable(tx.left)) return { votable, problems, down: true };
      else {
        problems.push(
          `${wallet.name}: ticket ${hash} is still not among its transactions after addticket and a rescan ` +
            `from ${from}: it cannot vote it`,
        );
      }
    }
    return { votable, problems, down: false };
  });

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

      // Scripts: the database's with their registration heights, any other a wallet holds from 0.
      const heights = new Map<string, number>();
      for (const { script, height } of yield* registeredScripts(users)) {
        heights.set(script, Math.min(height, heights.get(script) ?? height));
      }
      const listed = yield* vw.fanOut("listscripts", (rpc) => rpc.listScripts(), wallets);
      dropDown(listed.down);
      const held = new Map<string, Set<string>>();
      for (const { wallet, value } of listed.answers) {
        const scripts = new Set(value.scripts.map((s) => s.redeemscript.toLowerCase()));
        held.set(wallet.name, scripts);
        for (const s of scripts) if (!heights.has(s)) heights.set(s, 0);
      }
      const missingScripts = (w: VotingWallet) =>
        [...heights.keys()].filter((s) => !held.get(w.name)?.has(s));
      const scriptWork = wallets.map((w) => ({ wallet: w, items: missingScripts(w) }));
      const scriptTick = yield* progressCounter(
        "scripts",
        scriptWork.reduce((n, w) => n + w.items.length, 0),
        options,
      );
      const scriptResults = yield* Effect.forEach(scriptWork, ({ wallet, items }) =>
        repairEach(
          items,
          (script) =>
            wallet.rpc.importScript(script, true, heights.get(script)).pipe(
              Effect.as<ItemOutcome>("done"),
              Effect.catchAll((e) =>
                Effect.succeed<ItemOutcome>(
                  isUnreachable(e)
                    ? "down"
                    : { problem: `${wallet.name}: importscript ${script}: ${e.message}` },
                )
              ),
            ),
          scriptTick,
        ), { concurrency: "unbounded" });

      // Tickets: every ticket any usable wallet knows, added to the wallets that lack it.
      const listedTickets = yield* vw.fanOut("gettickets", (rpc) => rpc.getTickets(true), wallets);
      dropDown(listedTickets.down);
      const owners = new Map<string, Array<VotingWallet>>();
      for (const { wallet, value } of listedTickets.answers) {
        for (const hash of value.hashes) owners.set(hash, [...(owners.get(hash) ?? []), wallet]);
      }
      const scriptHeights = new Map<string, number>();
      for (const [script, height] of heights) {
        Either.map(fromHex(script), (bytes) => scriptHeights.set(toHex(hash160(bytes)), height));
      }
      // Each owner's tip, read once: a ticket's height is the tip's less its confirmations.
      const tipHeights = new Map<string, Option.Option<number>>();
      const tipHeight = (w: VotingWallet) =>
        Effect.suspend(() => {
          const known = tipHeights.get(w.name);
          return known !== undefined ? Effect.succeed(known) : Effect.option(w.rpc.getBestBlock()).pipe(
            Effect.map(Option.map((b) => b.height)),
            Effect.tap((h) => tipHeights.set(w.name, h)),
          );
        });
      const tickets = new Map<string, TicketSource>();
      /** The ticket's transaction and the height to rescan from, from the wallets that have it. */
      const ticketSource = (hash: string) =>
        Effect.gen(function* () {
          const cached = tickets.get(hash);
          if (cached !== undefined) return Option.some(cached);
          const found = yield* findTicketSource(hash, owners.get(hash) ?? [], tipHeight, scriptHeights);
          if (Option.isSome(found)) tickets.set(hash, found.value);
          return found;
        });
      const ticketWork = wallets.map((w) => ({
        wallet: w,
        items: [...owners.entries()].filter(([, ws]) => !ws.includes(w)).map(([hash]) => hash),
      }));
      const ticketTick = yield* progressCounter(
        "tickets",
        ticketWork.reduce((n, w) => n + w.items.length, 0),
        options,
      );
      const ticketResults = yield* Effect.forEach(ticketWork, ({ wallet, items }) =>
        Effect.gen(function* () {
          const added: Array<{ readonly hash: string; readonly height: number }> = [];
          const addOutcome = yield* repairEach(
            items,
            (hash) =>
              Effect.gen(function* () {
                const source = yield* ticketSource(hash);
                if (Option.isNone(source)) {
                  return { problem: `${wallet.name}: ticket ${hash}: no wallet returned its transaction` };
                }
                return yield* wallet.rpc.addTicket(source.value.hex).pipe(
                  Effect.tap(() => added.push({ hash, height: source.value.height })),
                  Effect.as<ItemOutcome>("done"),
                  Effect.catchAll((e) =>
                    Effect.succeed<ItemOutcome>(
                      isUnreachable(e)
                        ? "down"
                        : { problem: `${wallet.name}: addticket ${hash}: ${e.message}` },
                    )
                  ),
                );
              }),
            ticketTick,
          );
          if (added.length === 0) return addOutcome;
          const voting = yield* makeVotable(wallet, added);
          return {
            repaired: voting.votable,
            problems: [...addOutcome.problems, ...voting.problems],
            down: addOutcome.down || voting.down,
          };
        }), { concurrency: "unbounded" });

      // By name: a wallet dropped by the gettickets fan-out has script results but no ticket work.
      const ticketsOf = new Map(ticketWork.map((w, i) => [w.wallet.name, ticketResults[i]]));
      const problems: Array<string> = [];
      const repaired = scriptWork.map(({ wallet }, i) => {
        const s = scriptResults[i];
        const t = ticketsOf.get(wallet.name) ?? { repaired: 0, problems: [], down: false };
        problems.push(...s.problems, ...t.problems);
        if ((s.down || t.down) && !skipped.some((d) => d.wallet === wallet.name)) {
          skipped.push({ wallet: wallet.name, reason: "went away during the sync" });
        }
        return { wallet: wallet.name, scriptsImported: s.repaired, ticketsAdded: t.repaired };
      });
      return {
        voteVersion,
        voteBitsReset,
        scripts: heights.size,
        tickets: owners.size,
        repaired,
        skipped,
        problems,
        durationMs: Date.now() - started,
      } satisfies SyncSummary;
    }));
  }).pipe(Effect.withSpan("syncWallets"));

/** Scripts and tickets added in all. */
export const repairCount = (s: SyncSummary): number =>
  s.repaired.reduce((n, r) => n + r.scriptsImported + r.ticketsAdded, 0);
