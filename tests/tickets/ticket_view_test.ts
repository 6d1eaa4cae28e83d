// TicketView over three in-memory voting wallets (counting their stakepooluserinfo calls) and a
// stakepoold watch the test feeds: page views never call a wallet after the first read, events
// change the page at once, a vote's txid comes from one wallet read after the spent event, and
// watchers hear of every change (the tip's too).
import assert from "node:assert/strict";
import { Duration, Effect, Fiber, Layer, Option, PubSub, Ref, Stream } from "effect";
import { NETWORKS } from "../../src/domain/params.ts";
import type { StakePoolUserInfoResult } from "../../src/rpc/hc_methods.ts";
import type { TicketEvent } from "../../src/rpc/stakepoold_protocol.ts";
import {
  StakepooldsUnavailable,
  StakepooldWatch,
  type WatchSignal,
} from "../../src/tickets/stakepoold_watch.ts";
import { TicketView, type TicketViewTuning } from "../../src/tickets/ticket_view.ts";
import { VotingWallets, type WalletMethods } from "../../src/wallets/voting_wallets.ts";
import { xpubOf } from "../config/support.ts";

const ADDRESS = "ScUserTicketAddress";
const ZERO = "0".repeat(64);
const hash = (n: number) => n.toString(16).padStart(64, "0");

interface Fixture {
  /** What every wallet answers to stakepooluserinfo. */
  readonly answer: Ref.Ref<StakePoolUserInfoResult>;
  readonly calls: Ref.Ref<number>;
  readonly tip: Ref.Ref<number>;
  readonly publish: (signal: WatchSignal) => Effect.Effect<void>;
}

/**
 * A wallet answering only what the view asks (getmasterpubkey for its network check,
 * stakepooluserinfo); any other method is a defect of the test.
 */
const wallet = (name: string, f: Omit<Fixture, "publish">) => {
  const used = {
    getMasterPubKey: () => Effect.succeed(xpubOf("simnet")),
    stakePoolUserInfo: (address: string) =>
      Effect.zipRight(
        Ref.update(f.calls, (n) => n + 1),
        Effect.map(Ref.get(f.answer), (a) => (address === ADDRESS ? a : { tickets: [], invalid: [] })),
      ),
  };
  const rpc = new Proxy(used, {
    get: (target, method) =>
      method in target
        ? target[method as keyof typeof target]
        : () => Effect.die(new Error(`the ticket view called ${String(method)}`)),
  }) as unknown as WalletMethods;
  return { name, host: name, rpc };
};

const withView = (
  tuning: TicketViewTuning,
  body: (f: Fixture) => Effect.Effect<void, unknown, TicketView>,
) =>
  Effect.gen(function* () {
    const answer = yield* Ref.make<StakePoolUserInfoResult>({
      tickets: [
        { status: "live", ticket: hash(1), ticketheight: 100, spentby: ZERO, spentbyheight: 0 },
        { status: "live", ticket: hash(2), ticketheight: 105, spentby: ZERO, spentbyheight: 0 },
      ],
      invalid: [],
    });
    const calls = yield* Ref.make(0);
    const tip = yield* Ref.make(118);
    const hub = yield* PubSub.unbounded<WatchSignal>();
    const watch = Layer.succeed(StakepooldWatch, {
      hosts: ["stakepoold 1"],
      signals: Stream.fromPubSub(hub),
      reports: Effect.succeed([]),
      ignoredLowFeeTickets: Effect.fail(new StakepooldsUnavailable({ failed: [] })),
      bestBlockHeight: Effect.map(Ref.get(tip), Option.some),
    });
    const wallets = ["wallet 1", "wallet 2", "wallet 3"].map((n) => wallet(n, { answer, calls, tip }));
    const layer = TicketView.layer({ maxVotedAge: 100, ...tuning }).pipe(
      Layer.provide(Layer.merge(watch, VotingWallets.fromWallets(NETWORKS.simnet, wallets, 2))),
    );
    yield* body({ answer, calls, tip, publish: (s) => Effect.asVoid(PubSub.publish(hub, s)) }).pipe(
      Effect.provide(layer),
    );
  }).pipe(Effect.scoped, Effect.runPromise);

const overview = Effect.flatMap(
  TicketView,
  (v) => v.page(ADDRESS, { section: undefined, page: 1, order: "newest" }),
);

const rowOf = (n: number) =>
  Effect.map(overview, (p) => p.sections.flatMap((s) => s.page.rows).find((r) => r.hash === hash(n)));

