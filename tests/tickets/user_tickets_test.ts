// A user's ticket view as pure functions: the wallet's stakepooluserinfo answer, stakepoold events
// moving tickets ahead of it, the next wallet answer confirming them, and the listing the pages
// show (immature by the tip, the maxvotedage archive, newest first, pages in either order).
import assert from "node:assert/strict";
import type { StakePoolUserInfoResult } from "../../src/rpc/hc_methods.ts";
import type { TicketEvent } from "../../src/rpc/stakepoold_protocol.ts";
import {
  applyEvent,
  awaitsWallet,
  emptyUserTickets,
  listTickets,
  mergeUserInfo,
  pageOf,
  type UserTickets,
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

const event = (kind: TicketEvent["kind"], n: number, blockHeight?: number): TicketEvent => ({
  kind,
  TicketHash: hash(n),
  TicketAddress: ADDRESS,
  ...(blockHeight === undefined ? {} : { blockHeight }),
});

const apply = (state: UserTickets, ...events: ReadonlyArray<TicketEvent>) =>
  events.reduce((s, e) => applyEvent(s, e).state, state);

Deno.test("the wallet's answer: live tickets without a spender, voted ones with their vote txid, invalid listed apart", () => {
  const state = fromWallet([live(1, 100), voted(2, 90, 120)], [hash(3)]);
  assert.equal(state.tickets.get(hash(1))?.spentBy, undefined);
  assert.equal(state.tickets.get(hash(2))?.spentBy, hash(1002));
  assert.deepEqual([...state.invalid], [hash(3)]);
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
  assert.ok(ignored.state.invalid.has(hash(4)));
  const missed = applyEvent(state, event("missed", 1, 140));
  assert.deepEqual([missed.state.tickets.get(hash(1))?.status, missed.askWallet], ["missed", true]);
  const unknown = applyEvent(state, event("winning", 9, 140));
  assert.deepEqual([unknown.changed, unknown.askWallet], [false, true]);
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
