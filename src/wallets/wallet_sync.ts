// Bringing the voting wallets to the same state (behaviour §5.1 walletSvrsSync, DESIGN "Startup
// sync"): usable wallets on one vote version, users' vote bits valid for it, every derived ticket
// address watched, every script (database ∪ every wallet's listscripts) imported into every wallet
// with a rescan from its registration height, and every ticket any wallet knows added to the
// others. It only adds what is missing, so a second run repairs nothing.
import type { SqlError } from "@effect/sql/SqlError";
import { Data, Effect, Option, Ref } from "effect";
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
                  e._tag === "RpcTransportError" || e._tag === "RpcTimeout"
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
      const rawTickets = new Map<string, string>();
      const rawTicket = (hash: string) =>
        Effect.gen(function* () {
          const cached = rawTickets.get(hash);
          if (cached !== undefined) return Option.some(cached);
          for (const owner of owners.get(hash) ?? []) {
            const hex = yield* Effect.option(owner.rpc.getRawTransactionHex(hash));
            if (Option.isSome(hex)) {
              rawTickets.set(hash, hex.value);
              return hex;
            }
          }
          return Option.none<string>();
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
        repairEach(
          items,
          (hash) =>
            Effect.gen(function* () {
              const hex = yield* rawTicket(hash);
              if (Option.isNone(hex)) {
                return { problem: `${wallet.name}: ticket ${hash}: no wallet returned its transaction` };
              }
              return yield* wallet.rpc.addTicket(hex.value).pipe(
                Effect.as<ItemOutcome>("done"),
                Effect.catchAll((e) =>
                  Effect.succeed<ItemOutcome>(
                    e._tag === "RpcTransportError" || e._tag === "RpcTimeout"
                      ? "down"
                      : { problem: `${wallet.name}: addticket ${hash}: ${e.message}` },
                  )
                ),
              );
            }),
          ticketTick,
        ), { concurrency: "unbounded" });

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
