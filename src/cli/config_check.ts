// `hcpool config check <file> [--program hcstakepool|stakepoold]`: reads a config file the way the
// program would (same reader, same home directory, certificate files read) and names every wrong
// option, not only the first: each line that is not option=value, each unknown option, then each
// value the reader refuses — a refused option is set aside (its default, or a stand-in value when
// it is required) and the reader runs again, until it accepts the rest. Secrets are never printed.
// Without --program the file's option names decide (the program that knows more of them).
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { Data, Effect, Either } from "effect";
import { defaultAppHome } from "../config/database.ts";
import { parseIni } from "../config/ini.ts";
import { ConfigError, type Options, type OptionTable } from "../config/options.ts";
import { POOL_OPTIONS, poolConfigFromOptions } from "../config/pool.ts";
import { STAKEPOOLD_OPTIONS, stakepooldConfigFromOptions } from "../config/stakepoold.ts";
import { masterFromSeed, neuter, serializeExtendedKey } from "../domain/hdkey.ts";
import { NETWORKS } from "../domain/params.ts";
import type { SubsystemsRequested } from "../runtime/logging.ts";
import { command, UsageError } from "./command.ts";

type Program = "hcstakepool" | "stakepoold";

interface Problem {
  readonly option?: string;
  readonly line?: number;
  readonly problem: string;
}

export class ConfigProblems extends Data.TaggedError("ConfigProblems")<{
  readonly file: string;
  readonly program: Program;
  readonly problems: ReadonlyArray<Problem>;
}> {
  override get message() {
    const n = this.problems.length;
    return `${this.file} (${this.program}): ${n} problem${n === 1 ? "" : "s"}: ${
      this.problems.map((p) =>
        [
          p.line === undefined ? "" : `line ${p.line}: `,
          p.option === undefined ? "" : `${p.option}: `,
          p.problem,
        ]
          .join("")
      ).join("; ")
    }`;
  }
}

const TABLES: Readonly<Record<Program, OptionTable>> = {
  hcstakepool: POOL_OPTIONS,
  stakepoold: STAKEPOOLD_OPTIONS,
};

const known = (table: OptionTable) => new Set([...table.values, ...table.switches]);

/** The network the options ask for, as far as they say it clearly (stand-in keys are made for it). */
const netOf = (o: Options) =>
  /^(1|true)$/i.test(o.testnet ?? "")
    ? NETWORKS.testnet2
    : /^(1|true)$/i.test(o.simnet ?? "")
    ? NETWORKS.simnet
    : NETWORKS.mainnet;

const standInKey = (o: Options) =>
  serializeExtendedKey(neuter(Either.getOrThrow(masterFromSeed(new Uint8Array(32).fill(1), netOf(o)))));

/** One entry per host of a companion list, so a list's own count is not reported again. */
const perHost = (hostOption: string, value: string) => (o: Options) => {
  const hosts = (o[hostOption] ?? "").split(",").filter((h) => h.trim() !== "").length;
  return Array.from({ length: Math.max(hosts, 2) }, () => value).join(",");
};

/**
 * Stand-ins for options the reader needs a valid value of to go on (required ones, or ones other
 * options are checked against); any other refused option is removed, which gives its default.
 */
const standIns = (pemFile: string): Readonly<Record<string, (o: Options) => string>> => ({
  apisecret: () => "stand-in",
  cookiesecret: () => "stand-in",
  controlsecret: () => "stand-in",
  dbpassword: () => "stand-in",
  coldwalletextpub: standInKey,
  votingwalletextpub: standInKey,
  wallethosts: () => "127.0.0.1,127.0.0.2",
  walletusers: perHost("wallethosts", "user"),
  walletpasswords: perHost("wallethosts", "password"),
  walletcerts: perHost("wallethosts", pemFile),
  stakepooldhosts: () => "127.0.0.1,127.0.0.2",
  stakepooldcerts: perHost("stakepooldhosts", pemFile),
  adminips: () => "127.0.0.1",
  adminuserids: () => "1",
  hcdhost: () => "127.0.0.1",
  hcduser: () => "user",
  hcdpassword: () => "password",
  hcdcert: () => pemFile,
  wallethost: () => "127.0.0.1",
  walletuser: () => "user",
  walletpassword: () => "password",
  walletcert: () => pemFile,
});