const event = (kind: TicketEvent["kind"], n: number, blockHeight: number): WatchSignal => ({
  _tag: "event",
  host: "stakepoold 1",
  event: { kind, TicketHash: hash(n), TicketAddress: ADDRESS, blockHeight },
});

const until = <E, R>(what: string, check: Effect.Effect<boolean, E, R>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 200; i++) {
      if (yield* check) return;
      yield* Effect.sleep(Duration.millis(10));
    }
    return yield* Effect.fail(new Error(`timed out: ${what}`));
  });

Deno.test("concurrent first views read each wallet once; a hundred views after them read none", () =>
  withView({ maxAge: "1 hour", tipInterval: "1 hour" }, ({ calls }) =>
    Effect.gen(function* () {
      const pages = yield* Effect.all(Array.from({ length: 5 }, () => overview), {
        concurrency: "unbounded",
      });
      assert.ok(pages.every((p) => p.counts.live === 1 && p.counts.immature === 1));
      assert.equal(yield* Ref.get(calls), 3);
      for (let i = 0; i < 100; i++) yield* overview;
      assert.equal(yield* Ref.get(calls), 3);
    })));

Deno.test("events show a ticket voting at once with no wallet call; the spent event brings one read with the vote's txid", () =>
  withView(
    { maxAge: "1 hour", tipInterval: "1 hour", minRefreshInterval: 50 },
    ({ answer, calls, publish }) =>
      Effect.gen(function* () {
        const before = yield* overview;
        yield* publish(event("winning", 1, 120));
        yield* publish(event("voted", 1, 120));
        yield* until("the ticket shown voting", Effect.map(rowOf(1), (r) => r?.status === "voting"));
        assert.ok((yield* overview).version > before.version);
        assert.equal(yield* Ref.get(calls), 3);

        yield* Ref.set(answer, {
          tickets: [
            { status: "voted", ticket: hash(1), ticketheight: 100, spentby: hash(77), spentbyheight: 121 },
            { status: "live", ticket: hash(2), ticketheight: 105, spentby: ZERO, spentbyheight: 0 },
          ],
          invalid: [],
        });
        yield* publish(event("spent", 1, 121));
        yield* until("the vote's txid shown", Effect.map(rowOf(1), (r) => r?.spentBy === hash(77)));
        assert.equal(yield* Ref.get(calls), 6);
        const row = yield* rowOf(1);
        assert.deepEqual([row?.status, row?.spentByHeight], ["voted", 121]);
      }),
  ));

Deno.test("a watcher hears each change: an event, a tip that turns an immature ticket live; a reopened stream means a read", () =>
  withView(
    { maxAge: "1 hour", tipInterval: 20, minRefreshInterval: 20 },
    ({ calls, tip, publish }) =>
      Effect.gen(function* () {
        const first = yield* overview;
        const heard = yield* Ref.make<ReadonlyArray<number>>([]);
        const watcher = yield* Effect.flatMap(TicketView, (v) =>
          v.changes(ADDRESS).pipe(Stream.runForEach((version) =>
            Ref.update(heard, (h) => [...h, version])
          )))
          .pipe(
            Effect.fork,
          );
        yield* Effect.sleep(Duration.millis(50));
        yield* publish(event("winning", 2, 111));
        yield* until("the event heard", Effect.map(Ref.get(heard), (h) => h.length === 1));
        // Ticket 1 is live already; at 121 (105 + 16) ticket 2 would be too, but it is voting:
        // ticket 3, new and immature at 115, turns live at 131.
        yield* publish(event("new", 3, 115));
        yield* until("the new ticket heard", Effect.map(Ref.get(heard), (h) => h.length === 2));
        assert.equal((yield* rowOf(3))?.status, "immature");
        yield* Ref.set(tip, 131);
        yield* until("the tip heard", Effect.map(Ref.get(heard), (h) => h.length === 3));
        assert.equal((yield* rowOf(3))?.status, "live");
        assert.ok((yield* Ref.get(heard)).every((v) => v > first.version));

        const readsBefore = yield* Ref.get(calls);
        yield* publish({ _tag: "subscribed", host: "stakepoold 1" });
        yield* until(
          "a read after the stream reopened",
          Effect.map(Ref.get(calls), (n) => n === readsBefore + 3),
        );
        yield* Fiber.interrupt(watcher);
      }),
  ));
