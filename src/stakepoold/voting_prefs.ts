// Where stakepoold's users, their vote preferences and the admin-added low-fee tickets come from
// (behaviour §6.3, §6.5; issue 9 item 2). The database is the truth: read at start, again
// every reload interval (norpclisten's only source, otherwise a safety net beside the web app's
// pushes). Everything loaded or pushed is kept in a local snapshot in datadir, used only when the
// database cannot be reached at start, so a restart during a database outage still votes with
// the owners' bits; the database is retried with backoff and used as soon as it answers.
import {
  Clock,
  Context,
  Data,
  Duration,
  Effect,
  ExecutionStrategy,
  Exit,
  Layer,
  Ref,
  Schedule,
  Schema,
  Scope,
} from "effect";
import { dirname } from "node:path";
import type { DatabaseConfig } from "../config/database.ts";
import { TicketEntry, UserVotingConfigEntry } from "../rpc/stakepoold_protocol.ts";
import { Supervisor } from "../runtime/supervisor.ts";
import { databaseLayer } from "../storage/database.ts";
import { LowFeeTickets } from "../storage/low_fee_tickets.ts";
import { describeStore } from "../storage/sql.ts";
import { isDatabaseUnreachable } from "../storage/unreachable.ts";
import { Users } from "../storage/users.ts";
import { TicketKeeper } from "./ticket_keeper.ts";
import { Voter } from "./voter.ts";

export type PrefsSource = "database" | "snapshot" | "pushed" | "none";
export type DatabaseState = "answering" | "unreachable";

export interface VotingPrefsStatus {
  /** Where the preferences in use last came from ("none": nothing known yet). */
  readonly prefsSource: PrefsSource;
  /** Whether the database answered the last attempt to read it. */
  readonly database: DatabaseState;
  /** Why it did not (never a password). */
  readonly databaseError?: string;
}

export interface VotingPrefsOptions {
  readonly database: DatabaseConfig;
  /** The local snapshot: a versioned JSON file in datadir. */
  readonly snapshotFile: string;
  /** How often the database is read again once it answered. */
  readonly reloadInterval: Duration.DurationInput;
  /** While the database cannot be reached: the first retry delay, doubled up to `max`. */
  readonly retry: { readonly initial: Duration.DurationInput; readonly max: Duration.DurationInput };
}

export interface VotingPrefsApi {
  /** The web app's SetUserVotingPrefs; applied (and kept in the snapshot) when the effect completes. */
  readonly pushUsers: (users: ReadonlyArray<UserVotingConfigEntry>) => Effect.Effect<void>;
  /** The web app's SetAddedLowFeeTickets, likewise. */
  readonly pushAddedLowFeeTickets: (tickets: ReadonlyArray<TicketEntry>) => Effect.Effect<void>;
  readonly status: Effect.Effect<VotingPrefsStatus>;
}

/** The database refused stakepoold at start (wrong password, no such database…): a configuration error. */
export class DatabaseRefused extends Data.TaggedError("DatabaseRefused")<{
  readonly store: string;
  readonly detail: string;
}> {
  override get message() {
    return `database ${this.store} refused: ${this.detail}`;
  }
}

/** What the snapshot file holds (version 1). */
export const PrefsSnapshot = Schema.Struct({
  version: Schema.Literal(1),
  savedAt: Schema.Date,
  users: Schema.Array(UserVotingConfigEntry),
  addedLowFeeTickets: Schema.Array(TicketEntry),
});
export type PrefsSnapshot = typeof PrefsSnapshot.Type;

const decodeSnapshot = Schema.decodeUnknownEither(Schema.parseJson(PrefsSnapshot));
const encodeSnapshot = Schema.encodeSync(Schema.parseJson(PrefsSnapshot, { space: 2 }));

/** One attempt to reach and read the database gives up after this long. */
const DATABASE_ATTEMPT_TIMEOUT = Duration.seconds(15);

/** The error and its causes, outermost first. */
const causeChain = (error: unknown): ReadonlyArray<unknown> => {
  const chain: unknown[] = [];
  for (
    let e = error;
    e !== undefined && e !== null && chain.length < 8;
    e = (e as { cause?: unknown }).cause
  ) {
    chain.push(e);
  }
  return chain;
};

/** The innermost message: what the server or the socket said ("Access denied for user …"). */
const detailOf = (error: unknown): string => {
  const messages = causeChain(error).flatMap((e) =>
    typeof e === "object" && e !== null && "message" in e && typeof e.message === "string" && e.message !== ""
      ? [e.message]
      : []
  );
  return messages.at(-1) ?? String(error);
};

