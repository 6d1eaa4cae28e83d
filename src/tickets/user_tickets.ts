// One user's tickets as the pages show them, kept without a wallet call per page view: built from
// the wallet's `stakepooluserinfo` answer, moved forward by the stakepoolds' ticket events, and
// confirmed by the next wallet answer. Pure functions; TicketView holds the state.
//
// The wallet reports a ticket "live" until it is voted or revoked (immature tickets too, and
// missed ones until revoked), so what events say is kept until the wallet says as much:
//   new / live       a ticket the pool found (its block height when the event has one)
//   ignored          a ticket whose pool fee is too low (the wallet lists it as invalid)
//   winning          selected in a block: "voting"
//   voted/duplicate  a vote for it reached hcd (this node's, or another node's first)
//   spent            it left the live set in a block: after a vote, voted at that height
//   missed/expired   not voted in time
// Immature or live depends on the chain tip, voted tickets older than `maxvotedage` blocks are
// archived (counted, not listed), both decided when the tickets are listed.
import type { StakePoolUserInfoResult } from "../rpc/hc_methods.ts";
import type { TicketEvent } from "../rpc/stakepoold_protocol.ts";

/** The statuses the wallet reports. */
export type WalletStatus = "live" | "voted" | "missed" | "expired";

export interface PoolTicket {
  readonly hash: string;
  /** The ticket's block height; 0 when not known yet. */
  readonly height: number;
  readonly status: WalletStatus;
  /** The vote's (or revocation's) txid once the wallet reported it. */
  readonly spentBy: string | undefined;
  /** The block that spent it (voted) or where it was missed; 0 while unspent. */
  readonly spentByHeight: number;
  /** Selected to vote in this block (events); cleared once the wallet reports the outcome. */
  readonly selectedAt: number | undefined;
  /** A vote for it reached hcd (events). */
  readonly voteSent: boolean;
  /** Something events said that the wallet has not confirmed yet. */
  readonly unconfirmed: boolean;
}

export interface UserTickets {
  /** The user's ticket (P2SH multisig) address. */
  readonly address: string;
  readonly tickets: ReadonlyMap<string, PoolTicket>;
  /** Tickets that did not pay the pool fee (the wallet's invalid list, or stakepoold's ignored). */
  readonly invalid: ReadonlySet<string>;
}

export const emptyUserTickets = (address: string): UserTickets => ({
  address,
  tickets: new Map(),
  invalid: new Set(),
});

const RANK: Readonly<Record<WalletStatus, number>> = { live: 0, voted: 1, missed: 1, expired: 1 };

/**
 * A fresh wallet answer over what events said: the wallet's word wins unless it still reports
 * "live" for a ticket events have already seen voted, missed or selected (the wallet learns of it
 * a block later). Tickets only events know stay until the wallet lists them.
 */
export const mergeUserInfo = (previous: UserTickets, info: StakePoolUserInfoResult): UserTickets => {
  const tickets = new Map<string, PoolTicket>();
  for (const w of info.tickets) {
    const before = previous.tickets.get(w.ticket);
    const reported: PoolTicket = {
      hash: w.ticket,
      height: w.ticketheight,
      status: w.status,
      spentBy: w.status === "live" || /^0+$/.test(w.spentby) ? undefined : w.spentby,
      spentByHeight: w.spentbyheight,
      selectedAt: undefined,
      voteSent: false,
      unconfirmed: false,
    };
    if (before === undefined || RANK[reported.status] > 0) tickets.set(w.ticket, reported);
    else if (RANK[before.status] > 0) tickets.set(w.ticket, { ...before, height: w.ticketheight });
    else {
      tickets.set(w.ticket, {
        ...reported,
        selectedAt: before.selectedAt,
        voteSent: before.voteSent,
        unconfirmed: before.selectedAt !== undefined,
      });
    }
  }
  for (const [hash, t] of previous.tickets) {
    if (!tickets.has(hash) && t.unconfirmed) tickets.set(hash, t);
  }
  const invalid = new Set(info.invalid);
  for (const hash of previous.invalid) if (!tickets.has(hash) && !invalid.has(hash)) invalid.add(hash);
  return { address: previous.address, tickets, invalid };
};

