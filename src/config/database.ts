// Database options of hcstakepool.conf (names as in the original: dbhost, dbport, dbname, dbuser,
// dbpassword, datadir). With no dbhost the pool runs on the embedded SQLite file in datadir;
// with one, dbpassword is required.
import { Either, Redacted, Schema } from "effect";
import { join } from "node:path";
import { type ConfigError, optionError } from "./options.ts";

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
    return optionError("dbport", `expected a port number 1-65535, got "${portText}"`);
  }
  for (const name of ["dbname", "dbuser"] as const) {
    if (options[name] !== undefined && options[name] === "") {
      return optionError(name, "expected a non-empty name");
    }
  }
  const dbhost = options.dbhost === "" ? undefined : options.dbhost;
  // As the original: MySQL needs a password (an empty one, given as `dbpassword=`, is one).
  if (dbhost !== undefined && options.dbpassword === undefined) {
    return optionError("dbpassword", "required when dbhost is set");
  }
  return Either.right({
    ...(dbhost === undefined ? {} : { dbhost }),
    dbport: port,
    dbname: options.dbname ?? "stakepool",
    dbuser: options.dbuser ?? "stakepool",
    ...(options.dbpassword === undefined ? {} : { dbpassword: Redacted.make(options.dbpassword) }),
    datadir: options.datadir || join(defaultAppHome(), "data"),
  });
};
