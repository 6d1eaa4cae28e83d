// The programs' logger: debuglevel parsing, per-subsystem levels, text and JSON lines on stderr
// and in the log file, rotation, and no configured secret in any line; then the real stakepoold
// entry writing <logdir>/<net>/stakepoold.log.
import assert from "node:assert/strict";
import { Effect, Either, LogLevel, Redacted } from "effect";
import {
  DEFAULT_LOG_LEVELS,
  loggingLayer,
  type LogSettings,
  parseDebugLevel,
  STAKEPOOLD_PROGRAM,
  SubsystemsRequested,
} from "../../src/runtime/logging.ts";
import { writeCert, xpubOf } from "../config/support.ts";

Deno.test("debuglevel: one level, SUBSYS=level pairs with an optional base, off, show; errors say what is wrong", () => {
  const parse = (text: string) => parseDebugLevel(text, STAKEPOOLD_PROGRAM);
  assert.deepEqual(parse("info"), Either.right(DEFAULT_LOG_LEVELS));
  assert.deepEqual(parse("off"), Either.right({ base: LogLevel.None, bySubsystem: {} }));
  assert.deepEqual(
    parse("warn,votr=trace,DB=critical"),
    Either.right({ base: LogLevel.Warning, bySubsystem: { VOTR: LogLevel.Trace, DB: LogLevel.Fatal } }),
  );
  assert.ok(
    Either.isRight(parse("show")) && parse("show").pipe(Either.getOrThrow) instanceof SubsystemsRequested,
  );
  assert.deepEqual(
    parse("loud"),
    Either.left('unknown level "loud" (trace, debug, info, warn, error, critical, off)'),
  );
  assert.deepEqual(
    parse("HTTP=debug"),
    Either.left('unknown subsystem "HTTP" (supported: STPK, RPCC, FEED, TKTS, VOTR, CTRL, DB)'),
  );
  assert.ok(Either.isLeft(parse("VOTR=debug=x")));
});

/** Runs `program` under the logging layer with stderr captured; returns stderr's text. */
const runLogged = async (settings: LogSettings, program: Effect.Effect<void>, rotateBytes = 1 << 20) => {
  const chunks: Array<Uint8Array> = [];
  const stderr = { writeSync: (p: Uint8Array) => (chunks.push(p.slice()), p.length) };
  await Effect.runPromise(
    Effect.scoped(program.pipe(Effect.provide(loggingLayer(settings, { stderr, rotateBytes })))),
  );
  return chunks.map((c) => new TextDecoder().decode(c)).join("");
};

