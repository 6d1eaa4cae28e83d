// The Users table: accounts, their multisig ticket address and vote preferences.
import * as SqlClient from "@effect/sql/SqlClient";
import type { SqlError } from "@effect/sql/SqlError";
import * as SqlSchema from "@effect/sql/SqlSchema";
import { Context, Data, Effect, Layer, Option, Schema } from "effect";
import { Buffer } from "node:buffer";
import { EmailVerification, RegisteredScript, User, UserVotingConfig } from "../domain/models.ts";
import { decodedRows, isDuplicateKey, writeResult } from "./sql.ts";

/** UserId is the HD derivation index of the user's addresses, which must stay below 10000. */
export const MAX_USER_ID = 9999;

export class EmailTaken extends Data.TaggedError("EmailTaken")<{ readonly email: string }> {
  override get message() {
    return `the email address ${this.email} is already in use`;
  }
}
export class UserIdsExhausted extends Data.TaggedError("UserIdsExhausted")<Record<never, never>> {
  override get message() {
    return `no user ids left: UserId is an address derivation index and must stay at or below ${MAX_USER_ID}`;
  }
}
export class UserNotFound extends Data.TaggedError("UserNotFound")<{ readonly userId: number }> {
  override get message() {
    return `no user with id ${this.userId}`;
  }
}
export class AddressAlreadySet extends Data.TaggedError("AddressAlreadySet")<{ readonly userId: number }> {
  override get message() {
    return `user ${this.userId} already has a ticket address`;
  }
}

/** Users.Email is varchar(255): counted in characters, as MySQL does. */
export const MAX_EMAIL_LENGTH = 255;

export class EmailTooLong extends Data.TaggedError("EmailTooLong")<{ readonly length: number }> {
  override get message() {
    return `email address too long: ${this.length} characters, at most ${MAX_EMAIL_LENGTH}`;
  }
}

/** Refuses what MySQL would refuse (strict mode) or truncate (non-strict), on both stores alike. */
const checkEmail = (email: string) => {
  const length = [...email].length;
  return length > MAX_EMAIL_LENGTH ? Effect.fail(new EmailTooLong({ length })) : Effect.void;
};

export interface NewUser {
  readonly email: string;
  /** bcrypt hash. */
  readonly passwordHash: string;
  readonly emailToken: string;
  readonly voteBits: number;
  readonly voteBitsVersion: number;
  readonly emailVerified?: number;
}

/** What address submission stores, all at once. */
export interface MultisigFields {
  readonly MultiSigAddress: string;
  readonly MultiSigScript: string;
  readonly PoolPubKeyAddr: string;
  readonly UserPubKeyAddr: string;
  readonly UserFeeAddr: string;
  readonly HeightRegistered: number;
}

export interface UsersApi {
  /**
   * Race-free: a concurrent sign-up with the same email fails with EmailTaken. A refused sign-up
   * does not use up a user id.
   */
  readonly create: (
    user: NewUser,
  ) => Effect.Effect<User, EmailTaken | EmailTooLong | UserIdsExhausted | SqlError>;
  readonly byId: (userId: number) => Effect.Effect<Option.Option<User>, SqlError>;
  /** Compared with the column's collation (case-insensitive, as the original on MySQL). */
  readonly byEmail: (email: string) => Effect.Effect<Option.Option<User>, SqlError>;
  readonly byEmailToken: (token: string) => Effect.Effect<Option.Option<User>, SqlError>;
  readonly byApiToken: (token: string) => Effect.Effect<Option.Option<User>, SqlError>;
  /** Marks the email verified and clears the token; None if no user has this token. */
  readonly verifyEmail: (token: string) => Effect.Effect<Option.Option<User>, SqlError>;
  readonly setPassword: (
    userId: number,
    passwordHash: string,
  ) => Effect.Effect<void, UserNotFound | SqlError>;
  readonly setEmail: (
    userId: number,
    email: string,
  ) => Effect.Effect<void, EmailTaken | EmailTooLong | UserNotFound | SqlError>;
  /** Only for a user without an address yet (one address per account). */
  readonly setMultisig: (
    userId: number,
    fields: MultisigFields,
  ) => Effect.Effect<User, AddressAlreadySet | UserNotFound | SqlError>;
  readonly setVoteBits: (
    userId: number,
    voteBits: number,
    voteBitsVersion: number,
  ) => Effect.Effect<void, UserNotFound | SqlError>;
  readonly setApiToken: (userId: number, token: string) => Effect.Effect<void, UserNotFound | SqlError>;
  readonly count: Effect.Effect<number, SqlError>;
  /** Users with a ticket address. */
  readonly countActive: Effect.Effect<number, SqlError>;
  /**
   * For a new wallet vote version: users on another version move to it with VoteBits 1; users
   * whose bits are not valid for it get 1. Returns how many users changed.
   */
  readonly resetVoteBits: (
    voteVersion: number,
    isValid: (voteBits: number) => boolean,
  ) => Effect.Effect<number, SqlError>;
  /** Every user with a ticket address, for stakepoold. */
  readonly votingConfigs: Effect.Effect<ReadonlyArray<UserVotingConfig>, SqlError>;
  /** Every registered redeem script, for the wallet sync. */
  readonly registeredScripts: Effect.Effect<ReadonlyArray<RegisteredScript>, SqlError>;
}

