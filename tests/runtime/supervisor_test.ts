import assert from "node:assert/strict";
import { Cause, Effect, Logger, LogLevel, Ref, Scope, TestClock, TestContext } from "effect";
import { type LoopState, Supervisor } from "../../src/runtime/supervisor.ts";

/** Error-level log lines, as message + annotations, instead of printing them. */
const errorsInto = (lines: string[]) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message, annotations, cause }) => {
      if (LogLevel.greaterThanEqual(logLevel, LogLevel.Error)) {
        lines.push(
          `${[message].flat().join(" ")} ${JSON.stringify(Object.fromEntries(annotations))} ${
            Cause.pretty(cause)
          }`,
        );
      }
    }),
  );

/** Lets the forked loops run until `check` holds; fails the test when they never get there. */
const until = <E, R>(what: string, check: Effect.Effect<boolean, E, R>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 1000; i++) {
      if (yield* check) return;
      yield* Effect.yieldNow();
    }
    assert.fail(`never reached: ${what}`);
  });

const loopNamed = (name: string) =>
  Effect.flatMap(Supervisor, (s) => Effect.map(s.loops, (all) => all.find((l) => l.name === name)));

const stateIs = (name: string, expected: Partial<LoopState>) =>
  Effect.map(loopNamed(name), (l) =>
    l !== undefined &&
    Object.entries(expected).every(([k, v]) => (l as unknown as Record<string, unknown>)[k] === v));

const run = <A, E>(effect: Effect.Effect<A, E, Supervisor | Scope.Scope>, lines: string[]) =>
  effect.pipe(
    Effect.scoped,
    Effect.provide(Supervisor.layer({ initialDelay: "1 second", maxDelay: "4 seconds" })),
    Effect.provide(errorsInto(lines)),
    Effect.provide(TestContext.TestContext),
    Effect.runPromise,
  );

Deno.test("supervisor: a loop that dies is logged with its cause, restarted after the delay and shown as such", async () => {
  const lines: string[] = [];
  await run(
    Effect.gen(function* () {
      const supervisor = yield* Supervisor;
      const starts = yield* Ref.make(0);
      // Dies on its first two runs, then keeps running.
      const loop = Effect.flatMap(
        Ref.updateAndGet(starts, (n) => n + 1),
        (n) => (n <= 2 ? Effect.die(new Error(`boom ${n}`)) : Effect.never),
      );
      yield* supervisor.supervise("keeper", loop);
      yield* until(
        "first death",
        stateIs("keeper", { state: "restarting", restarts: 0, lastError: "boom 1" }),
      );
      yield* TestClock.adjust("999 millis");
      assert.equal(yield* Ref.get(starts), 1, "not restarted before the delay");
      yield* TestClock.adjust("1 millis");
      yield* until(
        "second death",
        stateIs("keeper", { state: "restarting", restarts: 1, lastError: "boom 2" }),
      );
      // The delay doubled.
      yield* TestClock.adjust("1 second");
      assert.equal(yield* Ref.get(starts), 2);
      yield* TestClock.adjust("1 second");
      yield* until("running again", stateIs("keeper", { state: "running", restarts: 2 }));
      assert.equal(yield* Ref.get(starts), 3);
      const keeper = yield* loopNamed("keeper");
      assert.ok(keeper?.lastErrorAt instanceof Date);
    }),
    lines,
  );
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.match(lines[0], /background loop "keeper" ended \(boom 1\); restarting in 1s/);
  assert.match(lines[0], /Error: boom 1/);
  assert.match(lines[0], /"loop":"keeper"/);
  assert.match(lines[1], /ended \(boom 2\); restarting in 2s/);
});

Deno.test("supervisor: the restart delay doubles up to the cap; a loop that returns or fails is restarted too", async () => {
  const lines: string[] = [];
  await run(
    Effect.gen(function* () {
      const supervisor = yield* Supervisor;
      const failures = yield* Ref.make(0);
      yield* supervisor.supervise(
        "reload",
        Effect.zipRight(Ref.update(failures, (n) => n + 1), Effect.fail({ message: "database refused" })),
      );
      yield* supervisor.supervise("pump", Effect.void);
      yield* until("both ended once", Effect.map(Ref.get(failures), (n) => n === 1));
      yield* until(
        "pump restarting",
        stateIs("pump", { state: "restarting", lastError: "the loop returned" }),
      );
      // Delays 1, 2, 4, then 4 again (capped): starts at 0, 1, 3, 7 and 11 seconds.
      for (const [seconds, expected] of [[1, 2], [2, 3], [4, 4], [4, 5]] as const) {
        yield* TestClock.adjust(`${seconds - 0.001} seconds`);
        assert.equal(yield* Ref.get(failures), expected - 1, `before ${seconds}s`);
        yield* TestClock.adjust("1 millis");
        yield* until(`run ${expected}`, Effect.map(Ref.get(failures), (n) => n === expected));
      }
      yield* until("reload shown", stateIs("reload", { restarts: 4, lastError: "database refused" }));
      assert.deepEqual(
        (yield* supervisor.loops).map((l) => l.name),
        ["reload", "pump"],
      );
    }),
    lines,
  );
  assert.ok(lines.some((l) => /"pump" ended \(the loop returned\)/.test(l)));
  assert.ok(lines.some((l) => /"reload" ended \(database refused\); restarting in 4s/.test(l)));
});

Deno.test("supervisor: closing the scope ends a loop without a restart or an error line", async () => {
  const lines: string[] = [];
  await run(
    Effect.gen(function* () {
      const supervisor = yield* Supervisor;
      const started = yield* Ref.make(false);
      const ended = yield* Ref.make(false);
      const scope = yield* Scope.make();
      const loop = Effect.zipRight(
        Ref.set(started, true),
        Effect.onInterrupt(Effect.never, () => Ref.set(ended, true)),
      );
      yield* supervisor.supervise("feed", loop).pipe(Scope.extend(scope));
      yield* until("running", Ref.get(started));
      yield* Scope.close(scope, { _tag: "Success", value: undefined } as never);
      assert.equal(yield* Ref.get(ended), true);
      yield* TestClock.adjust("1 minute");
      yield* until("still not restarted", stateIs("feed", { state: "running", restarts: 0 }));
    }),
    lines,
  );
  assert.deepEqual(lines, []);
});
