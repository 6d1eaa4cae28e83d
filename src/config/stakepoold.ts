// stakepoold.conf (behaviour.md §4.2) plus the control API options that replace the original gRPC
// server: rpclisten/rpccert/rpckey/norpclisten keep their names; `controlsecret` is the shared
// secret the web app presents. Default RPC ports are HC's (src/domain/params.ts).
import { join } from "node:path";
import { Effect, Either, Redacted, Schema } from "effect";
import { NET_NAMES } from "../domain/params.ts";
import { DatabaseConfig, databaseConfigFromOptions } from "./database.ts";
import {
  boolOption,
  ConfigError,
  debugLevelOption,
  listOption,
  networkOption,
  type Options,
  type OptionTable,
  poolFeesOption,
  profileOption,
  readOptions,
  requiredOption,
  resolvePath,
  textOption,
  withDefaultPort,
} from "./options.ts";

export const RpcEndpoint = Schema.Struct({
  /** host:port */
  host: Schema.String,
  user: Schema.String,
  password: Schema.Redacted(Schema.String),
  certPath: Schema.String,
});
export type RpcEndpoint = typeof RpcEndpoint.Type;

export const StakepooldConfig = Schema.Struct({
  configFile: Schema.String,
  appData: Schema.String,
  network: Schema.Literal(...NET_NAMES),
  dataDir: Schema.String,
  logDir: Schema.String,
  debugLevel: Schema.String,
  profile: Schema.optional(Schema.Number),
  cpuProfile: Schema.String,
  memProfile: Schema.String,
  coldWalletExtPub: Schema.String,
  poolFees: Schema.Number,
  database: DatabaseConfig,
  hcd: RpcEndpoint,
  wallet: RpcEndpoint,
  /** No control server: reload low-fee tickets and user prefs from the database periodically. */
  noRpcListen: Schema.Boolean,
  rpcListen: Schema.Array(Schema.String),
  rpcCert: Schema.String,
  rpcKey: Schema.String,
  controlSecret: Schema.optional(Schema.Redacted(Schema.String)),
});
export type StakepooldConfig = typeof StakepooldConfig.Type;

export const STAKEPOOLD_OPTIONS: OptionTable = {
  values: [
    "appdata",
    "datadir",
    "logdir",
    "profile",
    "cpuprofile",
    "memprofile",
    "debuglevel",
    "coldwalletextpub",
    "poolfees",
    "dbhost",
    "dbport",
    "dbname",
    "dbuser",
    "dbpassword",
    "hcdhost",
    "hcduser",
    "hcdpassword",
    "hcdcert",
    "wallethost",
    "walletuser",
    "walletpassword",
    "walletcert",
    "rpclisten",
    "rpccert",
    "rpckey",
    "controlsecret",
  ],
  switches: ["testnet", "simnet", "norpclisten"],
  aliases: { A: "appdata", b: "datadir", d: "debuglevel" },
};

const fail = (option: string, problem: string) =>
  Either.left(new ConfigError({ message: `${option}: ${problem}` }));

const endpoint = (o: Options, prefix: "hcd" | "wallet", port: number, home: string) =>
  Either.gen(function* () {
    const host = yield* requiredOption(o, `${prefix}host`);
    const user = yield* requiredOption(o, `${prefix}user`);
    const password = yield* requiredOption(o, `${prefix}password`);
    const cert = yield* requiredOption(o, `${prefix}cert`);
    return {
      host: withDefaultPort(host, port),
      user,
      password: Redacted.make(password),
      certPath: resolvePath(home, cert),
    };
  });

const defaultHome = () => join(Deno.env.get("HOME") ?? ".", ".stakepoold");

/** Builds the stakepoold configuration from merged options; paths are relative to `appdata`. */
export const stakepooldConfigFromOptions = (
  o: Options,
  configFile: string,
): Either.Either<StakepooldConfig, ConfigError> =>
  Either.gen(function* () {
    const appData = resolvePath(Deno.cwd(), o.appdata ?? defaultHome());
    const net = yield* networkOption(o);
    const dataDir = resolvePath(appData, o.datadir ?? "data");
    const database = yield* databaseConfigFromOptions({ ...o, datadir: dataDir });
    if (database.dbhost !== undefined && database.dbpassword === undefined) {
      return yield* fail("dbpassword", "required when dbhost is set");
    }
    const coldWalletExtPub = yield* requiredOption(o, "coldwalletextpub");
    const hcd = yield* endpoint(o, "hcd", net.hcdRpcPort, appData);
    const wallet = yield* endpoint(o, "wallet", net.walletRpcPort, appData);
    const noRpcListen = yield* boolOption(o, "norpclisten");
    const controlSecret = o.controlsecret;
    if (!noRpcListen && (controlSecret === undefined || controlSecret === "")) {
      return yield* fail("controlsecret", "required unless norpclisten is set (the web app presents it)");
    }
    const listen = listOption(o, "rpclisten");
    return {
      configFile,
      appData,
      network: net.name,
      dataDir: join(dataDir, net.name),
      logDir: join(resolvePath(appData, textOption(o, "logdir", "logs")), net.name),
      debugLevel: yield* debugLevelOption(o),
      profile: yield* profileOption(o),
      cpuProfile: textOption(o, "cpuprofile", ""),
      memProfile: textOption(o, "memprofile", ""),
      coldWalletExtPub,
      poolFees: yield* poolFeesOption(o, 5),
      database,
      hcd,
      wallet,
      noRpcListen,
      rpcListen: (listen.length > 0 ? listen : ["localhost"]).map((h) =>
        withDefaultPort(h, net.stakepooldPort)
      ),
      rpcCert: resolvePath(appData, textOption(o, "rpccert", "rpc.cert")),
      rpcKey: resolvePath(appData, textOption(o, "rpckey", "rpc.key")),
      ...(controlSecret ? { controlSecret: Redacted.make(controlSecret) } : {}),
    };
  });

/** defaults → stakepoold.conf (-C/--configfile, default <appdata>/stakepoold.conf) → flags. */
export const loadStakepooldConfig = (
  argv: ReadonlyArray<string>,
): Effect.Effect<StakepooldConfig, ConfigError> =>
  readOptions(argv, STAKEPOOLD_OPTIONS, (flags) => join(flags.appdata ?? defaultHome(), "stakepoold.conf"))
    .pipe(
      Effect.flatMap(({ configFile, options }) => stakepooldConfigFromOptions(options, configFile)),
    );
