// A user's ticket view as pure functions: the wallet's stakepooluserinfo answer, stakepoold events
// moving tickets ahead of it, the next wallet answer confirming them — or, as the real hcwallet
// answers (realnodes FINDINGS 5), not undoing what the pool knows: a missed ticket it still calls
// live, an admin-added low-fee ticket voted that it keeps in invalid —, hcd's word where events were
// missed, and the listing the pages show (immature by the tip, the maxvotedage archive, newest
// first, pages in either order).
import assert from "node:assert/strict";
import type { StakePoolUserInfoResult } from "../../src/rpc/hc_methods.ts";
import type { TicketEvent } from "../../src/rpc/stakepoold_protocol.ts";
import {
  applyChainStates,
  applyEvent,
  awaitsWallet,
  type ChainTicketState,
  combineUserInfo,
  emptyUserTickets,
  hasUnsureLowFee,
  listTickets,
  lowFee,
  mergeUserInfo,
  pageOf,
  ticketsToAsk,
  type UserTickets,
  withAddedLowFee,
} from "../../src/tickets/user_tickets.ts";

const ADDRESS = "ScjkpUserTicketAddress";
const ZERO = "0".repeat(64);
const hash = (n: number) => n.toString(16).padStart(64, "0");

type WalletTicket = StakePoolUserInfoResult["tickets"][number];
const live = (n: number, height: number): WalletTicket => ({
  status: "live",
  ticket: hash(n),
  ticketheight: height,
  spentby: ZERO,
  spentbyheight: 0,
});
const voted = (n: number, height: number, spentByHeight: number): WalletTicket => ({
  status: "voted",
  ticket: hash(n),
  ticketheight: height,
  spentby: hash(1000 + n),
  spentbyheight: spentByHeight,
});

const fromWallet = (tickets: ReadonlyArray<WalletTicket>, invalid: ReadonlyArray<string> = []) =>
  mergeUserInfo(emptyUserTickets(ADDRESS), { tickets, invalid });

const event = (
  kind: TicketEvent["kind"],
  n: number,
  blockHeight?: number,
  more: Partial<TicketEvent> = {},
): TicketEvent => ({
  kind,
  TicketHash: hash(n),
  TicketAddress: ADDRESS,
  ...(blockHeight === undefined ? {} : { blockHeight }),
  ...more,
});

const CHAIN = { tip: 200, maturity: 16, maxVotedAge: 100 };

/** Each ticket's section on the page and its vote txid. */
const shown = (state: UserTickets) => {
  const listing = listTickets(state, CHAIN);
  return new Map(
    Object.entries(listing.sections).flatMap(([section, tickets]) =>
      tickets.map((t) => [t.hash, { section, spentBy: t.spentBy }] as const)
    ),
  );
};

const apply = (state: UserTickets, ...events: ReadonlyArray<TicketEvent>) =>
  events.reduce((s, e) => applyEvent(s, e).state, state);

Deno.test("the wallet's answer: live tickets without a spender, voted ones with their vote txid, invalid listed apart", () => {
  const state = fromWallet([live(1, 100), voted(2, 90, 120)], [hash(3)]);
  assert.equal(state.tickets.get(hash(1))?.spentBy, undefined);
  assert.equal(state.tickets.get(hash(2))?.spentBy, hash(1002));
  assert.deepEqual(listTickets(state, CHAIN).sections.invalid.map((t) => t.hash), [hash(3)]);
  assert.equal(awaitsWallet(state), false);
});

Deno.test("events move a ticket ahead of the wallet: selected, vote sent, spent at the next block; the wallet is asked for the txid", () => {
  const state = fromWallet([live(1, 100)]);
  const selected = applyEvent(state, event("winning", 1, 130));
  assert.equal(selected.changed, true);
  assert.equal(selected.askWallet, false);
  const sent = applyEvent(selected.state, event("voted", 1, 130));
  assert.equal(sent.state.tickets.get(hash(1))?.voteSent, true);
  // Another node's identical vote changes nothing more.
  assert.equal(applyEvent(sent.state, event("duplicate", 1, 130)).changed, false);
  const spent = applyEvent(sent.state, event("spent", 1, 131));
  assert.equal(spent.askWallet, true);
  const ticket = spent.state.tickets.get(hash(1))!;
  assert.deepEqual([ticket.status, ticket.spentByHeight, ticket.spentBy], ["voted", 131, undefined]);
  assert.equal(awaitsWallet(spent.state), true);
});