/** One attempt got no answer in time: the server is there but does not serve. */
class DatabaseNoAnswer extends Data.TaggedError("DatabaseNoAnswer")<{ readonly after: Duration.Duration }> {
  override get message() {
    return `no answer within ${Duration.format(this.after)}`;
  }
}

/**
 * Whether a failure to use the database at start means "unreachable for now" (vote from the
 * snapshot, retry) rather than a refusal that retrying will not mend (wrong password, no such
 * database, a failed migration, the embedded store's file): those stop stakepoold.
 */
const isUnreachable = (database: DatabaseConfig, error: unknown): boolean =>
  database.dbhost !== undefined &&
  (error instanceof DatabaseNoAnswer ||
    isDatabaseUnreachable(error));

export class VotingPrefs extends Context.Tag("hcstakepool/VotingPrefs")<VotingPrefs, VotingPrefsApi>() {
  static readonly live = (options: VotingPrefsOptions) => Layer.scoped(VotingPrefs, makeVotingPrefs(options));
}

const makeVotingPrefs = (options: VotingPrefsOptions) =>
  Effect.gen(function* () {
    const keeper = yield* TicketKeeper;
    const voter = yield* Voter;
    const supervisor = yield* Supervisor;
    const layerScope = yield* Effect.scope;
    const store = describeStore(options.database);

    const source = yield* Ref.make<PrefsSource>("none");
    const database = yield* Ref.make<{ state: DatabaseState; error?: string }>({ state: "unreachable" });
    const lastSaved = yield* Ref.make<string | undefined>(undefined);
    const applying = yield* Effect.makeSemaphore(1);

    const snapshotContent = Effect.map(
      Effect.all([keeper.users, keeper.addedLowFeeTickets]),
      ([users, addedLowFeeTickets]) => JSON.stringify({ users, addedLowFeeTickets }),
    );

    /** Temp file and rename: a crash leaves the old snapshot or the new one, never half of one. */
    const saveSnapshot = Effect.gen(function* () {
      const [users, addedLowFeeTickets] = yield* Effect.all([keeper.users, keeper.addedLowFeeTickets]);
      const savedAt = new Date(yield* Clock.currentTimeMillis);
      const text = encodeSnapshot({ version: 1, savedAt, users, addedLowFeeTickets });
      const temp = `${options.snapshotFile}.tmp`;
      yield* Effect.tryPromise(async () => {
        await Deno.mkdir(dirname(options.snapshotFile), { recursive: true });
        await Deno.writeTextFile(temp, text);
        await Deno.rename(temp, options.snapshotFile);
      });
    }).pipe(
      Effect.catchAll((e) =>
        Effect.logError(`cannot save the voting preferences snapshot ${options.snapshotFile}: ${detailOf(e)}`)
      ),
    );

    /** Applies what is given, records where it came from and keeps it in the snapshot. */
    const apply = (
      from: PrefsSource,
      prefs: {
        readonly users?: ReadonlyArray<UserVotingConfigEntry>;
        readonly added?: ReadonlyArray<TicketEntry>;
      },
    ) =>
      applying.withPermits(1)(Effect.gen(function* () {
        const { newUsers } = prefs.users === undefined
          ? { newUsers: 0 }
          : yield* keeper.setUsers(prefs.users);
        const { newlyAdded } = prefs.added === undefined
          ? { newlyAdded: 0 }
          : yield* keeper.setAddedLowFeeTickets(prefs.added);
        yield* Ref.set(source, from);
        const content = yield* snapshotContent;
        if (from !== "snapshot" && content !== (yield* Ref.get(lastSaved))) {
          yield* saveSnapshot;
          yield* Ref.set(lastSaved, content);
        } else if (from === "snapshot") {
          yield* Ref.set(lastSaved, content);
        }
        // A tip's winner not voted when drawn (owner unknown, low fee) may be votable now.
        if (newUsers > 0) yield* voter.announceWinnersAgain("new users");
        if (newlyAdded > 0) yield* voter.announceWinnersAgain("added low-fee tickets");
      }));

    const restoreSnapshot = Effect.gen(function* () {
      const text = yield* Effect.tryPromise(() => Deno.readTextFile(options.snapshotFile)).pipe(
        Effect.map((t): string | undefined => t),
        Effect.catchAll((e) =>
          Effect.as(
            e.error instanceof Deno.errors.NotFound
              ? Effect.logError(
                `no voting preferences snapshot ${options.snapshotFile}: no user is known until the database answers`,
              )
              : Effect.logError(`cannot read the voting preferences snapshot: ${detailOf(e)}`),
            undefined,
          )
        ),
      );
      if (text === undefined) return;
      const decoded = decodeSnapshot(text);
      if (decoded._tag === "Left") {
        return yield* Effect.logError(`the voting preferences snapshot ${options.snapshotFile} is unusable`)
          .pipe(
            Effect.annotateLogs({ detail: decoded.left.message.split("\n")[0] }),
          );
      }
      const snapshot = decoded.right;
      yield* apply("snapshot", { users: snapshot.users, added: snapshot.addedLowFeeTickets });
      yield* Effect.logWarning("voting with the preferences of the snapshot until the database answers").pipe(
        Effect.annotateLogs({
          savedAt: snapshot.savedAt.toISOString(),
          users: snapshot.users.length,
          addedLowFeeTickets: snapshot.addedLowFeeTickets.length,
        }),
      );
    });

    // The database's repositories, once it answered; built in a child scope so a failed attempt
    // releases what it opened.
    const storage = Layer.provideMerge(
      Layer.mergeAll(Users.layer, LowFeeTickets.layer),
      databaseLayer(options.database),
    );
    const connection = yield* Ref.make<Context.Context<Users | LowFeeTickets> | undefined>(undefined);
    const connect = Effect.gen(function* () {
      const known = yield* Ref.get(connection);
      if (known !== undefined) return known;
      const scope = yield* Scope.fork(layerScope, ExecutionStrategy.sequential);
      const built = yield* Layer.buildWithScope(storage, scope).pipe(
        Effect.onError(() => Scope.close(scope, Exit.void)),
      );
      yield* Ref.set(connection, built);
      return built;
    });
    const load = Effect.gen(function* () {
      const context = yield* connect;
      const [users, added] = yield* Effect.all([
        Effect.flatMap(Users, (u) => u.votingConfigs),
        Effect.flatMap(LowFeeTickets, (l) => l.votable),
      ]).pipe(Effect.provide(context));
      yield* apply("database", {
        users,
        added: added.map((t) => ({ TicketAddress: t.TicketAddress, TicketHash: t.TicketHash })),
      });
      yield* Ref.set(database, { state: "answering" });
    }).pipe(
      Effect.timeoutFail({
        duration: DATABASE_ATTEMPT_TIMEOUT,
        onTimeout: () => new DatabaseNoAnswer({ after: DATABASE_ATTEMPT_TIMEOUT }),
      }),
      Effect.tapError((e) => Ref.set(database, { state: "unreachable", error: detailOf(e) })),
      Effect.withSpan("VotingPrefs.load"),
    );

    const retrying = Schedule.exponential(options.retry.initial).pipe(
      Schedule.either(Schedule.spaced(options.retry.max)),
    );
    const reachAgain = load.pipe(
      Effect.tapError((e) => Effect.logWarning(`database ${store} still unreachable: ${detailOf(e)}`)),
      Effect.retry(retrying),
      Effect.zipRight(Effect.logInfo(`database ${store} answers again; voting with its preferences`)),
    );
    const reloads = load.pipe(
      Effect.catchAll((e) =>
        Effect.logWarning(`reloading voting preferences from the database ${store}: ${detailOf(e)}`)
      ),
      Effect.delay(options.reloadInterval),
      Effect.forever,
    );

    const first = yield* Effect.either(load);
    if (first._tag === "Left") {
      if (!isUnreachable(options.database, first.left)) {
        return yield* Effect.fail(new DatabaseRefused({ store, detail: detailOf(first.left) }));
      }
      yield* Effect.logWarning(`database ${store} cannot be reached at start: ${detailOf(first.left)}`);
      yield* restoreSnapshot;
    }
    yield* supervisor.supervise(
      "database",
      Effect.zipRight(
        Effect.flatMap(Ref.get(database), (d) => d.state === "answering" ? Effect.void : reachAgain),
        reloads,
      ),
    );

    return {
      pushUsers: (users) => apply("pushed", { users }),
      pushAddedLowFeeTickets: (added) => apply("pushed", { added }),
      status: Effect.zipWith(Ref.get(source), Ref.get(database), (prefsSource, d) => ({
        prefsSource,
        database: d.state,
        ...(d.error === undefined ? {} : { databaseError: d.error }),
      })),
    } satisfies VotingPrefsApi;
  });
