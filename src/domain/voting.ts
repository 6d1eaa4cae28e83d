// stakepoold's decisions (behaviour §6.2–§6.4, §8; DESIGN "Voting"), as pure functions so every
// voting node, given the same users, tickets and wallet defaults, votes the same way.
//
// The pool's ticket set keeps each ticket's fee verdict; "live" (voted when selected) and
// "ignored" (low fee, not voted) are views of it together with the admin-added low-fee set, so
// no transition can leave the two out of step (the original kept separate maps and, on removal
// of an added ticket, kept voting it).
import { Either, HashMap, Option } from "effect";
import { encodeAddress } from "./address.ts";
import { checkTicketFee, type TicketFeeError } from "./poolfee.ts";
import type { NetParams } from "./params.ts";
import { parseTicket } from "./stake.ts";
import type { MsgTx } from "./tx.ts";
import { isValidVoteBits } from "./votebits.ts";

/** A user's voting preferences as the web app pushes them (SetUserVotingPrefs entry). */
export interface UserVotingPrefs {
  readonly UserId: number;
  readonly MultiSigAddress: string;
  readonly VoteBits: number;
  readonly VoteBitsVersion: number;
}

/** What the wallet votes with when a ticket's owner has no usable choice (walletinfo). */
export interface WalletVoteDefaults {
  readonly voteBits: number;
  /** Hex, passed to generatevote as is. */
  readonly voteBitsExtended: string;
  readonly voteVersion: number;
}

export type VoteBitsSource = "user" | "default";

/**
 * The owner's bits when they were chosen for the wallet's vote version and are valid for it;
 * otherwise the wallet default.
 */
export const voteBitsFor = (
  user: UserVotingPrefs | undefined,
  defaults: WalletVoteDefaults,
  net: NetParams,
): { readonly voteBits: number; readonly source: VoteBitsSource } =>
  user !== undefined && user.VoteBitsVersion === defaults.voteVersion &&
    isValidVoteBits(net, defaults.voteVersion, user.VoteBits)
    ? { voteBits: user.VoteBits, source: "user" }
    : { voteBits: defaults.voteBits, source: "default" };

// ---- classifying a ticket ----

/** A ticket that votes for a pool user's multisig address, with its pool-fee verdict. */
export interface PoolTicket {
  /** Display hex. */
  readonly hash: string;
  /** The owner's multisig (P2SH) address. */
  readonly address: string;
  /** Block height the ticket was mined at (0 while unknown). */
  readonly height: number;
  readonly feeOk: boolean;
  /** Why the fee was refused (empty when feeOk). */
  readonly feeProblem: string;
}

export type TicketClassification =
  | { readonly _tag: "pool"; readonly ticket: PoolTicket }
  | { readonly _tag: "skipped"; readonly reason: string };

/** The address a ticket's votes go to, if it is a P2SH one (pool tickets always are). */
export const ticketVotingAddress = (net: NetParams, tx: MsgTx): Either.Either<string, string> =>
  Either.flatMap(
    Either.mapLeft(parseTicket(tx), (e) => `not a ticket: ${e.reason}`),
    (t) =>
      t.votingDest.kind === "scripthash"
        ? Either.right(encodeAddress({ kind: "scripthash", net, hash160: t.votingDest.hash160 }))
        : Either.left("votes to a key address, not to a pool multisig"),
  );

/**
 * A ticket found in the wallet or announced by hcd: a pool ticket (with its fee verdict) when it
 * votes for a known user's multisig address, otherwise skipped.
 */
export const classifyTicket = (args: {
  readonly net: NetParams;
  readonly hash: string;
  readonly tx: MsgTx;
  readonly height: number;
  readonly poolFeePercent: number;
  readonly isFeeAddress: (hash160Hex: string) => boolean;
  readonly isUserAddress: (multiSigAddress: string) => boolean;
}): TicketClassification => {
  const address = ticketVotingAddress(args.net, args.tx);
  if (Either.isLeft(address)) return { _tag: "skipped", reason: address.left };
  if (!args.isUserAddress(address.right)) {
    return { _tag: "skipped", reason: `address ${address.right} belongs to no pool user` };
  }
  const fee = checkTicketFee({
    net: args.net,
    ticket: args.tx,
    ticketHeight: args.height,
    poolFeePercent: args.poolFeePercent,
    isFeeAddress: args.isFeeAddress,
  });
  return {
    _tag: "pool",
    ticket: {
      hash: args.hash,
      address: address.right,
      height: args.height,
      feeOk: Either.isRight(fee),
      feeProblem: Either.match(fee, { onLeft: (e: TicketFeeError) => e.detail, onRight: () => "" }),
    },
  };
};