Deno.test("a wallet that has not seen the vote yet does not undo it; its next answer with the txid confirms it", () => {
  const eventsSaid = apply(
    fromWallet([live(1, 100)]),
    event("winning", 1, 130),
    event("voted", 1, 130),
    event("spent", 1, 131),
  );
  const walletBehind = mergeUserInfo(eventsSaid, { tickets: [live(1, 100)], invalid: [] });
  assert.equal(walletBehind.tickets.get(hash(1))?.status, "voted");
  assert.equal(awaitsWallet(walletBehind), true);
  const confirmed = mergeUserInfo(walletBehind, { tickets: [voted(1, 100, 131)], invalid: [] });
  assert.equal(confirmed.tickets.get(hash(1))?.spentBy, hash(1001));
  assert.equal(awaitsWallet(confirmed), false);
});

Deno.test("new, ignored and missed events; unknown tickets and other users' events", () => {
  const state = fromWallet([live(1, 100)]);
  const found = applyEvent(state, event("new", 2, 110));
  assert.deepEqual([found.changed, found.askWallet, found.state.tickets.get(hash(2))?.height], [
    true,
    false,
    110,
  ]);
  const noHeight = applyEvent(state, event("new", 3));
  assert.equal(noHeight.askWallet, true);
  const ignored = applyEvent(state, event("ignored", 4, 110));
  assert.ok(lowFee(ignored.state.tickets.get(hash(4))!));
  // The wallet would only go on calling it live.
  const missed = applyEvent(state, event("missed", 1, 140));
  assert.deepEqual([missed.state.tickets.get(hash(1))?.status, missed.askWallet], ["missed", false]);
  // A ticket the view does not know yet is shown being voted; the wallet tells its height.
  const unknown = applyEvent(state, event("winning", 9, 140));
  assert.deepEqual([unknown.changed, unknown.askWallet], [true, true]);
  assert.equal(unknown.state.tickets.get(hash(9))?.selectedAt, 140);
  assert.equal(applyEvent(state, event("vote-failed", 1, 140)).changed, false);
  const other = applyEvent(state, { ...event("new", 5, 110), TicketAddress: "SomeoneElse" });
  assert.deepEqual([other.changed, other.askWallet], [false, false]);
  // A ticket only events know stays until the wallet lists it.
  assert.ok(mergeUserInfo(found.state, { tickets: [live(1, 100)], invalid: [] }).tickets.has(hash(2)));
});

Deno.test("listing: immature until TicketMaturity blocks, voted tickets past maxvotedage only counted, newest first", () => {
  const state = apply(
    fromWallet([live(1, 100), live(2, 190), voted(3, 50, 80), voted(4, 150, 180), live(5, 120)], [hash(6)]),
    event("winning", 5, 199),
  );
  const listing = listTickets(state, { tip: 200, maturity: 16, maxVotedAge: 100 });
  assert.deepEqual(listing.counts, {
    immature: 1,
    live: 1,
    voting: 1,
    voted: 2,
    archived: 1,
    missed: 0,
    expired: 0,
    invalid: 1,
  });
  assert.deepEqual(listing.sections.live.map((t) => t.hash), [hash(2), hash(5), hash(1)]);
  assert.deepEqual(listing.sections.voted.map((t) => t.hash), [hash(4)]);
  assert.deepEqual(listing.sections.invalid.map((t) => t.hash), [hash(6)]);
  // Sixteen blocks later the newest is live too.
  assert.equal(listTickets(state, { tip: 206, maturity: 16, maxVotedAge: 100 }).counts.immature, 0);
});

Deno.test("pages: clamped to the pages there are, oldest first is the newest-first list backwards", () => {
  const sorted = Array.from({ length: 105 }, (_, i) => i);
  assert.deepEqual(pageOf(sorted, 1, 50, "newest").rows.slice(0, 2), [0, 1]);
  const last = pageOf(sorted, 99, 50, "newest");
  assert.deepEqual([last.page, last.pages, last.rows], [3, 3, [100, 101, 102, 103, 104]]);
  assert.deepEqual(pageOf(sorted, 1, 50, "oldest").rows.slice(0, 3), [104, 103, 102]);
  assert.deepEqual(pageOf(sorted, 3, 50, "oldest").rows, [4, 3, 2, 1, 0]);
  assert.deepEqual(pageOf([], 0, 50, "newest"), { rows: [], page: 1, pages: 1, total: 0 });
  assert.equal(pageOf(sorted, Number.NaN, 50, "newest").page, 1);
});