export class Users extends Context.Tag("hcstakepool/Users")<Users, UsersApi>() {
  static readonly layer = Layer.effect(Users, Effect.suspend(() => makeUsers));
}

const passwordBytes = (hash: string) => Buffer.from(hash, "utf8");

const makeUsers = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient;

  const findOne = (where: (value: string | number) => Effect.Effect<ReadonlyArray<unknown>, SqlError>) =>
    SqlSchema.findOne({ Request: Schema.Union(Schema.String, Schema.Number), Result: User, execute: where });
  const byIdQuery = findOne((id) => sql`SELECT * FROM Users WHERE UserId = ${id}`);

  const mustChange = (userId: number) => (raw: unknown) =>
    writeResult(raw).affectedRows === 0 ? Effect.fail(new UserNotFound({ userId })) : Effect.void;
  const mapEmailTaken = (email: string) => (e: SqlError): Effect.Effect<never, EmailTaken | SqlError> =>
    isDuplicateKey(e) ? Effect.fail(new EmailTaken({ email })) : Effect.fail(e);

  const get = (userId: number) => decodedRows(byIdQuery(userId));

  const api: UsersApi = {
    create: (user) =>
      Effect.zipRight(
        checkEmail(user.email),
        sql.withTransaction(
          Effect.gen(function* () {
            // InnoDB spends an auto-increment id on an insert the unique index refuses, and ids are
            // derivation indexes (at most MAX_USER_ID): a known email is refused before inserting.
            // The index still decides a race between two sign-ups of one email.
            if (Option.isSome(yield* api.byEmail(user.email))) {
              return yield* new EmailTaken({ email: user.email });
            }
            const raw = yield* sql`
            INSERT INTO Users (Email, Username, Password, MultiSigAddress, MultiSigScript, PoolPubKeyAddr,
              UserPubKeyAddr, UserFeeAddr, HeightRegistered, EmailVerified, EmailToken, APIToken, VoteBits,
              VoteBitsVersion)
            VALUES (${user.email}, ${user.email}, ${passwordBytes(user.passwordHash)}, '', '', '', '', '', 0,
              ${user.emailVerified ?? EmailVerification.unverified}, ${user.emailToken}, '', ${user.voteBits},
              ${user.voteBitsVersion})`.raw.pipe(Effect.catchAll(mapEmailTaken(user.email)));
            const { insertId } = writeResult(raw);
            // Rolls the insert back: this id cannot be a derivation index.
            if (insertId > MAX_USER_ID) return yield* new UserIdsExhausted();
            return Option.getOrThrow(yield* get(insertId));
          }),
        ),
      ),
    byId: get,
    byEmail: (email) => decodedRows(findOne((e) => sql`SELECT * FROM Users WHERE Email = ${e}`)(email)),
    byEmailToken: (token) =>
      token === ""
        ? Effect.succeedNone
        : decodedRows(findOne((t) => sql`SELECT * FROM Users WHERE EmailToken = ${t}`)(token)),
    byApiToken: (token) =>
      token === ""
        ? Effect.succeedNone
        : decodedRows(findOne((t) => sql`SELECT * FROM Users WHERE APIToken = ${t}`)(token)),
    verifyEmail: (token) =>
      token === "" ? Effect.succeedNone : sql.withTransaction(
        Effect.gen(function* () {
          const found = yield* api.byEmailToken(token);
          if (Option.isNone(found)) return found;
          yield* sql`UPDATE Users SET EmailVerified = ${EmailVerification.verified}, EmailToken = ''
                     WHERE UserId = ${found.value.UserId}`;
          return yield* get(found.value.UserId);
        }),
      ),
    setPassword: (userId, passwordHash) =>
      sql`UPDATE Users SET Password = ${passwordBytes(passwordHash)} WHERE UserId = ${userId}`.raw.pipe(
        Effect.flatMap(mustChange(userId)),
      ),
    setEmail: (userId, email) =>
      Effect.zipRight(
        checkEmail(email),
        sql`UPDATE Users SET Email = ${email}, Username = ${email} WHERE UserId = ${userId}`.raw.pipe(
          Effect.catchAll(mapEmailTaken(email)),
          Effect.flatMap(mustChange(userId)),
        ),
      ),
    setMultisig: (userId, f) =>
      sql.withTransaction(
        Effect.gen(function* () {
          const raw = yield* sql`
            UPDATE Users SET MultiSigAddress = ${f.MultiSigAddress}, MultiSigScript = ${f.MultiSigScript},
              PoolPubKeyAddr = ${f.PoolPubKeyAddr}, UserPubKeyAddr = ${f.UserPubKeyAddr},
              UserFeeAddr = ${f.UserFeeAddr}, HeightRegistered = ${f.HeightRegistered}
            WHERE UserId = ${userId} AND (UserPubKeyAddr = '' OR UserPubKeyAddr IS NULL)
              AND (MultiSigAddress = '' OR MultiSigAddress IS NULL)`.raw;
          const user = yield* get(userId);
          if (Option.isNone(user)) return yield* new UserNotFound({ userId });
          if (writeResult(raw).affectedRows === 0) return yield* new AddressAlreadySet({ userId });
          return user.value;
        }),
      ),
    setVoteBits: (userId, voteBits, voteBitsVersion) =>
      sql`UPDATE Users SET VoteBits = ${voteBits}, VoteBitsVersion = ${voteBitsVersion} WHERE UserId = ${userId}`
        .raw.pipe(Effect.flatMap(mustChange(userId))),
    setApiToken: (userId, token) =>
      sql`UPDATE Users SET APIToken = ${token} WHERE UserId = ${userId}`.raw.pipe(
        Effect.flatMap(mustChange(userId)),
      ),
    count: Effect.map(sql<{ n: number }>`SELECT COUNT(*) AS n FROM Users`, ([r]) => Number(r.n)),
    countActive: Effect.map(
      sql<{ n: number }>`SELECT COUNT(*) AS n FROM Users WHERE MultiSigAddress <> ''`,
      ([r]) => Number(r.n),
    ),
    resetVoteBits: (voteVersion, isValid) =>
      sql.withTransaction(
        Effect.gen(function* () {
          const moved = yield* sql`
            UPDATE Users SET VoteBits = 1, VoteBitsVersion = ${voteVersion}
            WHERE VoteBitsVersion <> ${voteVersion} OR VoteBitsVersion IS NULL`.raw;
          const distinct = yield* sql<{ VoteBits: number }>`
            SELECT DISTINCT VoteBits FROM Users WHERE VoteBits <> 1 AND VoteBits IS NOT NULL`;
          const invalid = distinct.map((r) => Number(r.VoteBits)).filter((bits) => !isValid(bits));
          const reset = invalid.length === 0
            ? 0
            : writeResult(yield* sql`UPDATE Users SET VoteBits = 1 WHERE ${sql.in("VoteBits", invalid)}`.raw)
              .affectedRows;
          return writeResult(moved).affectedRows + reset;
        }),
      ),
    votingConfigs: decodedRows(
      SqlSchema.findAll({
        Request: Schema.Void,
        Result: UserVotingConfig,
        execute: () =>
          sql`SELECT UserId, MultiSigAddress, VoteBits, VoteBitsVersion FROM Users
              WHERE MultiSigAddress <> '' ORDER BY UserId`,
      })(undefined),
    ),
    registeredScripts: decodedRows(
      SqlSchema.findAll({
        Request: Schema.Void,
        Result: RegisteredScript,
        execute: () =>
          sql`SELECT MultiSigScript, HeightRegistered FROM Users
              WHERE MultiSigScript <> '' ORDER BY UserId`,
      })(undefined),
    ),
  };
  return api;
});
