// One user's tickets as the pages show them, kept without a wallet call per page view: built from
// the wallet's `stakepooluserinfo` answer, moved forward by the stakepoolds' ticket events, and
// checked with hcd where neither can be trusted. Pure functions; TicketView holds the state.
//
// The real hcwallet's stakepooluserinfo (realnodes FINDINGS, "Problems in our code" 5) reports a
// ticket "live" until a vote or a revocation spends it — immature tickets too, and missed or
// expired ones, which a pool wallet never revokes — and keeps a low-fee ticket in `invalid` after
// the pool voted it (admin-added). So the wallet's word counts for what it can know:
//   - its voted / missed / expired (with the spending txid) is final;
//   - its "live" never undoes what events or hcd said (voted, missed, expired);
//   - its invalid list means "fee too low" unless the stakepoolds said they vote the ticket.
// Events (each for one ticket of the user's address):
//   new / live       a ticket the pool found (its block height when the event has one); live: the
//                    pool votes it (an admin-added low-fee ticket too)
//   ignored          the pool does not vote it: its pool fee is too low
//   winning          selected in a block: "voting"
//   voted/duplicate  a vote for it reached hcd (voted carries the vote's txid)
//   spent            it left the live set in a block: voted there
//   missed/expired   not voted in time
// hcd (existslive/missed/expiredtickets) answers for the tickets still shown live when events may
// have been missed (a restart, a reopened stream): `ticketsToAsk`, `applyChainStates`.
// Immature or live depends on the chain tip, voted tickets older than `maxvotedage` blocks are
// archived (counted, not listed), both decided when the tickets are listed.
import type { StakePoolUserInfoResult } from "../rpc/hc_methods.ts";
import type { TicketEvent } from "../rpc/stakepoold_protocol.ts";

/** The statuses the wallet reports (and what the pool learns from events and hcd). */
export type WalletStatus = "live" | "voted" | "missed" | "expired";

export interface PoolTicket {
  readonly hash: string;
  /** The ticket's block height; 0 when not known (yet). */
  readonly height: number;
  readonly status: WalletStatus;
  /** The vote's (or revocation's) txid once known. */
  readonly spentBy: string | undefined;
  /** The block that spent it (voted) or where it was missed; 0 while unspent or not known. */
  readonly spentByHeight: number;
  /** Selected to vote in this block (events); cleared once the outcome is known. */
  readonly selectedAt: number | undefined;
  /** A vote for it reached hcd (events). */
  readonly voteSent: boolean;
  /** The txid of the vote a stakepoold had hcd accept. */
  readonly voteTxid: string | undefined;
  /** How the wallet's last answer listed it: a ticket, invalid (pool fee too low), or not at all. */
  readonly listed: "ticket" | "invalid" | undefined;
  /** What the stakepoolds said they do with it: vote it ("live", admin-added too) or not ("ignored"). */
  readonly poolVerdict: "live" | "ignored" | undefined;
}

export interface UserTickets {
  /** The user's ticket (P2SH multisig) address. */
  readonly address: string;
  readonly tickets: ReadonlyMap<string, PoolTicket>;
}

export const emptyUserTickets = (address: string): UserTickets => ({ address, tickets: new Map() });

const unknownTicket = (hash: string): PoolTicket => ({
  hash,
  height: 0,
  status: "live",
  spentBy: undefined,
  spentByHeight: 0,
  selectedAt: undefined,
  voteSent: false,
  voteTxid: undefined,
  listed: undefined,
  poolVerdict: undefined,
});

/** The pool does not vote it: the stakepoolds ignore it or, when they said nothing, the wallet lists it invalid. */
export const lowFee = (t: PoolTicket): boolean =>
  t.poolVerdict === "ignored" || (t.poolVerdict === undefined && t.listed === "invalid");

/** What only the wallet can add: the height of a ticket only events named, the txid of a vote it did not see sent. */
const needsWallet = (t: PoolTicket): boolean =>
  (t.listed === undefined && t.height === 0) ||
  (t.status === "voted" && t.spentBy === undefined && t.listed !== "invalid");

/** Whether something shown still waits for the wallet's word. */
export const awaitsWallet = (state: UserTickets): boolean => {
  for (const t of state.tickets.values()) if (needsWallet(t)) return true;
  return false;
};

const differs = (a: PoolTicket, b: PoolTicket): boolean =>
  (Object.keys(a) as ReadonlyArray<keyof PoolTicket>).some((k) => a[k] !== b[k]);

const isZeroHash = (h: string) => /^0+$/.test(h);

type WalletTicket = StakePoolUserInfoResult["tickets"][number];

/**
 * The voting wallets' answers as one: a ticket any of them reports spent is spent (one wallet's
 * record may have been set back to "live" by an addticket, realnodes FINDINGS 4), and one any of
 * them lists invalid is invalid unless spent (addticket also clears a wallet's invalid mark).
 */