Deno.test("a voted event's txid: the spent event shows the vote with it and asks no wallet; another vote's spending asks", () => {
  const state = fromWallet([live(1, 100), live(2, 100)]);
  const voted = apply(state, event("winning", 1, 130), event("voted", 1, 130, { voteTxid: hash(501) }));
  const spent = applyEvent(voted, event("spent", 1, 131));
  assert.deepEqual(spent.state.tickets.get(hash(1))?.spentBy, hash(501));
  assert.equal(spent.askWallet, false);
  assert.equal(awaitsWallet(spent.state), false);
  // The voter was told another vote (the owner's wallet's) spent it: not our txid, the wallet knows.
  const elsewhere = applyEvent(
    apply(state, event("winning", 2, 130), event("voted", 2, 130, { voteTxid: hash(502) })),
    event("spent", 2, 130, { detail: "orphan transaction … fully-spent transaction" }),
  );
  assert.deepEqual(
    [elsewhere.state.tickets.get(hash(2))?.status, elsewhere.state.tickets.get(hash(2))?.spentBy],
    ["voted", undefined],
  );
  assert.equal(elsewhere.askWallet, true);
  // A rebuild that found a ticket gone says nothing of how: the wallet is asked, nothing changes.
  const gone = applyEvent(state, event("spent", 2));
  assert.deepEqual([gone.changed, gone.askWallet], [false, true]);
});

Deno.test("the real wallet's answers undo nothing the pool knows: a missed ticket stays missed, an admin-added low-fee ticket voted shows voted", () => {
  // As realnodes FINDINGS 5: ticket 1 missed but still "live", ticket 2 low-fee, added by the
  // admin and voted, still "invalid" — before the events and after them alike.
  const walletSays = { tickets: [live(1, 100)], invalid: [hash(2)] };
  const start = mergeUserInfo(emptyUserTickets(ADDRESS), walletSays);
  assert.equal(shown(start).get(hash(2))?.section, "invalid");
  const added = applyEvent(start, event("live", 2));
  assert.equal(shown(added.state).get(hash(2))?.section, "live");
  const afterEvents = apply(
    added.state,
    event("missed", 1, 140),
    event("winning", 2, 150),
    event("voted", 2, 150, { voteTxid: hash(702) }),
    event("spent", 2, 151),
  );
  for (const state of [afterEvents, mergeUserInfo(afterEvents, walletSays)]) {
    assert.deepEqual(Object.fromEntries(shown(state)), {
      [hash(1)]: { section: "missed", spentBy: undefined },
      [hash(2)]: { section: "voted", spentBy: hash(702) },
    });
    assert.equal(awaitsWallet(state), false);
  }
  // An admin-added ticket the wallet lists invalid shows live even after a wallet read.
  assert.equal(shown(mergeUserInfo(added.state, walletSays)).get(hash(2))?.section, "live");
});

Deno.test("a vote's txid that comes after the block that spent the ticket shows the vote all the same, not after another vote spent it", () => {
  // Ticket 2 is admin-added low-fee: the wallet keeps it invalid and never tells the txid.
  const added = apply(fromWallet([live(1, 100)], [hash(2)]), event("live", 2), event("live", 3, 100));
  const spentFirst = apply(added, event("winning", 2, 150), event("spent", 2, 151));
  assert.deepEqual(shown(spentFirst).get(hash(2)), { section: "voted", spentBy: undefined });
  const late = applyEvent(spentFirst, event("voted", 2, 150, { voteTxid: hash(702) }));
  assert.deepEqual([late.changed, late.askWallet], [true, false]);
  assert.deepEqual(shown(late.state).get(hash(2)), { section: "voted", spentBy: hash(702) });
  // The same ticket as when the txid comes first.
  const txidFirst = apply(
    added,
    event("winning", 2, 150),
    event("voted", 2, 150, { voteTxid: hash(702) }),
    event("spent", 2, 151),
  );
  assert.deepEqual(late.state.tickets.get(hash(2)), txidFirst.tickets.get(hash(2)));
  // Told that another vote spent it (in the selecting block's event), a later txid is not its spender.
  const elsewhere = apply(
    added,
    event("winning", 3, 160),
    event("spent", 3, 160, { detail: "orphan transaction … fully-spent transaction" }),
    event("voted", 3, 160, { voteTxid: hash(703) }),
  );
  assert.deepEqual(shown(elsewhere).get(hash(3)), { section: "voted", spentBy: undefined });
});

