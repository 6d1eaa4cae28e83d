// stakepoold's control API (replaces the original gRPC StakepooldService, behaviour §6.1): the
// same operations as JSON over HTTPS, each a POST to `/v1/<operation>` with a Schema-typed body
// and answer, plus a websocket at `/v1/events` streaming ticket events. Every request carries
// `Authorization: Bearer <controlsecret>`; the server's certificate is pinned by the clients.
import { Schema } from "effect";

/** The control API's version; a client requires the same major and at least this minor. */
export const CONTROL_API_VERSION = { major: 4, minor: 1, patch: 0 } as const;

const TicketHash = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/));

/**
 * A ticket and its owner's multisig address. The hash is the display hex (the original's gRPC
 * carried the 32 bytes in internal, reversed order).
 */
export const TicketEntry = Schema.Struct({ TicketAddress: Schema.String, TicketHash });
export type TicketEntry = typeof TicketEntry.Type;

export const UserVotingConfigEntry = Schema.Struct({
  UserId: Schema.Int,
  MultiSigAddress: Schema.String,
  VoteBits: Schema.Int.pipe(Schema.between(0, 0xffff)),
  VoteBitsVersion: Schema.Int.pipe(Schema.nonNegative()),
});
export type UserVotingConfigEntry = typeof UserVotingConfigEntry.Type;

export const VersionResponse = Schema.Struct({
  versionString: Schema.String,
  major: Schema.Int,
  minor: Schema.Int,
  patch: Schema.Int,
  prerelease: Schema.String,
  buildMetadata: Schema.String,
});
export type VersionResponse = typeof VersionResponse.Type;

/** What a stakepoold holds and has done since it started (the web app's /status page). */
export const StakepooldStatus = Schema.Struct({
  liveTickets: Schema.Int,
  addedLowFeeTickets: Schema.Int,
  ignoredLowFeeTickets: Schema.Int,
  /** Users whose voting preferences are loaded. */
  userVotingConfigs: Schema.Int,
  /**
   * Votes since start by outcome: accepted by hcd, already there (another node's), refused because
   * another vote spent the ticket first (its owner's wallet voting it too), failed.
   */
  votes: Schema.Struct({
    voted: Schema.Int,
    duplicate: Schema.Int,
    spentElsewhere: Schema.Int,
    failed: Schema.Int,
  }),
  /** The last vote it cast that hcd took or already had; absent before the first since start. */
  lastVote: Schema.optional(Schema.Struct({
    ticket: TicketHash,
    /** The block that selected the ticket. */
    blockHeight: Schema.Int,
    outcome: Schema.Literal("voted", "duplicate"),
    at: Schema.Date,
  })),
  /** Height of the last block hcd announced or the ticket set was rebuilt at; absent before either. */
  bestBlockHeight: Schema.optional(Schema.Int),
  hcdConnected: Schema.Boolean,
  walletConnected: Schema.Boolean,
  /** When the ticket set was last rebuilt from the wallet; absent before the first rebuild. */
  lastResync: Schema.optional(Schema.Date),
  /**
   * Where the users' preferences and the added low-fee tickets in use last came from: read from
   * the database, pushed by the web app, or (the database unreachable at start) the local snapshot.
   */
  prefsSource: Schema.Literal("database", "snapshot", "pushed", "none"),
  /** Whether the database answered stakepoold's last attempt to read it, and if not why. */
  database: Schema.Literal("answering", "unreachable"),
  databaseError: Schema.optional(Schema.String),
  /** stakepoold's background loops: a loop that died is restarted and counted here. */
  loops: Schema.Array(Schema.Struct({
    name: Schema.String,
    state: Schema.Literal("running", "restarting"),
    restarts: Schema.Int,
    lastError: Schema.optional(Schema.String),
    lastErrorAt: Schema.optional(Schema.Date),
  })),
});
export type StakepooldStatus = typeof StakepooldStatus.Type;

const Empty = Schema.Struct({});
const Tickets = Schema.Struct({ tickets: Schema.Array(TicketEntry) });

export interface ControlOperation<
  Req extends Schema.Schema.AnyNoContext,
  Res extends Schema.Schema.AnyNoContext,
> {
  readonly path: string;
  readonly request: Req;
  readonly response: Res;
}

const operation = <Req extends Schema.Schema.AnyNoContext, Res extends Schema.Schema.AnyNoContext>(
  name: string,
  request: Req,
  response: Res,
): ControlOperation<Req, Res> => ({ path: `/v1/${name}`, request, response });

/** The operations, named as in the original StakepooldService (and VersionService). */
export const ControlApi = {
  version: operation("version", Empty, VersionResponse),
  ping: operation("ping", Empty, Empty),
  /** Not in the original: counts, votes and connections for the web app's /status page. */
  status: operation("status", Empty, StakepooldStatus),
  getLiveTickets: operation("getlivetickets", Empty, Tickets),
  getAddedLowFeeTickets: operation("getaddedlowfeetickets", Empty, Tickets),
  getIgnoredLowFeeTickets: operation("getignoredlowfeetickets", Empty, Tickets),
  /** Full replacement of the admin-added low-fee set; answers once applied. */
  setAddedLowFeeTickets: operation("setaddedlowfeetickets", Tickets, Empty),
  /** Full replacement of the users' voting preferences; answers once applied. */
  setUserVotingPrefs: operation(
    "setuservotingprefs",
    Schema.Struct({ userVotingConfig: Schema.Array(UserVotingConfigEntry) }),
    Empty,
  ),
} as const;

export const EVENTS_PATH = "/v1/events";

/** Failures that cross the wire (HTTP 401 / 400 / 500 with this body). */
export class ControlUnauthorized extends Schema.TaggedError<ControlUnauthorized>()("ControlUnauthorized", {
  message: Schema.String,
}) {}
export class ControlBadRequest extends Schema.TaggedError<ControlBadRequest>()("ControlBadRequest", {
  message: Schema.String,
}) {}
export class ControlFailed extends Schema.TaggedError<ControlFailed>()("ControlFailed", {
  message: Schema.String,
}) {}
export const ControlError = Schema.Union(ControlUnauthorized, ControlBadRequest, ControlFailed);
export type ControlError = typeof ControlError.Type;

/**
 * What happens to a pool ticket: `new` (seen for the first time), `live` / `ignored` (its state
 * now, after a fee check or an admin change), `winning` (selected), `voted` (this node's vote was
 * accepted), `duplicate` (hcd already had the vote, e.g. from another node), `vote-failed`,
 * `missed`, `expired`, `spent` (left the pool by a vote or revocation).
 */
export const TicketEventKind = Schema.Literal(
  "new",
  "live",
  "ignored",
  "winning",
  "voted",
  "duplicate",
  "vote-failed",
  "missed",
  "expired",
  "spent",
);
export type TicketEventKind = typeof TicketEventKind.Type;

export const TicketEvent = Schema.Struct({
  kind: TicketEventKind,
  TicketHash,
  TicketAddress: Schema.String,
  /** The block the event belongs to (the selecting block for winning/voted…). */
  blockHeight: Schema.optional(Schema.Int),
  blockHash: Schema.optional(Schema.String),
  voteBits: Schema.optional(Schema.Int),
  /** `voted`: the txid of the vote hcd accepted (the page shows it without asking a wallet). */
  voteTxid: Schema.optional(TicketHash),
  /** Why a fee was refused or a vote failed. */
  detail: Schema.optional(Schema.String),
});
export type TicketEvent = typeof TicketEvent.Type;
