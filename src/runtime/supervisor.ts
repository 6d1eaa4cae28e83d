// Background loops that must not end while their program runs (a ticket-set keeper, a database
// reload, a notification pump): each runs under the supervisor, which logs why one ended and
// starts it again after a capped, doubling delay, and reports every loop's state for `status`.
import { Cause, Clock, Context, Duration, Effect, Layer, Ref, type Scope } from "effect";

export type LoopRunState = "running" | "restarting";

export interface LoopState {
  readonly name: string;
  readonly state: LoopRunState;
  /** How often the loop was started again since the program started. */
  readonly restarts: number;
  /** The first line of the cause of the last end, and when it happened. */
  readonly lastError?: string;
  readonly lastErrorAt?: Date;
}

export interface SupervisorOptions {
  /** Delay before the first restart; doubled for each restart in a row. Default 1 s. */
  readonly initialDelay?: Duration.DurationInput;
  /** The delay never grows beyond this; a loop that ran this long starts over at initialDelay. Default 1 min. */
  readonly maxDelay?: Duration.DurationInput;
}

export interface SupervisorApi {
  /**
   * Runs `loop` in the background until the caller's scope closes, starting it again whenever it
   * fails, dies or returns. Returns once the loop is forked.
   */
  readonly supervise: <E, R>(
    name: string,
    loop: Effect.Effect<unknown, E, R>,
  ) => Effect.Effect<void, never, R | Scope.Scope>;
  /** Every supervised loop, in the order they were started. */
  readonly loops: Effect.Effect<ReadonlyArray<LoopState>>;
}

export class Supervisor extends Context.Tag("hcstakepool/Supervisor")<Supervisor, SupervisorApi>() {
  static readonly layer = (options: SupervisorOptions = {}) =>
    Layer.effect(Supervisor, makeSupervisor(options));
}

/** The cause as one line: the typed error's message, a defect's message, or the first line of the rest. */
export const causeLine = (cause: Cause.Cause<unknown>): string => {
  const [first] = [...Cause.failures(cause), ...Cause.defects(cause)];
  if (first instanceof Error) return first.message;
  if (typeof first === "object" && first !== null && "message" in first) return String(first.message);
  if (first !== undefined) return String(first);
  return Cause.isInterruptedOnly(cause) ? "interrupted" : Cause.pretty(cause).split("\n")[0];
};

const makeSupervisor = (options: SupervisorOptions) =>
  Effect.gen(function* () {
    const initial = Duration.decode(options.initialDelay ?? Duration.seconds(1));
    const max = Duration.decode(options.maxDelay ?? Duration.minutes(1));
    const states = yield* Ref.make<ReadonlyArray<LoopState>>([]);
    const update = (name: string, f: (s: LoopState) => LoopState) =>
      Ref.update(states, (all) => all.map((s) => (s.name === name ? f(s) : s)));

    const supervise = <E, R>(name: string, loop: Effect.Effect<unknown, E, R>) =>
      Effect.gen(function* () {
        const started: LoopState = { name, state: "running", restarts: 0 };
        yield* Ref.update(states, (all) => [...all.filter((s) => s.name !== name), started]);
        const runOnce = Effect.gen(function* () {
          const startedAt = yield* Clock.currentTimeMillis;
          const exit = yield* Effect.exit(loop);
          const ranFor = Duration.millis((yield* Clock.currentTimeMillis) - startedAt);
          return { cause: exit._tag === "Failure" ? exit.cause : undefined, ranFor };
        });
        const forever = Effect.gen(function* () {
          let delay = initial;
          while (true) {
            const { cause, ranFor } = yield* runOnce;
            // A loop that ran long enough was healthy: its next restart is quick again.
            if (Duration.greaterThanOrEqualTo(ranFor, max)) delay = initial;
            const line = cause === undefined ? "the loop returned" : causeLine(cause);
            const at = new Date(yield* Clock.currentTimeMillis);
            yield* update(name, (s) => ({ ...s, state: "restarting", lastError: line, lastErrorAt: at }));
            const message = `background loop "${name}" ended (${line}); restarting in ${
              Duration.format(delay)
            }`;
            yield* (cause === undefined ? Effect.logError(message) : Effect.logError(message, cause)).pipe(
              Effect.annotateLogs({ loop: name }),
            );
            yield* Effect.sleep(delay);
            yield* update(name, (s) => ({ ...s, state: "running", restarts: s.restarts + 1 }));
            delay = Duration.min(Duration.times(delay, 2), max);
          }
        });
        yield* Effect.forkScoped(forever);
      });

    return { supervise, loops: Ref.get(states) } satisfies SupervisorApi;
  });