export const combineUserInfo = (answers: ReadonlyArray<StakePoolUserInfoResult>): StakePoolUserInfoResult => {
  const tickets = new Map<string, WalletTicket>();
  for (const answer of answers) {
    for (const t of answer.tickets) {
      const known = tickets.get(t.ticket);
      const better = known === undefined || (known.status === "live" && t.status !== "live") ||
        (known.status === t.status && known.ticketheight === 0 && t.ticketheight > 0);
      if (better) tickets.set(t.ticket, t);
    }
  }
  const invalid = new Set(answers.flatMap((a) => a.invalid));
  for (const hash of invalid) if (tickets.get(hash)?.status === "live") tickets.delete(hash);
  return { tickets: [...tickets.values()], invalid: [...invalid] };
};

/** A fresh wallet answer over what the pool knew (the rules above). */
export const mergeUserInfo = (previous: UserTickets, info: StakePoolUserInfoResult): UserTickets => {
  const tickets = new Map<string, PoolTicket>();
  for (const w of info.tickets) {
    const before = previous.tickets.get(w.ticket) ?? unknownTicket(w.ticket);
    const listed: PoolTicket = {
      ...before,
      height: w.ticketheight > 0 ? w.ticketheight : before.height,
      listed: "ticket",
    };
    tickets.set(
      w.ticket,
      w.status === "live" ? listed : {
        ...listed,
        status: w.status,
        spentBy: isZeroHash(w.spentby) ? undefined : w.spentby,
        spentByHeight: w.spentbyheight,
        selectedAt: undefined,
      },
    );
  }
  for (const hash of info.invalid) {
    if (tickets.has(hash)) continue;
    tickets.set(hash, { ...(previous.tickets.get(hash) ?? unknownTicket(hash)), listed: "invalid" });
  }
  for (const [hash, t] of previous.tickets) {
    // A live ticket the wallet listed and no longer does is gone (its block undone); what only
    // events or hcd knew stays.
    if (tickets.has(hash) || (t.listed !== undefined && t.status === "live")) continue;
    tickets.set(hash, { ...t, listed: undefined });
  }
  return { address: previous.address, tickets };
};

export interface EventOutcome {
  readonly state: UserTickets;
  /** What the pages show changed. */
  readonly changed: boolean;
  /** The wallet should be asked (a ticket this view did not know, a vote's txid …). */
  readonly askWallet: boolean;
}

const withHeight = (t: PoolTicket, height: number | undefined): PoolTicket =>
  height === undefined || t.height > 0 ? t : { ...t, height };

/**
 * A voted event that comes after the block that spent the ticket: the stakepoolds' streams are
 * separate and, within one, the vote's answer from hcd may come after the block's notification.
 * Spent in the block after the one the vote was for, the ticket was spent by that vote (as when the
 * txid comes first); spent in the vote's own block, the voter was told another vote spent it.
 */
const lateVoteTxid = (t: PoolTicket, event: TicketEvent): PoolTicket | undefined =>
  event.kind === "voted" && event.voteTxid !== undefined && event.blockHeight !== undefined &&
    t.status === "voted" && t.spentBy === undefined && t.spentByHeight === event.blockHeight + 1
    ? { ...t, spentBy: event.voteTxid, voteTxid: event.voteTxid, voteSent: true }
    : undefined;

/** `t` after the event; `t` itself when the event changes nothing. */
const ticketAfter = (t: PoolTicket, event: TicketEvent): PoolTicket => {
  const at = event.blockHeight;
  switch (event.kind) {
    case "new":
      return withHeight(t, at);
    case "live":
    case "ignored": {
      const next = withHeight(t, at);
      return next.poolVerdict === event.kind ? next : { ...next, poolVerdict: event.kind };
    }
    case "vote-failed":
      // Another node may still vote it; a miss comes as its own event.
      return t;
  }
  if (t.status !== "live") return lateVoteTxid(t, event) ?? t;
  switch (event.kind) {
    case "winning":
    case "voted":
    case "duplicate":
      // Selected, so the pool votes it (an admin-added ticket the wallet lists invalid too).
      return {
        ...t,
        selectedAt: at ?? t.selectedAt,
        voteSent: t.voteSent || event.kind !== "winning",
        voteTxid: event.voteTxid ?? t.voteTxid,
        poolVerdict: "live",
      };
    case "spent":
      return {
        ...t,
        status: "voted",
        // With a detail the voter was told another vote spent it (the owner's wallet's, say).
        spentBy: event.detail === undefined ? t.voteTxid : undefined,
        spentByHeight: at ?? 0,
        selectedAt: undefined,
      };
    case "missed":
    case "expired":
      return { ...t, status: event.kind, spentByHeight: at ?? 0, selectedAt: undefined };
  }
};

