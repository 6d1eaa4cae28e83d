// The user counts /stats and the API's stats show, read from the database at most once per TTL
// (3 s) however many ask at once: the page is public, and counting the Users table on every
// request held /stats to a twelfth of a bare handler's rate (issue 15).
// How new they are: counts younger than the TTL are served as they are. The first request after
// the TTL gets the old counts too and starts one read, which every request shares until it is in;
// so a new user or ticket address shows within the TTL plus one read. A failed read is logged and
// drops the old counts: the requests after it wait for a read of their own and see its failure,
// so a database outage shows as one and never as frozen figures.
import type { SqlError } from "@effect/sql/SqlError";
import { Cause, Clock, Context, Deferred, Duration, Effect, Exit, Layer, Option, Ref } from "effect";
import { Users } from "../storage/users.ts";

export interface Counts {
  readonly users: number;
  /** Users with a ticket address. */
  readonly active: number;
}

export interface UserCountsApi {
  /** The counts, at most the TTL old (see above). */
  readonly get: Effect.Effect<Counts, SqlError>;
}

export const USER_COUNTS_TTL: Duration.DurationInput = "3 seconds";

interface Read {
  readonly counts: Counts;
  /** When the read started: the counts are at least this new. */
  readonly atMillis: number;
}

interface State {
  readonly last: Option.Option<Read>;
  readonly reading: Option.Option<Deferred.Deferred<Counts, SqlError>>;
}

const make = (ttl: Duration.DurationInput) =>
  Effect.gen(function* () {
    const users = yield* Users;
    const scope = yield* Effect.scope;
    const ttlMillis = Duration.toMillis(ttl);
    const state = yield* Ref.make<State>({ last: Option.none(), reading: Option.none() });

    /** One read in a fiber of the layer's scope (it outlives the request that started it). */
    const startRead = (done: Deferred.Deferred<Counts, SqlError>) =>
      Effect.gen(function* () {
        const atMillis = yield* Clock.currentTimeMillis;
        const [all, active] = yield* Effect.all([users.count, users.countActive]);
        return { counts: { users: all, active }, atMillis };
      }).pipe(
        Effect.onExit((exit) =>
          Effect.zipRight(
            Ref.set(state, {
              last: Exit.isSuccess(exit) ? Option.some(exit.value) : Option.none(),
              reading: Option.none(),
            }),
            Deferred.done(done, Exit.map(exit, (r) => r.counts)),
          )
        ),
        Effect.catchAllCause((cause) =>
          Cause.isInterruptedOnly(cause)
            ? Effect.void
            : Effect.logWarning("reading the user counts failed", cause)
        ),
        Effect.forkIn(scope),
      );

    const get: UserCountsApi["get"] = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis;
      const { last } = yield* Ref.get(state);
      if (Option.isSome(last) && now - last.value.atMillis < ttlMillis) return last.value.counts;
      const mine = yield* Deferred.make<Counts, SqlError>();
      const [reading, stale] = yield* Ref.modify(state, (s) =>
        Option.isSome(s.reading)
          ? [[s.reading.value, s.last] as const, s]
          : [[mine, s.last] as const, { ...s, reading: Option.some(mine) }]);
      if (reading === mine) {
        yield* startRead(mine);
      }
      return Option.isSome(stale) ? stale.value.counts : yield* Deferred.await(reading);
    });
    return { get } satisfies UserCountsApi;
  });

export class UserCounts extends Context.Tag("hcstakepool/UserCounts")<UserCounts, UserCountsApi>() {
  static readonly layer = (options: { readonly ttl?: Duration.DurationInput } = {}) =>
    Layer.scoped(UserCounts, make(options.ttl ?? USER_COUNTS_TTL));
}
