// Option reading shared by hcstakepool.conf and stakepoold.conf, the way go-flags does it:
// defaults → INI config file (-C/--configfile) → command-line flags (same names, CLI wins).
// Every error names the option and says what is expected; none repeats a secret's value.
import { isAbsolute, join } from "node:path";
import { Data, Effect, Either, Predicate, Redacted, Schema } from "effect";
import { type ExtendedKey, parseExtendedKey } from "../domain/hdkey.ts";
import { type NetName, type NetParams, NETWORKS } from "../domain/params.ts";
import {
  LOG_FORMATS,
  type LogFormat,
  type LogSettings,
  parseDebugLevel,
  type Program,
  SubsystemsRequested,
} from "../runtime/logging.ts";
import { parseIni } from "./ini.ts";

/** A bad or missing option: names the option and says what is expected. */
export class ConfigError extends Data.TaggedError("ConfigError")<{
  readonly option: string;
  readonly problem: string;
}> {
  override get message() {
    return `${this.option}: ${this.problem}`;
  }
}

/** The one way a config reader refuses an option. */
export const optionError = (option: string, problem: string) =>
  Either.left(new ConfigError({ option, problem }));

export type Options = Readonly<Record<string, string>>;

export interface OptionTable {
  /** Options that take a value (lowercase). */
  readonly values: ReadonlyArray<string>;
  /** Boolean options: `--name` alone means true on the command line. */
  readonly switches: ReadonlyArray<string>;
  /** Short flags, e.g. { b: "datadir" }. */
  readonly aliases: Readonly<Record<string, string>>;
}

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
    if (!m) return optionError(arg, "unexpected argument (options are --name=value or --name value)");
    const given = m[2].toLowerCase();
    const name = m[1] === "-" ? (table.aliases[m[2]] ?? (m[2] === "C" ? "configfile" : given)) : given;
    if (!known.has(name)) return optionError(name, "unknown option");
    let value = m[3];
    if (value === undefined) {
      if (switches.has(name)) value = "1";
      else if (i + 1 < argv.length) value = argv[++i];
      else return optionError(name, `expected a value after ${arg}`);
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
            new ConfigError({
              option: "configfile",
              problem: `cannot read "${file}": ${String(cause.error)}`,
            }),
          )
      ),
    );
    const known = new Set([...table.values, ...table.switches]);
    const fromFile = yield* parseIni(text, file, (name) => known.has(name)).pipe(
      Either.mapLeft((e) => new ConfigError({ option: e.option ?? "configfile", problem: e.message })),
    );
    const unknown = Object.keys(fromFile).find((k) => !known.has(k));
    if (unknown !== undefined) return yield* optionError(unknown, `unknown option in ${file}`);
    return { configFile: file, options: { ...fromFile, ...flags }, positional };
  });

export const textOption = (o: Options, name: string, fallback: string): string => o[name] ?? fallback;

export const requiredOption = (o: Options, name: string): Either.Either<string, ConfigError> =>
  o[name] !== undefined && o[name] !== "" ? Either.right(o[name]) : optionError(name, "required");

