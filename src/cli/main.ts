// Dispatches `hcpool <command> [args]`: JSON on stdout, a one-line error on stderr, exit 1.
import { Cause, Effect, Exit, Logger, Option } from "effect";
import { COMMANDS, PROGRAMS } from "./commands.ts";

// stdout carries only the command's JSON; log lines (migrations, sync) go to stderr.
const stderrLogger = Logger.replace(
  Logger.defaultLogger,
  Logger.make((options) => console.error(Logger.logfmtLogger.log(options))),
);

const usage = () =>
  [
    "usage: hcpool [serve] [options]    (no subcommand means serve)",
    "       hcpool <command> [args]",
    "",
    ...[...PROGRAMS, ...COMMANDS].map((c) => `  ${c.name} ${c.usage}\n      ${c.summary}`),
  ].join("\n");

export const runCli = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    console.log(usage());
    return name === undefined ? 1 : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`hcpool: unknown command "${name}" (try: hcpool help)`);
    return 1;
  }
  const exit = await Effect.runPromiseExit(cmd.run(rest).pipe(Effect.provide(stderrLogger)));
  if (Exit.isSuccess(exit)) {
    if (exit.value !== undefined) console.log(JSON.stringify(exit.value, null, 2));
    return 0;
  }
  const failure = Cause.failureOption(exit.cause);
  const text = Option.isSome(failure)
    ? failure.value.message
    : `internal error: ${Cause.pretty(exit.cause).split("\n")[0]}`;
  console.error(`hcpool ${name}: ${text.replace(/\s*\n\s*/g, " ")}`);
  return 1;
};