// ---- the pool's ticket set ----

export interface TicketSet {
  /**
   * Pool tickets the wallet holds that have not been spent or missed, by hash. A persistent map:
   * a pool holds tens of thousands, and a copied Map cost a whole copy per ticket seen or gone.
   */
  readonly tickets: HashMap.HashMap<string, PoolTicket>;
  /** Admin-added low-fee tickets (hash → owner address): voted despite their fee. */
  readonly added: ReadonlyMap<string, string>;
}

export const emptyTicketSet: TicketSet = { tickets: HashMap.empty(), added: new Map() };

/** The set's ticket by hash, or undefined. */
export const ticketOf = (set: TicketSet, hash: string): PoolTicket | undefined =>
  Option.getOrUndefined(HashMap.get(set.tickets, hash));

export type TicketState = "live" | "ignored";

/** A pool ticket's state under the set's admin-added low-fee tickets, whether or not the set holds it. */
export const stateOf = (set: TicketSet, t: PoolTicket): TicketState =>
  t.feeOk || set.added.has(t.hash) ? "live" : "ignored";

/** "live" if a selection of this ticket is voted, "ignored" if it is a low-fee one, else undefined. */
export const ticketState = (set: TicketSet, hash: string): TicketState | undefined => {
  const t = ticketOf(set, hash);
  return t === undefined ? undefined : stateOf(set, t);
};

export const ticketsIn = (set: TicketSet, state: TicketState): ReadonlyArray<PoolTicket> =>
  [...HashMap.values(set.tickets)].filter((t) => stateOf(set, t) === state);

/** A state change the outside world may want to hear about. */
export interface TicketChange {
  readonly ticket: PoolTicket;
  readonly state: TicketState;
}

const changesBetween = (before: TicketSet, after: TicketSet, hashes: Iterable<string>) => {
  const changes: TicketChange[] = [];
  for (const hash of hashes) {
    const t = ticketOf(after, hash);
    if (t === undefined) continue;
    const now = stateOf(after, t);
    if (ticketState(before, hash) !== now) changes.push({ ticket: t, state: now });
  }
  return changes;
};

/** A newly seen pool ticket: live if its fee is paid or an admin added it, ignored otherwise. */
export const ticketSeen = (
  set: TicketSet,
  ticket: PoolTicket,
): { readonly set: TicketSet; readonly changes: ReadonlyArray<TicketChange> } => {
  const next = { ...set, tickets: HashMap.set(set.tickets, ticket.hash, ticket) };
  return { set: next, changes: changesBetween(set, next, [ticket.hash]) };
};

/** Spent (voted or revoked) or missed tickets leave the set; returns the pool tickets that left. */
export const ticketsGone = (
  set: TicketSet,
  hashes: Iterable<string>,
): { readonly set: TicketSet; readonly gone: ReadonlyArray<PoolTicket> } => {
  let tickets = set.tickets;
  const gone: PoolTicket[] = [];
  for (const hash of hashes) {
    // From the shrinking map, so a hash listed twice leaves once.
    const t = HashMap.get(tickets, hash);
    if (Option.isSome(t)) {
      gone.push(t.value);
      tickets = HashMap.remove(tickets, hash);
    }
  }
  return { set: gone.length === 0 ? set : { ...set, tickets }, gone };
};

/**
 * The admin's low-fee set replaced as a whole: newly added low-fee tickets become live, removed
 * ones go back to ignored and are no longer voted.
 */
export const addedReplaced = (
  set: TicketSet,
  added: ReadonlyArray<{ readonly hash: string; readonly address: string }>,
): { readonly set: TicketSet; readonly changes: ReadonlyArray<TicketChange> } => {
  const next = { ...set, added: new Map(added.map((e) => [e.hash, e.address])) };
  return {
    set: next,
    changes: changesBetween(set, next, new Set([...set.added.keys(), ...next.added.keys()])),
  };
};

/**
 * The set rebuilt from a full wallet scan at height `scanHeight`: the scan is the truth (nothing
 * drifts), except that tickets mined in the last block may not have reached the wallet yet, and
 * tickets the wallet listed but that could not be looked up (`unresolved`), are kept as they were.
 * Reports the tickets that appeared or changed state, and those that disappeared.
 */