/** Reads the options as the program does; the first option it refuses, if any. */
const firstRefusal = (program: Program, o: Options, file: string): Effect.Effect<ConfigError | undefined> => {
  const read: Effect.Effect<unknown, ConfigError | SubsystemsRequested> = program === "hcstakepool"
    ? poolConfigFromOptions(o, file, defaultAppHome())
    : stakepooldConfigFromOptions(o, file);
  return read.pipe(
    Effect.as(undefined),
    Effect.catchAll((e) =>
      Effect.succeed(
        e instanceof ConfigError ? e : new ConfigError({
          option: "debuglevel",
          problem: "show only lists the subsystems and exits; give a level",
        }),
      )
    ),
  );
};

/** Every problem of the file for `program`, in the order the program would meet them. */
export const checkConfig = (file: string, text: string, program: Program) =>
  Effect.gen(function* () {
    const names = known(TABLES[program]);
    const problems: Array<Problem> = [];
    const options: Record<string, string> = {};
    for (const [i, line] of text.split(/\r?\n/).entries()) {
      const parsed = parseIni(line, file, (name) => names.has(name));
      if (Either.isLeft(parsed)) {
        problems.push({ line: i + 1, option: parsed.left.option, problem: 'expected "option=value"' });
        continue;
      }
      for (const [name, value] of Object.entries(parsed.right)) {
        if (names.has(name)) options[name] = value;
        else problems.push({ line: i + 1, option: name, problem: `unknown ${program} option` });
      }
    }
    const dir = yield* Effect.acquireRelease(
      Effect.promise(() => Deno.makeTempDir({ prefix: "hcpool-config-check-" })),
      (d) => Effect.promise(() => Deno.remove(d, { recursive: true })),
    );
    const pemFile = join(dir, "stand-in.cert");
    yield* Effect.promise(() =>
      Deno.writeTextFile(pemFile, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    );
    const repair = standIns(pemFile);
    const refused = new Set<string>();
    for (;;) {
      const error = yield* firstRefusal(program, options, file);
      if (error === undefined) break;
      if (refused.has(error.option)) {
        problems.push({ option: error.option, problem: `${error.problem} (checking stopped here)` });
        break;
      }
      refused.add(error.option);
      problems.push({ option: error.option, problem: error.problem });
      const standIn = repair[error.option];
      if (standIn !== undefined) options[error.option] = standIn(options);
      else delete options[error.option];
    }
    return problems;
  }).pipe(Effect.scoped);

/** The program a file is for: the one that knows more of its option names (hcstakepool on a tie). */
export const programFor = (text: string): Program => {
  const names = [...text.matchAll(/^\s*([A-Za-z]+)\s*=/gm)].map((m) => m[1].toLowerCase());
  const unknown = (p: Program) => names.filter((n) => !known(TABLES[p]).has(n)).length;
  return unknown("stakepoold") < unknown("hcstakepool") ? "stakepoold" : "hcstakepool";
};

const USAGE = "check <file> [--program hcstakepool|stakepoold]";

export default command({
  name: "config",
  usage: USAGE,
  summary: "check an hcstakepool.conf or stakepoold.conf and name every wrong option",
  run: (argv) =>
    Effect.gen(function* () {
      const usage = `usage: hcpool config ${USAGE}`;
      // Flags may come before or after the file.
      const parsed = yield* Effect.try({
        try: () =>
          parseArgs({ args: [...argv], options: { program: { type: "string" } }, allowPositionals: true }),
        catch: (e) => new UsageError({ message: `${e instanceof Error ? e.message : e}; ${usage}` }),
      });
      const [sub, file, ...extra] = parsed.positionals;
      if (sub !== "check" || file === undefined || extra.length > 0) {
        return yield* new UsageError({ message: usage });
      }
      const programFlag = parsed.values.program;
      if (programFlag !== undefined && programFlag !== "hcstakepool" && programFlag !== "stakepoold") {
        return yield* new UsageError({
          message: `--program: expected hcstakepool or stakepoold, got "${programFlag}"; ${usage}`,
        });
      }
      const text = yield* Effect.tryPromise({
        try: () => Deno.readTextFile(file),
        catch: (e) =>
          new UsageError({ message: `cannot read ${file}: ${e instanceof Error ? e.message : e}` }),
      });
      const program: Program = programFlag ?? programFor(text);
      const problems = yield* checkConfig(basename(file), text, program);
      if (problems.length > 0) return yield* new ConfigProblems({ file, program, problems });
      return { file, program, ok: true };
    }),
});