Deno.test("low-fee tickets: announced new then ignored they are invalid, not live; added they are live; removed, invalid again", () => {
  const state = fromWallet([live(1, 100)]);
  const announced = apply(state, event("new", 3, 120), event("ignored", 3, 120));
  assert.equal(shown(announced).get(hash(3))?.section, "invalid");
  assert.equal(listTickets(announced, CHAIN).counts.invalid, 1);
  const added = apply(announced, event("live", 3));
  assert.equal(shown(added).get(hash(3))?.section, "live");
  assert.equal(shown(apply(added, event("ignored", 3))).get(hash(3))?.section, "invalid");
  // The stakepoolds overrule the wallet's invalid list both ways.
  const walletInvalid = fromWallet([live(1, 100)], [hash(4), hash(5)]);
  assert.equal(hasUnsureLowFee(walletInvalid), true);
  const fromList = withAddedLowFee(walletInvalid, new Set([hash(4), hash(9)]));
  assert.deepEqual([shown(fromList).get(hash(4))?.section, shown(fromList).get(hash(5))?.section], [
    "live",
    "invalid",
  ]);
  assert.equal(fromList.tickets.has(hash(9)), false);
});

Deno.test("hcd's word where events were missed: asked about tickets with a height or voted by the pool; not live is final", () => {
  const state = apply(
    fromWallet([live(1, 100), live(2, 110), live(3, 120), live(4, 190), live(6, 130)], [hash(5), hash(7)]),
    event("live", 5),
    event("winning", 6, 180),
  );
  assert.deepEqual(
    ticketsToAsk(state, 16).map((t) => [t.hash, t.matureAt]),
    [[hash(1), 116], [hash(2), 126], [hash(3), 136], [hash(4), 206], [hash(6), 146], [hash(5), 0]],
  );
  const states = new Map<string, ChainTicketState>([
    [hash(1), "missed"],
    [hash(2), "expired"],
    [hash(3), "spent"],
    [hash(5), "spent"],
    [hash(6), "live"],
  ]);
  const checked = applyChainStates(state, states, 190);
  assert.equal(checked.changed, true);
  const after = checked.state;
  const statusOf = (n: number) => after.tickets.get(hash(n))?.status;
  assert.deepEqual([1, 2, 3, 4, 5].map(statusOf), ["missed", "expired", "voted", "live", "voted"]);
  // Selected at 180 yet live at 190: that selection did not stay in the chain.
  assert.equal(after.tickets.get(hash(6))?.selectedAt, undefined);
  assert.deepEqual(ticketsToAsk(after, 16).map((t) => t.hash), [hash(4), hash(6)]);
  // The wallet's next answer, still calling them live (and 5 invalid), changes none of it.
  const reread = mergeUserInfo(after, {
    tickets: [live(1, 100), live(2, 110), live(3, 120), live(4, 190), live(6, 130)],
    invalid: [hash(5), hash(7)],
  });
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => reread.tickets.get(hash(n))?.status), [
    "missed",
    "expired",
    "voted",
    "live",
    "voted",
  ]);
  assert.equal(shown(reread).get(hash(7))?.section, "invalid");
  // Nothing new from hcd: nothing changes.
  assert.equal(applyChainStates(reread, new Map([[hash(4), "live"]]), 190).changed, false);
});

Deno.test("the wallets' answers combined: spent in any is spent (an addticket set one back to live), invalid in any is invalid unless spent", () => {
  const combined = combineUserInfo([
    // As realnodes FINDINGS 4: the wallet sync's addticket turned 2 back to live on one wallet,
    // and made the low-fee 3 a live ticket on another.
    { tickets: [live(1, 100), live(2, 90), voted(4, 95, 120)], invalid: [hash(3)] },
    { tickets: [live(1, 100), voted(2, 90, 130), live(3, 91)], invalid: [hash(4)] },
    { tickets: [live(1, 0)], invalid: [] },
  ]);
  const byHash = new Map(combined.tickets.map((t) => [t.ticket, t]));
  assert.deepEqual([...byHash.keys()].sort(), [hash(1), hash(2), hash(4)]);
  assert.equal(byHash.get(hash(1))?.ticketheight, 100);
  assert.deepEqual([byHash.get(hash(2))?.status, byHash.get(hash(2))?.spentby], ["voted", hash(1002)]);
  assert.equal(byHash.get(hash(4))?.status, "voted");
  const state = mergeUserInfo(emptyUserTickets(ADDRESS), combined);
  assert.deepEqual(Object.fromEntries(shown(state)), {
    [hash(1)]: { section: "live", spentBy: undefined },
    [hash(2)]: { section: "voted", spentBy: hash(1002) },
    [hash(3)]: { section: "invalid", spentBy: undefined },
    [hash(4)]: { section: "voted", spentBy: hash(1004) },
  });
});