/** Whether anything events said still waits for the wallet's word. */
export const awaitsWallet = (state: UserTickets): boolean => {
  for (const t of state.tickets.values()) if (t.unconfirmed) return true;
  return false;
};

export interface EventOutcome {
  readonly state: UserTickets;
  /** What the pages show changed. */
  readonly changed: boolean;
  /** The wallet should be asked (a vote txid to learn, a ticket this view does not know …). */
  readonly askWallet: boolean;
}

const unchanged = (state: UserTickets, askWallet = false): EventOutcome => ({
  state,
  changed: false,
  askWallet,
});

const withTicket = (state: UserTickets, ticket: PoolTicket, askWallet: boolean): EventOutcome => {
  const tickets = new Map(state.tickets);
  tickets.set(ticket.hash, ticket);
  return { state: { ...state, tickets }, changed: true, askWallet };
};

const foundTicket = (hash: string, height: number | undefined): PoolTicket => ({
  hash,
  height: height ?? 0,
  status: "live",
  spentBy: undefined,
  spentByHeight: 0,
  selectedAt: undefined,
  voteSent: false,
  unconfirmed: true,
});

/** One stakepoold event for this user's address (events for other addresses change nothing). */
export const applyEvent = (state: UserTickets, event: TicketEvent): EventOutcome => {
  if (event.TicketAddress !== state.address) return unchanged(state);
  const hash = event.TicketHash;
  const known = state.tickets.get(hash);
  switch (event.kind) {
    case "new":
    case "live":
      if (known !== undefined || state.invalid.has(hash)) return unchanged(state);
      return withTicket(state, foundTicket(hash, event.blockHeight), event.blockHeight === undefined);
    case "ignored": {
      if (known !== undefined || state.invalid.has(hash)) return unchanged(state);
      const invalid = new Set(state.invalid);
      invalid.add(hash);
      return { state: { ...state, invalid }, changed: true, askWallet: false };
    }
    case "vote-failed":
      // Another node may still vote it; a miss comes as its own event.
      return unchanged(state);
  }
  if (known === undefined) return unchanged(state, true);
  if (RANK[known.status] > 0) return unchanged(state);
  switch (event.kind) {
    case "winning":
    case "voted":
    case "duplicate": {
      const voteSent = known.voteSent || event.kind !== "winning";
      const selectedAt = event.blockHeight ?? known.selectedAt;
      if (known.voteSent === voteSent && known.selectedAt === selectedAt) return unchanged(state);
      return withTicket(state, { ...known, selectedAt, voteSent, unconfirmed: true }, false);
    }
    case "spent":
      // Spent without a vote this view saw: a revocation, or a vote it missed; the wallet knows.
      if (!known.voteSent && known.selectedAt === undefined) return unchanged(state, true);
      return withTicket(state, {
        ...known,
        status: "voted",
        spentByHeight: event.blockHeight ?? 0,
        unconfirmed: true,
      }, true);
    case "missed":
    case "expired":
      return withTicket(state, {
        ...known,
        status: event.kind,
        spentByHeight: event.blockHeight ?? 0,
        selectedAt: undefined,
        unconfirmed: true,
      }, true);
  }
};

// ---- listing ----

/** How a ticket is shown. */
export type ShownStatus = "immature" | "live" | "voting" | "voted" | "missed" | "expired";

/** The page's tables: live (with immature and voting tickets), voted, missed, expired, invalid. */
export type Section = "live" | "voted" | "missed" | "expired" | "invalid";
export const SECTIONS: ReadonlyArray<Section> = ["live", "voted", "missed", "expired", "invalid"];

