// Option reading shared by hcstakepool.conf and stakepoold.conf, the way go-flags does it:
// defaults → INI config file (-C/--configfile) → command-line flags (same names, CLI wins).
// Every error names the option and says what is expected.
import { isAbsolute, join } from "node:path";
import { Data, Effect, Either } from "effect";
import { type NetName, type NetParams, NETWORKS } from "../domain/params.ts";
import { parseIni } from "./ini.ts";

/** A bad or missing option; the message names the option and says what is expected. */
export class ConfigError extends Data.TaggedError("ConfigError")<{ readonly message: string }> {}

export type Options = Readonly<Record<string, string>>;

export interface OptionTable {
  /** Options that take a value (lowercase). */
  readonly values: ReadonlyArray<string>;
  /** Boolean options: `--name` alone means true on the command line. */
  readonly switches: ReadonlyArray<string>;
  /** Short flags, e.g. { b: "datadir" }. */
  readonly aliases: Readonly<Record<string, string>>;
}

const fail = (option: string, problem: string) =>
  Either.left(new ConfigError({ message: `${option}: ${problem}` }));

/**
 * Splits argv into the config file to read, the flag values (lowercased names) and the
 * positional arguments (operator commands take e.g. a file name).
 */
export const parseFlags = (
  argv: ReadonlyArray<string>,
  table: OptionTable,
): Either.Either<
  { readonly configFile?: string; readonly flags: Options; readonly positional: ReadonlyArray<string> },
  ConfigError
> => {
  const known = new Set([...table.values, ...table.switches, "configfile"]);
  const switches = new Set(table.switches);
  const flags: Record<string, string> = {};
  const positional: Array<string> = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const m = /^(--?)([^=]+)(?:=(.*))?$/s.exec(arg);
    if (!m) return fail(arg, "unexpected argument (options are --name=value or --name value)");
    const given = m[2].toLowerCase();
    const name = m[1] === "-" ? (table.aliases[m[2]] ?? (m[2] === "C" ? "configfile" : given)) : given;
    if (!known.has(name)) return fail(name, "unknown option");
    let value = m[3];
    if (value === undefined) {
      if (switches.has(name)) value = "1";
      else if (i + 1 < argv.length) value = argv[++i];
      else return fail(name, `expected a value after ${arg}`);
    }
    if (name === "configfile") configFile = value;
    else flags[name] = value;
  }
  return Either.right({ configFile, flags, positional });
};

/**
 * The merged options: the INI file (the explicit one must exist; the default one may be absent)
 * overridden by flags. Unknown options in the file are errors, as in go-flags.
 */
export const readOptions = (
  argv: ReadonlyArray<string>,
  table: OptionTable,
  defaultConfigFile: (flags: Options) => string,
): Effect.Effect<
  { readonly configFile: string; readonly options: Options; readonly positional: ReadonlyArray<string> },
  ConfigError
> =>
  Effect.gen(function* () {
    const { configFile, flags, positional } = yield* parseFlags(argv, table);
    const file = configFile ?? defaultConfigFile(flags);
    const text = yield* Effect.tryPromise(() => Deno.readTextFile(file)).pipe(
      Effect.catchAll((cause) =>
        configFile === undefined && cause.error instanceof Deno.errors.NotFound
          ? Effect.succeed("")
          : Effect.fail(
            new ConfigError({ message: `configfile: cannot read "${file}": ${String(cause.error)}` }),
          )
      ),
    );
    const fromFile = yield* parseIni(text, file).pipe(
      Either.mapLeft((e) => new ConfigError({ message: e.message })),
    );
    const known = new Set([...table.values, ...table.switches]);
    const unknown = Object.keys(fromFile).find((k) => !known.has(k));
    if (unknown !== undefined) return yield* fail(unknown, `unknown option in ${file}`);
    return { configFile: file, options: { ...fromFile, ...flags }, positional };
  });