export const boolOption = (o: Options, name: string): Either.Either<boolean, ConfigError> => {
  const v = o[name];
  if (v === undefined) return Either.right(false);
  return /^(1|true|0|false)$/i.test(v) ? Either.right(/^(1|true)$/i.test(v)) : optionError(
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
    : optionError(name, `expected an integer from ${min} to ${max}, got "${v}"`);
};

/** Pool fee percent, as hcwallet's IsValidPoolFeeRate (0.01–100). */
export const poolFeesOption = (o: Options, fallback: number): Either.Either<number, ConfigError> => {
  const v = o.poolfees;
  if (v === undefined) return Either.right(fallback);
  const n = v.trim() === "" ? NaN : Number(v);
  return n >= 0.01 && n <= 100
    ? Either.right(n)
    : optionError("poolfees", `expected a percentage between 0.01 and 100, got ${v}`);
};

/** A comma-separated list (go-flags splits only the first occurrence); empty items dropped. */
export const listOption = (o: Options, name: string): ReadonlyArray<string> =>
  (o[name] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");

/** testnet → testnet2, simnet, else mainnet; both at once is an error. */
export const networkOption = (o: Options): Either.Either<NetParams, ConfigError> =>
  Either.gen(function* () {
    const testnet = yield* boolOption(o, "testnet");
    const simnet = yield* boolOption(o, "simnet");
    if (testnet && simnet) return yield* optionError("simnet", "testnet and simnet cannot both be set");
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

/** `logformat`: text (logfmt, the default) or json. */
export const logFormatOption = (o: Options): Either.Either<LogFormat, ConfigError> => {
  const v = o.logformat ?? "text";
  return (LOG_FORMATS as ReadonlyArray<string>).includes(v)
    ? Either.right(v as LogFormat)
    : optionError("logformat", `expected ${LOG_FORMATS.join(" or ")}, got "${v}"`);
};

/**
 * The program's logging from `debuglevel` and `logformat`: the file `<logDir>/<program>.log`
 * (logDir already ends in the network's name). `debuglevel=show` fails with SubsystemsRequested.
 */
export const logSettingsOption = (
  o: Options,
  program: Program,
  logDir: string,
  secrets: ReadonlyArray<Redacted.Redacted<string>>,
): Either.Either<LogSettings, ConfigError | SubsystemsRequested> =>
  Either.gen(function* () {
    const parsed = parseDebugLevel(o.debuglevel ?? "info", program);
    if (Either.isLeft(parsed)) return yield* optionError("debuglevel", parsed.left);
    if (parsed.right instanceof SubsystemsRequested) return yield* Either.left(parsed.right);
    return {
      program,
      file: join(logDir, `${program.name}.log`),
      format: yield* logFormatOption(o),
      levels: parsed.right,
      secrets,
    };
  });

/** The values of the options that hold passwords and secrets (each item of a comma list too). */
export const secretValues = (
  o: Options,
  names: ReadonlyArray<string>,
): ReadonlyArray<Redacted.Redacted<string>> => {
  const values = names.flatMap((name) => (o[name] === undefined ? [] : [o[name], ...listOption(o, name)]));
  return [...new Set(values)].map((v) => Redacted.make(v));
};

/**
 * The original's `profile`, `cpuprofile` and `memprofile` start Go's pprof, which Deno has no
 * equivalent of: they are accepted empty (old config files keep loading) and refused when set.
 */
export const refuseProfilingOptions = (o: Options): Either.Either<void, ConfigError> => {
  const set = ["profile", "cpuprofile", "memprofile"].find((name) => (o[name] ?? "") !== "");
  return set === undefined ? Either.void : optionError(
    set,
    "Go profiling is not available in this implementation; profile the program with " +
      "`deno run --inspect …` and Chrome DevTools (CPU and heap profiles) instead",
  );
};

/** The logging a config file asks for (built by logSettingsOption). */
export const LogSettingsSchema = Schema.declare(
  (u: unknown): u is LogSettings => Predicate.isRecord(u) && "program" in u && "levels" in u,
  { identifier: "LogSettings" },
);

/** An extended key as the config layer hands it on: parsed and on the configured network. */
export const ExtendedPublicKey = Schema.declare(
  (u: unknown): u is ExtendedKey =>
    Predicate.isRecord(u) && u.publicKey instanceof Uint8Array && u.chainCode instanceof Uint8Array,
  { identifier: "ExtendedPublicKey" },
);

/** A required extended public key of the configured network (coldwalletextpub, votingwalletextpub). */
export const extendedPublicKeyOption = (
  o: Options,
  name: string,
  net: NetParams,
): Either.Either<ExtendedKey, ConfigError> =>
  Either.gen(function* () {
    const text = yield* requiredOption(o, name);
    const key = yield* Either.mapLeft(
      parseExtendedKey(text, net),
      (e) =>
        new ConfigError({
          option: name,
          problem: e.reason === "wrong-net" ? `${e.message} (the pool runs on ${net.name})` : e.message,
        }),
    );
    if (key.privateKey !== undefined) {
      return yield* optionError(name, "expected an extended public key; a private key does not belong here");
    }
    return key;
  });

/** A server's certificate file (PEM), read now so a missing or wrong file fails at start. */
export const certificateOption = (option: string, path: string): Effect.Effect<string, ConfigError> =>
  Effect.tryPromise({
    try: () => Deno.readTextFile(path),
    catch: (e) =>
      new ConfigError({
        option,
        problem: `cannot read "${path}": ${e instanceof Error ? e.message : String(e)}`,
      }),
  }).pipe(
    Effect.filterOrFail(
      (text) => text.includes("-----BEGIN CERTIFICATE-----"),
      () => new ConfigError({ option, problem: `"${path}" is not a PEM certificate` }),
    ),
  );