export interface ChainView {
  /** The chain tip's height. */
  readonly tip: number;
  /** Blocks before a ticket is live (TicketMaturity). */
  readonly maturity: number;
  /** Voted tickets whose vote is more than this many blocks old are archived (maxvotedage). */
  readonly maxVotedAge: number;
}

export const shownStatus = (t: PoolTicket, chain: ChainView): ShownStatus =>
  t.status !== "live"
    ? t.status
    : t.selectedAt !== undefined
    ? "voting"
    : t.height === 0 || chain.tip < t.height + chain.maturity
    ? "immature"
    : "live";

export interface TicketCounts {
  readonly immature: number;
  readonly live: number;
  readonly voting: number;
  /** Every voted ticket, archived ones included. */
  readonly voted: number;
  /** Voted more than maxvotedage blocks ago: counted, not listed. */
  readonly archived: number;
  readonly missed: number;
  readonly expired: number;
  readonly invalid: number;
}

/** The tickets sorted for the pages: newest first in each section. */
export interface TicketListing {
  readonly counts: TicketCounts;
  readonly sections: Readonly<Record<Section, ReadonlyArray<PoolTicket>>>;
}

const byHeightDesc = (a: PoolTicket, b: PoolTicket) => b.height - a.height || (a.hash < b.hash ? -1 : 1);
const bySpentDesc = (a: PoolTicket, b: PoolTicket) => b.spentByHeight - a.spentByHeight || byHeightDesc(a, b);

/** Sorts once per state and tip; pages are then slices of it. */
export const listTickets = (state: UserTickets, chain: ChainView): TicketListing => {
  const live: Array<PoolTicket> = [];
  const voted: Array<PoolTicket> = [];
  const missed: Array<PoolTicket> = [];
  const expired: Array<PoolTicket> = [];
  let immature = 0, voting = 0, votedAll = 0, archived = 0;
  const minVotedHeight = chain.tip - chain.maxVotedAge;
  for (const t of state.tickets.values()) {
    const shown = shownStatus(t, chain);
    switch (shown) {
      case "immature":
      case "live":
      case "voting":
        if (shown === "immature") immature++;
        if (shown === "voting") voting++;
        live.push(t);
        break;
      case "voted":
        votedAll++;
        if (t.spentByHeight > 0 && t.spentByHeight < minVotedHeight) archived++;
        else voted.push(t);
        break;
      case "missed":
        missed.push(t);
        break;
      case "expired":
        expired.push(t);
        break;
    }
  }
  const invalid = [...state.invalid].filter((h) => !state.tickets.has(h)).sort().map((hash) => ({
    ...foundTicket(hash, undefined),
    unconfirmed: false,
  }));
  return {
    counts: {
      immature,
      live: live.length - immature - voting,
      voting,
      voted: votedAll,
      archived,
      missed: missed.length,
      expired: expired.length,
      invalid: invalid.length,
    },
    sections: {
      live: live.sort(byHeightDesc),
      voted: voted.sort(bySpentDesc),
      missed: missed.sort(bySpentDesc),
      expired: expired.sort(bySpentDesc),
      invalid,
    },
  };
};

export type Order = "newest" | "oldest";

export interface PageOf<A> {
  readonly rows: ReadonlyArray<A>;
  /** 1-based, clamped to the pages there are. */
  readonly page: number;
  readonly pages: number;
  readonly total: number;
}

/** One page of a sorted (newest first) list, in the order asked for. */
export const pageOf = <A>(sorted: ReadonlyArray<A>, page: number, size: number, order: Order): PageOf<A> => {
  const total = sorted.length;
  const pages = Math.max(1, Math.ceil(total / size));
  const p = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const start = (p - 1) * size;
  const rows = order === "newest"
    ? sorted.slice(start, start + size)
    : Array.from({ length: Math.max(0, Math.min(size, total - start)) }, (_, i) =>
      sorted[total - 1 - start - i]);
  return { rows, page: p, pages, total };
};
