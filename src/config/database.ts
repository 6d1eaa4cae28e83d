// Database options of hcstakepool.conf (names as in the original: dbhost, dbport, dbname, dbuser,
// dbpassword, datadir). With no dbhost the pool runs on the embedded SQLite file in datadir.
import { Data, Effect, Either, Redacted, Schema } from "effect";
import { join } from "node:path";
import { parseIni } from "./ini.ts";

export const DatabaseConfig = Schema.Struct({
  dbhost: Schema.optional(Schema.String),
  dbport: Schema.Int.pipe(Schema.between(1, 65535)),
  dbname: Schema.String,
  dbuser: Schema.String,
  dbpassword: Schema.optional(Schema.Redacted(Schema.String)),
  datadir: Schema.String,
});
export type DatabaseConfig = typeof DatabaseConfig.Type;

export class ConfigError extends Data.TaggedError("ConfigError")<{ readonly message: string }> {}

const homeDir = () => Deno.env.get("HOME") ?? ".";
export const defaultAppHome = () => join(homeDir(), ".hcstakepool");
export const defaultConfigFile = () => join(defaultAppHome(), "hcstakepool.conf");

/** The embedded store's file. */
export const embeddedDatabaseFile = (config: DatabaseConfig) => join(config.datadir, "hcstakepool.sqlite");

/** Builds the database options from an already-merged option record (lowercased names). */
export const databaseConfigFromOptions = (
  options: Readonly<Record<string, string>>,
): Either.Either<DatabaseConfig, ConfigError> => {
  const portText = options.dbport ?? "3306";
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    return Either.left(
      new ConfigError({ message: `dbport: expected a port number 1-65535, got "${portText}"` }),
    );
  }
  for (const name of ["dbname", "dbuser"] as const) {
    if (options[name] !== undefined && options[name] === "") {
      return Either.left(new ConfigError({ message: `${name}: expected a non-empty name` }));
    }
  }
  const dbhost = options.dbhost === "" ? undefined : options.dbhost;
  return Either.right({
    ...(dbhost === undefined ? {} : { dbhost }),
    dbport: port,
    dbname: options.dbname ?? "stakepool",
    dbuser: options.dbuser ?? "stakepool",
    ...(options.dbpassword === undefined ? {} : { dbpassword: Redacted.make(options.dbpassword) }),
    datadir: options.datadir || join(defaultAppHome(), "data"),
  });
};

export interface ParsedArgs {
  /** Config file options overridden by command-line flags, names lowercased. */
  readonly options: Readonly<Record<string, string>>;
  /** Boolean switches given on the command line (e.g. force). */
  readonly switches: ReadonlySet<string>;
  readonly positional: ReadonlyArray<string>;
}

const DATABASE_FLAGS = ["dbhost", "dbport", "dbuser", "dbpassword", "dbname", "datadir"] as const;

/**
 * Reads `-C/--configfile <file>` (default ~/.hcstakepool/hcstakepool.conf when it exists) and
 * `--<option> <value>` / `--<option>=<value>` flags for the given option names; flags win.
 */
export const parseArgs = (
  argv: ReadonlyArray<string>,
  extra: { readonly flags?: ReadonlyArray<string>; readonly switches?: ReadonlyArray<string> } = {},
): Effect.Effect<ParsedArgs, ConfigError> =>
  Effect.gen(function* () {
    const valueFlags = new Set<string>([...DATABASE_FLAGS, ...(extra.flags ?? [])]);
    const switchFlags = new Set(extra.switches ?? []);
    const flags: Record<string, string> = {};
    const switches = new Set<string>();
    const positional: Array<string> = [];
    let configFile: string | undefined;
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (!arg.startsWith("-") || arg === "-") {
        positional.push(arg);
        continue;
      }
      const eq = arg.indexOf("=");
      const name = (eq < 0 ? arg : arg.slice(0, eq)).replace(/^--?/, "").toLowerCase();
      if (switchFlags.has(name) && eq < 0) {
        switches.add(name);
        continue;
      }
      const isConfig = name === "c" || name === "configfile";
      if (!isConfig && !valueFlags.has(name)) {
        return yield* new ConfigError({ message: `unknown flag ${arg.slice(0, eq < 0 ? undefined : eq)}` });
      }
      let value: string;
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else return yield* new ConfigError({ message: `${name}: expected a value after ${arg}` });
      if (isConfig) configFile = value;
      else flags[name] = value;
    }
    const file = configFile ?? defaultConfigFile();
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
    return { options: { ...fromFile, ...flags }, switches, positional };
  });

/** Database options from `-C <file>` and the --db* / --datadir flags. */
export const loadDatabaseConfig = (argv: ReadonlyArray<string>): Effect.Effect<DatabaseConfig, ConfigError> =>
  Effect.flatMap(parseArgs(argv), ({ options }) => databaseConfigFromOptions(options));
