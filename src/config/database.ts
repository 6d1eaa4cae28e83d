// Database options of hcstakepool.conf (names as in the original: dbhost, dbport, dbname, dbuser,
// dbpassword, datadir). With no dbhost the pool runs on the embedded SQLite file in datadir.
import { Either, Redacted, Schema } from "effect";
import { join } from "node:path";
import { ConfigError } from "./options.ts";

export const DatabaseConfig = Schema.Struct({
  dbhost: Schema.optional(Schema.String),
  dbport: Schema.Int.pipe(Schema.between(1, 65535)),
  dbname: Schema.String,
  dbuser: Schema.String,
  dbpassword: Schema.optional(Schema.Redacted(Schema.String)),
  datadir: Schema.String,
});
export type DatabaseConfig = typeof DatabaseConfig.Type;

const homeDir = () => Deno.env.get("HOME") ?? ".";
export const defaultAppHome = () => join(homeDir(), ".hcstakepool");

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
