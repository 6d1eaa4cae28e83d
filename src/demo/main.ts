// `deno task start` (hcstakepool start): the demo pool, zero configuration. Flags: --datadir DIR
// (./data), --listen HOST:PORT (127.0.0.1:8000), --nocaptcha, --blockinterval SECONDS (5; 0 mines
// only on hcd's generate), --logformat text|json, --debuglevel LEVEL. Prints the URL and what to
// do next; runs until SIGINT/SIGTERM; a second start on the same datadir resumes the same pool.
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Cause, Effect, Either, Exit, Fiber, Layer, ManagedRuntime, Option, Redacted } from "effect";
import { listenOptions } from "../http/server.ts";
import { rpcMetricsLayer } from "../metrics/rpc_metrics.ts";
import {
  HCSTAKEPOOL_PROGRAM,
  LOG_FORMATS,
  type LogFormat,
  loggingLayer,
  type LogSettings,
  parseDebugLevel,
  SubsystemsRequested,
} from "../runtime/logging.ts";
import { JournalMismatch } from "../sim/journal.ts";
import { type SimNetwork, startSimNetwork } from "../sim/network.ts";
import {
  DEMO_DEFAULTS,
  DEMO_FEE_ADDRESSES,
  demoSecretValues,
  JOURNAL_FILE,
  loadOrCreateSecrets,
  SIM_DIR,
  startDemoPool,
} from "./demo_pool.ts";

const USAGE =
  `usage: deno task start [--datadir DIR] [--listen HOST:PORT] [--nocaptcha] [--blockinterval SECONDS]
                       [--logformat text|json] [--debuglevel LEVEL]

The whole stake pool on a simulated simnet, in one process: hcsim (3 voting nodes, a user wallet),
3 stakepoolds, the web app, the embedded store in --datadir (default ${DEMO_DEFAULTS.datadir}), mail to the log.
--listen        where the web app listens (default ${DEMO_DEFAULTS.listen})
--nocaptcha     sign-up without the captcha
--blockinterval seconds between simnet blocks (default ${DEMO_DEFAULTS.blockInterval}; 0: only on hcd's generate)`;

interface DemoFlags {
  readonly datadir: string;
  readonly listen: string;
  readonly url: string;
  readonly noCaptcha: boolean;
  readonly blockInterval: number;
  readonly format: LogFormat;
  readonly debugLevel: string;
}