/** One stakepoold event for this user's address (events for other addresses change nothing). */
export const applyEvent = (state: UserTickets, event: TicketEvent): EventOutcome => {
  if (event.TicketAddress !== state.address || event.kind === "vote-failed") {
    return { state, changed: false, askWallet: false };
  }
  // A rebuild found it gone, without a block: a vote or a revocation; the wallet knows which.
  if (event.kind === "spent" && event.blockHeight === undefined) {
    return { state, changed: false, askWallet: true };
  }
  const known = state.tickets.get(event.TicketHash);
  const before = known ?? unknownTicket(event.TicketHash);
  const after = ticketAfter(before, event);
  const changed = known === undefined || differs(before, after);
  const askWallet = changed && needsWallet(after);
  if (!changed) return { state, changed, askWallet };
  const tickets = new Map(state.tickets);
  tickets.set(after.hash, after);
  return { state: { ...state, tickets }, changed, askWallet };
};

// ---- hcd's word ----

/** A ticket as hcd's exists*tickets tell it: live, missed, expired, or none of them (spent by a vote). */
export type ChainTicketState = "live" | "missed" | "expired" | "spent";

export interface TicketToAsk {
  readonly hash: string;
  /** The height from which hcd must hold it live if nothing spent it; 0: mature already. */
  readonly matureAt: number;
}

/**
 * The tickets shown live that hcd can tell about: those with a block height, and those the pool
 * votes without one (selected, or admin-added from the stakepoolds' list of live tickets), which
 * are mature. Whether hcd is far enough for the others is decided with its answer.
 */
export const ticketsToAsk = (state: UserTickets, maturity: number): ReadonlyArray<TicketToAsk> => {
  const out: Array<TicketToAsk> = [];
  for (const t of state.tickets.values()) {
    if (t.status !== "live") continue;
    if (t.height > 0) out.push({ hash: t.hash, matureAt: t.height + maturity });
    else if (t.poolVerdict === "live") out.push({ hash: t.hash, matureAt: 0 });
  }
  return out;
};

/**
 * hcd's states at block `height` over tickets shown live: not live any more is final (a ticket
 * neither missed nor expired was voted: a pool wallet revokes nothing); live after the block it was
 * selected in means that selection was not kept.
 */
export const applyChainStates = (
  state: UserTickets,
  states: ReadonlyMap<string, ChainTicketState>,
  height: number,
): { readonly state: UserTickets; readonly changed: boolean } => {
  const tickets = new Map(state.tickets);
  let changed = false;
  for (const [hash, chainState] of states) {
    const t = tickets.get(hash);
    if (t === undefined || t.status !== "live") continue;
    const spentAt = t.selectedAt === undefined ? 0 : t.selectedAt + 1;
    let next: PoolTicket;
    if (chainState === "live") {
      if (t.selectedAt === undefined || t.selectedAt >= height) continue;
      next = { ...t, selectedAt: undefined, voteSent: false, voteTxid: undefined };
    } else if (chainState === "spent") {
      next = { ...t, status: "voted", spentBy: t.voteTxid, spentByHeight: spentAt, selectedAt: undefined };
    } else next = { ...t, status: chainState, spentByHeight: spentAt, selectedAt: undefined };
    tickets.set(hash, next);
    changed = true;
  }
  return changed ? { state: { ...state, tickets }, changed } : { state, changed };
};

/** Whether a ticket the wallet lists invalid may be one the admin added (the stakepoolds' list tells). */
export const hasUnsureLowFee = (state: UserTickets): boolean => {
  for (const t of state.tickets.values()) {
    if (t.status === "live" && t.listed === "invalid" && t.poolVerdict === undefined) return true;
  }
  return false;
};

/** The admin-added low-fee tickets (the stakepoolds' list): voted by the pool, whatever the wallet's invalid says. */
export const withAddedLowFee = (state: UserTickets, added: ReadonlySet<string>): UserTickets => {
  let tickets: Map<string, PoolTicket> | undefined;
  for (const hash of added) {
    const t = state.tickets.get(hash);
    if (t === undefined || t.poolVerdict !== undefined) continue;
    tickets ??= new Map(state.tickets);
    tickets.set(hash, { ...t, poolVerdict: "live" });
  }
  return tickets === undefined ? state : { ...state, tickets };
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
  const invalid: Array<PoolTicket> = [];
  let immature = 0, voting = 0, votedAll = 0, archived = 0;
  const minVotedHeight = chain.tip - chain.maxVotedAge;
  for (const t of state.tickets.values()) {
    // A low-fee ticket that was voted, missed or expired is shown as such: that is what happened.
    if (t.status === "live" && lowFee(t)) {
      invalid.push(t);
      continue;
    }
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
      invalid: invalid.sort(byHeightDesc),
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