export const textOption = (o: Options, name: string, fallback: string): string => o[name] ?? fallback;

export const requiredOption = (o: Options, name: string): Either.Either<string, ConfigError> =>
  o[name] !== undefined && o[name] !== "" ? Either.right(o[name]) : fail(name, "required");

export const boolOption = (o: Options, name: string): Either.Either<boolean, ConfigError> => {
  const v = o[name];
  if (v === undefined) return Either.right(false);
  return /^(1|true|0|false)$/i.test(v) ? Either.right(/^(1|true)$/i.test(v)) : fail(
    name,
    `expected 1, true, 0 or false, got "${v}"`,
  );
};

export const intOption = (
  o: Options,
  name: string,
  fallback: number,
  min: number,
  max: number,
): Either.Either<number, ConfigError> => {
  const v = o[name];
  if (v === undefined) return Either.right(fallback);
  const n = /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  return n >= min && n <= max
    ? Either.right(n)
    : fail(name, `expected an integer from ${min} to ${max}, got "${v}"`);
};

/** Pool fee percent, as hcwallet's IsValidPoolFeeRate (0.01–100). */
export const poolFeesOption = (o: Options, fallback: number): Either.Either<number, ConfigError> => {
  const v = o.poolfees;
  if (v === undefined) return Either.right(fallback);
  const n = v.trim() === "" ? NaN : Number(v);
  return n >= 0.01 && n <= 100
    ? Either.right(n)
    : fail("poolfees", `expected a percentage between 0.01 and 100, got ${v}`);
};

/** A comma-separated list (go-flags splits only the first occurrence); empty items dropped. */
export const listOption = (o: Options, name: string): ReadonlyArray<string> =>
  (o[name] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");

/** testnet → testnet2, simnet, else mainnet; both at once is an error. */
export const networkOption = (o: Options): Either.Either<NetParams, ConfigError> =>
  Either.gen(function* () {
    const testnet = yield* boolOption(o, "testnet");
    const simnet = yield* boolOption(o, "simnet");
    if (testnet && simnet) return yield* fail("simnet", "testnet and simnet cannot both be set");
    const name: NetName = testnet ? "testnet2" : simnet ? "simnet" : "mainnet";
    return NETWORKS[name];
  });

/** "host" → "host:<port>"; keeps an explicit port; IPv6 literals in brackets. */
export const withDefaultPort = (host: string, port: number): string => {
  if (/^\[.*\](:\d+)?$/.test(host)) return /\]:\d+$/.test(host) ? host : `${host}:${port}`;
  const colons = host.split(":").length - 1;
  if (colons === 0) return `${host}:${port}`;
  if (colons === 1) return host;
  return `[${host}]:${port}`;
};

/** A path as given if absolute, else relative to the program's home dir ("~/" expanded). */
export const resolvePath = (home: string, path: string): string => {
  if (path.startsWith("~/")) return join(Deno.env.get("HOME") ?? ".", path.slice(2));
  return isAbsolute(path) ? path : join(home, path);
};

const LEVELS = "trace|debug|info|warn|error|critical|off";
const DEBUG_LEVEL = new RegExp(`^(${LEVELS}|show|[A-Za-z]+=(${LEVELS})(,[A-Za-z]+=(${LEVELS}))*)$`);

export const debugLevelOption = (o: Options): Either.Either<string, ConfigError> => {
  const v = o.debuglevel ?? "info";
  return DEBUG_LEVEL.test(v) ? Either.right(v) : fail(
    "debuglevel",
    `expected one of ${LEVELS.replaceAll("|", ", ")} or subsystem=level pairs, got "${v}"`,
  );
};

/** go-flags' profile port check: empty, or a port from 1024 to 65535. */
export const profileOption = (o: Options): Either.Either<number | undefined, ConfigError> =>
  o.profile === undefined || o.profile === ""
    ? Either.right(undefined)
    : intOption(o, "profile", 0, 1024, 65535);