const withLogDir = async (run: (dir: string) => Promise<void>) => {
  const dir = await Deno.makeTempDir({ prefix: "hcs_logging_" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
};

const settingsIn = (dir: string, over: Partial<LogSettings> = {}): LogSettings => ({
  program: STAKEPOOLD_PROGRAM,
  file: `${dir}/logs/simnet/stakepoold.log`,
  format: "text",
  levels: DEFAULT_LOG_LEVELS,
  secrets: [],
  ...over,
});

const lines = (text: string) => text.split("\n").filter((l) => l !== "");

Deno.test("each subsystem logs at its own level; stderr and the appended log file get the same lines", () =>
  withLogDir(async (dir) => {
    const settings = settingsIn(dir, {
      levels: { base: LogLevel.Warning, bySubsystem: { VOTR: LogLevel.Debug } },
    });
    const program = Effect.gen(function* () {
      yield* Effect.logInfo("main info: below warn");
      yield* Effect.logWarning("main warning");
      yield* Effect.logDebug("voter debug").pipe(Effect.annotateLogs({ subsystem: "VOTR", ticket: "ab" }));
      yield* Effect.logTrace("voter trace: below debug").pipe(Effect.annotateLogs("subsystem", "VOTR"));
      yield* Effect.logInfo("db info: below warn").pipe(Effect.annotateLogs("subsystem", "DB"));
    });
    const first = lines(await runLogged(settings, program));
    assert.equal(first.length, 2, first.join("\n"));
    assert.match(first[0], /^timestamp=\S+ level=WARN subsystem=STPK fiber=#\d+ message="main warning"$/);
    assert.match(
      first[1],
      /^timestamp=\S+ level=DEBUG subsystem=VOTR fiber=#\d+ message="voter debug" ticket=ab$/,
    );
    const second = lines(await runLogged(settings, Effect.logError("second run")));
    const file = lines(await Deno.readTextFile(`${dir}/logs/simnet/stakepoold.log`));
    assert.deepEqual(file, [...first, ...second], "the file is appended to, its directory created");
  }));

Deno.test("logformat json: one object per line with the subsystem among the annotations", () =>
  withLogDir(async (dir) => {
    const out = await runLogged(
      settingsIn(dir, { format: "json" }),
      Effect.logInfo("vote").pipe(Effect.annotateLogs({ subsystem: "VOTR", voteBits: 5 })),
    );
    const [line] = lines(out).map((l) => JSON.parse(l));
    assert.equal(line.message, "vote");
    assert.equal(line.logLevel, "INFO");
    assert.deepEqual(line.annotations, { subsystem: "VOTR", voteBits: 5 });
  }));

Deno.test("no configured password or secret reaches stderr or the log file, however it is logged", () =>
  withLogDir(async (dir) => {
    const password = "hcd-Pa55word-7f3a";
    const secret = 'ctl"secret\\with-quotes';
    const check = async (format: "text" | "json") => {
      const settings = settingsIn(dir, {
        format,
        file: `${dir}/${format}/stakepoold.log`,
        secrets: [Redacted.make(password), Redacted.make(secret)],
      });
      const out = await runLogged(
        settings,
        Effect.gen(function* () {
          yield* Effect.logInfo(`connecting with ${password}`);
          yield* Effect.logInfo("annotated").pipe(
            Effect.annotateLogs({ password, token: Redacted.make(secret) }),
          );
          yield* Effect.logWarning("as a value", Redacted.make(password), { nested: secret });
          yield* Effect.fail(new Error(`auth failed for ${secret} / ${password}`)).pipe(
            Effect.tapErrorCause((cause) => Effect.logError("call failed", cause)),
            Effect.ignore,
          );
        }),
      );
      const file = await Deno.readTextFile(`${dir}/${format}/stakepoold.log`);
      assert.equal(lines(out).length, 4);
      for (const text of [out, file]) {
        for (const s of [password, secret, JSON.stringify(secret).slice(1, -1)]) {
          assert.ok(!text.includes(s), `${format}: a secret reached the log:\n${text}`);
        }
        assert.ok(text.includes("<redacted>"));
      }
      return out;
    };
    const text = await check("text");
    assert.match(text, /message="connecting with <redacted>"/);
    assert.match(text, /token=<redacted>/);
    await check("json");
  }));

Deno.test("the log file rolls over as it grows and keeps three old files", () =>
  withLogDir(async (dir) => {
    const settings = settingsIn(dir);
    const path = settings.file!;
    await runLogged(
      settings,
      Effect.forEach(Array.from({ length: 40 }, (_, i) => i), (i) => Effect.logInfo(`line ${i}`), {
        discard: true,
      }),
      400,
    );
    const sizes = await Promise.all(
      ["", ".1", ".2", ".3"].map((suffix) => Deno.stat(`${path}${suffix}`).then((s) => s.size)),
    );
    for (const size of sizes) assert.ok(size > 0 && size <= 400, `sizes ${sizes}`);
    await assert.rejects(() => Deno.stat(`${path}.4`), Deno.errors.NotFound);
    const newest = lines(await Deno.readTextFile(path));
    assert.match(newest[newest.length - 1], /message="line 39"$/);
    const previous = lines(await Deno.readTextFile(`${path}.1`));
    const firstNewest = Number(/line (\d+)/.exec(newest[0])![1]);
    assert.match(previous[previous.length - 1], new RegExp(`message="line ${firstNewest - 1}"$`));
  }));

Deno.test("a log file that cannot be created fails the logger's start naming logdir", () =>
  withLogDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/logs`, "a file where the directory should be");
    const exit = await Effect.runPromiseExit(
      Effect.scoped(Effect.provide(Effect.void, loggingLayer(settingsIn(dir)))),
    );
    assert.ok(exit._tag === "Failure");
    assert.match(String(exit.cause), /logdir: cannot write the log file .*stakepoold\.log/);
  }));

const ENTRY = new URL("../../stakepoold.ts", import.meta.url).pathname;
/** How long the entry may take to reach a state: minutes, as a loaded 2-core machine may need. */
const WAIT_MS = 180_000;

Deno.test("stakepoold.ts -d show lists the subsystems and exits 0", async () => {
  const out = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", ENTRY, "-d", "show"] }).output();
  assert.equal(out.code, 0);
  const text = new TextDecoder().decode(out.stdout);
  for (const name of Object.keys(STAKEPOOLD_PROGRAM.subsystems)) {
    assert.match(text, new RegExp(`^ {2}${name} `, "m"));
  }
});

Deno.test("stakepoold.ts logs to stderr and <logdir>/<net>/stakepoold.log, no secret in either", () =>
  withLogDir(async (dir) => {
    // hcd and the wallet are not up: stakepoold waits for them, saying so, until SIGTERM.
    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (closed.addr as Deno.NetAddr).port;
    closed.close();
    const secrets = ["hcd-pass-Q9x", "wallet-pass-Z2k", "control-secret-M4t"];
    await writeCert(`${dir}/hcd.cert`);
    await writeCert(`${dir}/wallet.cert`);
    await Deno.writeTextFile(
      `${dir}/stakepoold.conf`,
      [
        "simnet=1",
        `coldwalletextpub=${xpubOf("simnet")}`,
        `hcdhost=127.0.0.1:${port}`,
        "hcduser=u",
        `hcdpassword=${secrets[0]}`,
        "hcdcert=hcd.cert",
        `wallethost=127.0.0.1:${port}`,
        "walletuser=u",
        `walletpassword=${secrets[1]}`,
        "walletcert=wallet.cert",
        `controlsecret=${secrets[2]}`,
        "logdir=var/log",
        "debuglevel=debug",
        "",
      ].join("\n"),
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ENTRY, "-A", dir],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
    let exited = false;
    const status = child.status.finally(() => {
      exited = true;
    });
    const logFile = `${dir}/var/log/simnet/stakepoold.log`;
    const waiting = new RegExp(
      `subsystem=RPCC .*message="waiting for hcd 127\\.0\\.0\\.1:${port} \\(version\\): `,
    );
    // The event awaited: the first "waiting for hcd" line in the file, polled until a deadline
    // generous for a loaded 2-core machine (it comes after the 10 000 fee addresses are derived).
    const sawWaiting = async () => {
      for (const deadline = Date.now() + WAIT_MS; !exited && Date.now() < deadline;) {
        const text = await Deno.readTextFile(logFile).catch((e) =>
          e instanceof Deno.errors.NotFound ? "" : Promise.reject(e)
        );
        if (waiting.test(text)) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return false;
    };
    let saw = false;
    try {
      saw = await sawWaiting();
    } finally {
      if (!exited) child.kill("SIGTERM");
    }
    const { code } = await status;
    const [stdout, stderr] = await output;
    assert.ok(
      saw,
      `no 'waiting for hcd' line within ${WAIT_MS / 1000} s, or stakepoold stopped first:\n${stderr}`,
    );
    assert.equal(code, 0, stderr);
    const file = await Deno.readTextFile(logFile);
    assert.match(stderr, waiting);
    assert.match(file, /subsystem=STPK .*message="stakepoold starting"/);
    assert.match(file, /message="stakepoold stopping" signal=SIGTERM/);
    for (const line of lines(file)) assert.ok(stderr.includes(line), `${line} is on stderr too`);
    for (const s of secrets) assert.ok(!(stdout + stderr + file).includes(s), "a secret was logged");
  }));
