// Rows of the pool's tables. Field names are the original hcstakepool column names (the
// original's columns are nullable, so a NULL left by an old database reads as "" or 0).
import { Data, Either, Option, Schema } from "effect";

const Text = Schema.transform(Schema.NullOr(Schema.String), Schema.String, {
  strict: true,
  decode: (s) => s ?? "",
  encode: (s) => s,
});
// mysql2 returns BIGINT beyond 2^53 as a string; ids and heights never get there.
const Int = Schema.transform(
  Schema.NullOr(Schema.Union(Schema.Number, Schema.NumberFromString)),
  Schema.Number,
  {
    strict: true,
    decode: (n) => n ?? 0,
    encode: (n) => n,
  },
);
// mysql2 returns Buffer (a Uint8Array subclass), node:sqlite a Uint8Array; normalize to the latter.
const Bytes = Schema.transform(Schema.NullOr(Schema.Uint8ArrayFromSelf), Schema.Uint8ArrayFromSelf, {
  strict: true,
  decode: (b) => (b === null ? new Uint8Array() : new Uint8Array(b)),
  encode: (b) => b,
});

/** EmailVerified values. */
export const EmailVerification = { unverified: 0, verified: 1, grandfathered: 2 } as const;

export class User extends Schema.Class<User>("User")({
  /** Also the HD derivation index of the user's ticket and fee addresses (< 10000). */
  UserId: Schema.Number,
  Email: Text,
  Username: Text,
  /** bcrypt hash string as bytes. */
  Password: Bytes,
  MultiSigAddress: Text,
  MultiSigScript: Text,
  PoolPubKeyAddr: Text,
  UserPubKeyAddr: Text,
  UserFeeAddr: Text,
  HeightRegistered: Int,
  EmailVerified: Int,
  EmailToken: Text,
  APIToken: Text,
  VoteBits: Int,
  VoteBitsVersion: Int,
}) {}

export class EmailChange extends Schema.Class<EmailChange>("EmailChange")({
  EmailChangeID: Schema.Number,
  UserId: Int,
  NewEmail: Text,
  Token: Text,
  Created: Int,
  Expires: Int,
}) {}

export class PasswordReset extends Schema.Class<PasswordReset>("PasswordReset")({
  PasswordResetID: Schema.Number,
  UserId: Int,
  Token: Text,
  Created: Int,
  Expires: Int,
}) {}

export class LowFeeTicket extends Schema.Class<LowFeeTicket>("LowFeeTicket")({
  LowFeeTicketID: Schema.Number,
  AddedByUid: Int,
  TicketAddress: Text,
  TicketHash: Text,
  TicketExpiry: Int,
  Voted: Int,
  Created: Int,
  Expires: Int,
}) {}

/** What stakepoold needs per user (SetUserVotingPrefs). */
export class UserVotingConfig extends Schema.Class<UserVotingConfig>("UserVotingConfig")({
  UserId: Schema.Number,
  MultiSigAddress: Text,
  VoteBits: Int,
  VoteBitsVersion: Int,
}) {}

/** A registered user's redeem script and the height the wallets rescan from when importing it. */
export class RegisteredScript extends Schema.Class<RegisteredScript>("RegisteredScript")({
  MultiSigScript: Text,
  HeightRegistered: Int,
}) {}

/** A server-side session. The cookie carries a random id; only its SHA-256 is stored. */
export class Session extends Schema.Class<Session>("Session")({
  SessionHash: Schema.String,
  /** 0 for a visitor who has not signed in. */
  UserId: Int,
  /** Opaque to storage (the web layer keeps CSRF token, flashes… here as JSON). */
  Data: Text,
  Created: Int,
  LastSeen: Int,
  Expires: Int,
}) {}

export class AuditEntry extends Schema.Class<AuditEntry>("AuditEntry")({
  AuditId: Schema.Number,
  Created: Int,
  ActorUserId: Int,
  ActorIp: Text,
  Action: Text,
  Detail: Text,
}) {}

/** Email change and password reset tokens live one hour. */
export const TOKEN_LIFETIME_SECONDS = 3600;

export class TokenNotFound extends Data.TaggedError("TokenNotFound")<Record<never, never>> {
  override get message() {
    return "token not valid";
  }
}
export class TokenExpired extends Data.TaggedError("TokenExpired")<Record<never, never>> {
  override get message() {
    return "token has expired";
  }
}

/** A token row looked up by its token: usable, unknown, or past its Expires (unix s). */
export const validToken = <A extends { readonly Expires: number }>(
  row: Option.Option<A>,
  now: number,
): Either.Either<A, TokenNotFound | TokenExpired> =>
  Option.isNone(row)
    ? Either.left(new TokenNotFound())
    : row.value.Expires <= now
    ? Either.left(new TokenExpired())
    : Either.right(row.value);