export const ticketsRescanned = (
  set: TicketSet,
  scanned: ReadonlyArray<PoolTicket>,
  scanHeight: number,
  unresolved: ReadonlyArray<string>,
): {
  readonly set: TicketSet;
  readonly changes: ReadonlyArray<TicketChange>;
  readonly disappeared: ReadonlyArray<PoolTicket>;
} => {
  const tickets = new Map(scanned.map((t) => [t.hash, t]));
  const unknown = new Set(unresolved);
  for (const t of HashMap.values(set.tickets)) {
    if (!tickets.has(t.hash) && (t.height >= scanHeight - 1 || unknown.has(t.hash))) tickets.set(t.hash, t);
  }
  const next = { ...set, tickets: HashMap.fromIterable(tickets) };
  const disappeared = [...HashMap.values(set.tickets)].filter((t) => !tickets.has(t.hash));
  return { set: next, changes: changesBetween(set, next, tickets.keys()), disappeared };
};

/** A ticket that leaves the pool after `ticketExpiry` blocks was not selected: it expired, not missed. */
export const missedOrExpired = (net: NetParams, ticket: PoolTicket, height: number): "missed" | "expired" =>
  ticket.height > 0 && height - ticket.height >= net.ticketExpiry ? "expired" : "missed";

// ---- hcd's answer to a vote ----

/**
 * What a refusal of a vote by hcd's sendrawtransaction means (HC-PROTOCOL §8.5, §11): the
 * identical vote is already in its mempool ("already have transaction …") or already mined
 * ("transaction already exists"), i.e. another node of the pool sent it first: "duplicate". The
 * ticket was spent by another vote (the owner's own wallet may vote it too) and hcd sees the
 * ticket's output as fully spent ("orphan transaction … references outputs of unknown or
 * fully-spent transaction <ticket>"): "spent-elsewhere". Anything else: "failed".
 */
export const voteRefusal = (
  message: string,
  ticketHash: string,
): "duplicate" | "spent-elsewhere" | "failed" =>
  message.includes("already have transaction") || message.endsWith(": transaction already exists")
    ? "duplicate"
    : message.includes(`references outputs of unknown or fully-spent transaction ${ticketHash}`)
    ? "spent-elsewhere"
    : "failed";

// ---- one vote per ticket and block ----

/**
 * The winners this node is voting or has voted, by block hash. hcd announces a block's winners
 * again on `rebroadcastwinners` (which any client of that hcd, hcwallet included, may ask for), so
 * an announcement is no proof that the vote is still to be made.
 */
export type VoteClaims = ReadonlyMap<
  string,
  { readonly height: number; readonly tickets: ReadonlySet<string> }
>;

export const emptyVoteClaims: VoteClaims = new Map();

/** Only the tip's winners can vote; blocks this far below the newest claimed one are forgotten. */
export const VOTE_CLAIM_DEPTH = 3;

/** Claims the winners of a block that are not claimed yet; returns them and the updated claims. */
export const claimWinners = (
  claims: VoteClaims,
  blockHash: string,
  height: number,
  winners: ReadonlyArray<string>,
): { readonly claims: VoteClaims; readonly claimed: ReadonlyArray<string> } => {
  const newest = Math.max(height, ...[...claims.values()].map((c) => c.height));
  const next = new Map([...claims].filter(([, c]) => c.height > newest - VOTE_CLAIM_DEPTH));
  // A block that far behind is no longer the tip: a vote on it would be refused.
  if (height <= newest - VOTE_CLAIM_DEPTH) return { claims: next, claimed: [] };
  const before = claims.get(blockHash)?.tickets ?? new Set<string>();
  const claimed = [...new Set(winners)].filter((t) => !before.has(t));
  next.set(blockHash, { height, tickets: new Set([...before, ...claimed]) });
  return { claims: next, claimed };
};

/** Gives a claim back (the ticket was not voted), so a later announcement of the block can vote it. */
export const releaseClaim = (claims: VoteClaims, blockHash: string, ticket: string): VoteClaims => {
  const c = claims.get(blockHash);
  if (c === undefined || !c.tickets.has(ticket)) return claims;
  const tickets = new Set(c.tickets);
  tickets.delete(ticket);
  return new Map(claims).set(blockHash, { height: c.height, tickets });
};