const freePort = (hostname: string) => {
  const listener = Deno.listen({ hostname, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
};

/** The flags, or the one line saying what is wrong. */
const readFlags = (argv: ReadonlyArray<string>): Either.Either<DemoFlags | "help", string> => {
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        datadir: { type: "string" },
        listen: { type: "string" },
        nocaptcha: { type: "boolean" },
        blockinterval: { type: "string" },
        logformat: { type: "string" },
        debuglevel: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (e) {
    return Either.left(e instanceof Error ? e.message : String(e));
  }
  if (values.help) return Either.right("help");
  const interval = Number(values.blockinterval ?? DEMO_DEFAULTS.blockInterval);
  if (!(interval >= 0 && interval <= 3600)) {
    return Either.left(`--blockinterval: expected seconds from 0 to 3600, got "${values.blockinterval}"`);
  }
  const format = values.logformat ?? "text";
  if (!(LOG_FORMATS as ReadonlyArray<string>).includes(format)) {
    return Either.left(`--logformat: expected ${LOG_FORMATS.join(" or ")}, got "${format}"`);
  }
  const listenText = values.listen ?? DEMO_DEFAULTS.listen;
  const listen = listenOptions(listenText);
  if (!("port" in listen) || !Number.isInteger(listen.port) || listen.port < 0 || listen.port > 65535) {
    return Either.left(`--listen: expected HOST:PORT, got "${listenText}"`);
  }
  const host = listen.hostname === "0.0.0.0" || listen.hostname === "::" ? "127.0.0.1" : listen.hostname;
  // Port 0 is resolved now: the pool's links (baseurl) need the real one.
  const port = listen.port === 0 ? freePort(listen.hostname) : listen.port;
  const bracketed = host.includes(":") ? `[${host}]` : host;
  return Either.right({
    datadir: resolve(values.datadir ?? DEMO_DEFAULTS.datadir),
    listen: `${listen.hostname.includes(":") ? `[${listen.hostname}]` : listen.hostname}:${port}`,
    url: `http://${bracketed}:${port}`,
    noCaptcha: values.nocaptcha ?? false,
    blockInterval: interval,
    format: format as LogFormat,
    debugLevel: values.debuglevel ?? "info",
  });
};

const nextSteps = (url: string, flags: DemoFlags, sim: SimNetwork, resumed: boolean, demoFile: string) =>
  [
    "",
    `hcstakepool demo: a simnet stake pool in one process, ${
      resumed ? "resumed" : "new"
    } in ${flags.datadir}`,
    `  web app   ${url}`,
    `  hcsim     ${sim.endpoints.nodes.length} voting nodes with a stakepoold each, chain height ${sim.chain.height}, ${
      flags.blockInterval > 0 ? `a block every ${flags.blockInterval} s` : "blocks only on hcd's generate"
    }`,
    `  endpoints ${demoFile} (hcd/hcwallet JSON-RPC endpoints and credentials, for hcctl or scripts)`,
    `  logs      ${join(flags.datadir, "logs")}`,
    "",
    "What to do next:",
    `  1. Open ${url} and sign up${flags.noCaptcha ? "" : " (the captcha is on the page)"}.`,
    `  2. No mail leaves the demo: the verification link is printed in the log below`,
    `     (a line "mail is off (no smtphost); message not sent"). Open it, then sign in.`,
    `  3. Address: "Use a demo wallet address" (hcsim's user wallet plays your wallet).`,
    `  4. Tickets: "Buy simnet tickets", then watch them go immature → live → voted.`,
    `  5. Voting: choose how your tickets vote. The first account is the admin (/status, /admintickets).`,
    `  /metrics and /status.json are there for monitoring. Ctrl-C stops; start again to resume this pool.`,
    "",
  ].join("\n");

/** What main.ts runs for `start`: the exit code of the run. */
export const runDemo = async (argv: ReadonlyArray<string>): Promise<number> => {
  const parsed = readFlags(argv);
  if (Either.isLeft(parsed)) {
    console.error(`hcstakepool start: ${parsed.left}\n${USAGE}`);
    return 1;
  }
  if (parsed.right === "help") {
    console.log(USAGE);
    return 0;
  }
  const flags = parsed.right;
  const levels = parseDebugLevel(flags.debugLevel, HCSTAKEPOOL_PROGRAM);
  if (Either.isLeft(levels)) {
    console.error(`hcstakepool start: --debuglevel: ${levels.left}`);
    return 1;
  }
  if (levels.right instanceof SubsystemsRequested) {
    console.log(levels.right.message);
    return 0;
  }
  const simDir = join(flags.datadir, SIM_DIR);
  await Deno.mkdir(simDir, { recursive: true });
  const journal = join(simDir, JOURNAL_FILE);
  const resumed = await Deno.stat(journal).then(() => true, () => false);
  const secrets = await loadOrCreateSecrets(flags.datadir);
  let sim: SimNetwork;
  try {
    sim = await startSimNetwork({
      nodes: 3,
      net: "simnet",
      datadir: simDir,
      journal,
      blockIntervalMs: Math.round(flags.blockInterval * 1000),
      feeAddressCount: DEMO_FEE_ADDRESSES,
    });
  } catch (e) {
    console.error(`hcstakepool start: ${e instanceof JournalMismatch ? e.message : `hcsim: ${e}`}`);
    return 1;
  }
  const log: LogSettings = {
    program: HCSTAKEPOOL_PROGRAM,
    file: join(flags.datadir, "logs", "simnet", `${HCSTAKEPOOL_PROGRAM.name}.log`),
    format: flags.format,
    levels: levels.right,
    secrets: demoSecretValues(sim, secrets).map((s) => Redacted.make(s)),
  };
  const runtime = ManagedRuntime.make(Layer.merge(loggingLayer(log), rpcMetricsLayer));
  const fiber = runtime.runFork(
    Effect.scoped(Effect.gen(function* () {
      yield* Effect.logInfo("hcstakepool demo starting").pipe(
        Effect.annotateLogs({ datadir: flags.datadir, listen: flags.listen, seed: sim.seed }),
      );
      const demo = yield* startDemoPool(sim, secrets, { ...flags, log });
      console.log(nextSteps(flags.url, flags, sim, resumed, demo.demoFile));
      yield* Effect.promise(() => demo.app.finished);
      return yield* Effect.fail(new Error("the web server stopped on its own"));
    })),
  );
  const stop = () =>
    runtime.runFork(Effect.zipRight(Effect.logInfo("demo stopping"), Fiber.interrupt(fiber)));
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  const exit = await Effect.runPromise(Fiber.await(fiber));
  Deno.removeSignalListener("SIGINT", stop);
  Deno.removeSignalListener("SIGTERM", stop);
  await sim.close();
  let code = 0;
  if (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause)) {
    const failure = Cause.failureOption(exit.cause);
    const line = Option.isSome(failure) ? failure.value.message : Cause.pretty(exit.cause).split("\n")[0];
    await runtime.runPromise(Effect.logError(`demo stopped: ${line}`));
    console.error(`hcstakepool start: ${line}`);
    code = 1;
  }
  await runtime.dispose();
  return code;
};

if (import.meta.main) Deno.exit(await runDemo(Deno.args));
