// stakepoold.conf (behaviour.md §4.2) plus the control API options that replace the original gRPC
// server: rpclisten/rpccert/rpckey/norpclisten keep their names; `controlsecret` is the shared
// secret the web app presents. Default RPC ports are HC's (src/domain/params.ts). Loading reads
// the hcd and hcwallet certificates and parses coldwalletextpub for the configured network, so
// a wrong file or key fails here, naming its option.
import { join } from "node:path";
import { Effect, Redacted, Schema } from "effect";
import { NET_NAMES, type NetParams } from "../domain/params.ts";
import { STAKEPOOLD_PROGRAM, type SubsystemsRequested } from "../runtime/logging.ts";
import { RpcEndpoint } from "../rpc/transport.ts";
import { DatabaseConfig, databaseConfigFromOptions } from "./database.ts";
import {
  boolOption,
  certificateOption,
  ConfigError,
  ExtendedPublicKey,
  extendedPublicKeyOption,
  listOption,
  logSettingsOption,
  LogSettingsSchema,
  networkOption,
  type Options,
  type OptionTable,
  poolFeesOption,
  readOptions,
  refuseProfilingOptions,
  requiredOption,
  resolvePath,
  secretValues,
  textOption,
  withDefaultPort,
} from "./options.ts";

export const StakepooldConfig = Schema.Struct({
  configFile: Schema.String,
  appData: Schema.String,
  network: Schema.Literal(...NET_NAMES),
  /** `<datadir>/<net>`. */
  dataDir: Schema.String,
  log: LogSettingsSchema,
  coldWalletExtPub: ExtendedPublicKey,
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

/** The app's version, as the original's (behaviour §1: 0.1.0 for hcstakepool and stakepoold). */
export const STAKEPOOLD_VERSION = "0.1.0";

interface OptionHelp {
  readonly name: string;
  readonly short?: string;
  /** Placeholder of the value; absent for a switch. */
  readonly value?: string;
  readonly help: string;
}

/** Every stakepoold.conf option with its meaning; the option table is derived from it. */
const OPTION_HELP: ReadonlyArray<OptionHelp> = [
  {
    name: "appdata",
    short: "A",
    value: "DIR",
    help: "home directory; relative paths are under it (~/.stakepoold)",
  },
  { name: "datadir", short: "b", value: "DIR", help: "data directory (data)" },
  { name: "logdir", value: "DIR", help: "log directory; the log is <logdir>/<net>/stakepoold.log (logs)" },
  { name: "testnet", help: "use the test network" },
  { name: "simnet", help: "use the simulation test network" },
  {
    name: "debuglevel",
    short: "d",
    value: "LEVEL",
    help: "trace, debug, info, warn, error, critical, off (info); SUBSYS=LEVEL,…; show lists the subsystems",
  },
  { name: "logformat", value: "FORMAT", help: "log lines as text (logfmt) or json (text)" },
  {
    name: "profile",
    value: "PORT",
    help: "Go profiling: not available, must be empty (use deno run --inspect)",
  },
  { name: "cpuprofile", value: "FILE", help: "Go profiling: not available, must be empty" },
  { name: "memprofile", value: "FILE", help: "Go profiling: not available, must be empty" },
  {
    name: "coldwalletextpub",
    value: "XPUB",
    help: "extended public key of the pool fee addresses (required)",
  },
  { name: "poolfees", value: "PERCENT", help: "pool fee in percent, 0.01-100 (5)" },
  { name: "dbhost", value: "HOST", help: "MySQL host; without it the embedded store in datadir" },
  { name: "dbport", value: "PORT", help: "MySQL port (3306)" },
  { name: "dbname", value: "NAME", help: "database name (stakepool)" },
  { name: "dbuser", value: "USER", help: "database user (stakepool)" },
  { name: "dbpassword", value: "PASSWORD", help: "database password (required with dbhost)" },
  { name: "hcdhost", value: "HOST[:PORT]", help: "hcd RPC server (required)" },
  { name: "hcduser", value: "USER", help: "hcd RPC user (required)" },
  { name: "hcdpassword", value: "PASSWORD", help: "hcd RPC password (required)" },
  { name: "hcdcert", value: "FILE", help: "hcd RPC certificate (required)" },
  { name: "wallethost", value: "HOST[:PORT]", help: "hcwallet RPC server (required)" },
  { name: "walletuser", value: "USER", help: "hcwallet RPC user (required)" },
  { name: "walletpassword", value: "PASSWORD", help: "hcwallet RPC password (required)" },
  { name: "walletcert", value: "FILE", help: "hcwallet RPC certificate (required)" },
  {
    name: "norpclisten",
    help: "no control API; reload users and low-fee tickets from the database every 240 s",
  },
  { name: "rpclisten", value: "HOST[:PORT],...", help: "control API listen addresses (localhost)" },
  { name: "rpccert", value: "FILE", help: "control API certificate, generated when missing (rpc.cert)" },
  { name: "rpckey", value: "FILE", help: "control API key, generated when missing (rpc.key)" },
  {
    name: "controlsecret",
    value: "SECRET",
    help: "shared secret the web app presents (required with the API)",
  },
];

export const STAKEPOOLD_OPTIONS: OptionTable = {
  values: OPTION_HELP.filter((o) => o.value !== undefined).map((o) => o.name),
  switches: OPTION_HELP.filter((o) => o.value === undefined).map((o) => o.name),
  aliases: Object.fromEntries(OPTION_HELP.flatMap((o) => (o.short ? [[o.short, o.name]] : []))),
};

/** -h/--help: every option in stakepoold.conf and on the command line (flags win). */
export const stakepooldUsage = (): string => {
  const lines: Array<readonly [string, string]> = [
    ["-h, --help", "show this help and exit"],
    ["-V, --version", "print the version and exit"],
    ["-C, --configfile=FILE", "configuration file (<appdata>/stakepoold.conf)"],
    ...OPTION_HELP.map((o) =>
      [`${o.short ? `-${o.short}, ` : "    "}--${o.name}${o.value ? `=${o.value}` : ""}`, o.help] as const
    ),
  ];
  const width = Math.max(...lines.map(([flag]) => flag.length)) + 2;
  return [
    "Usage: stakepoold [options]",
    "",
    "Options (the same names in stakepoold.conf, without the dashes):",
    ...lines.map(([flag, help]) => `  ${flag.padEnd(width)}${help}`),
  ].join("\n");
};

/** What the command line asks for besides running: help and version win over everything else. */
export const stakepooldRequest = (argv: ReadonlyArray<string>): "help" | "version" | "run" =>
  argv.some((a) => a === "-h" || a === "--help")
    ? "help"
    : argv.some((a) => a === "-V" || a === "--version")
    ? "version"
    : "run";

/** The options that hold passwords and secrets: their values never reach a log line. */
const SECRET_OPTIONS = ["dbpassword", "hcdpassword", "walletpassword", "controlsecret"];

/** hcdhost/hcduser/hcdpassword/hcdcert (or wallet…): the endpoint with its certificate read. */
const endpoint = (o: Options, prefix: "hcd" | "wallet", port: number, home: string) =>
  Effect.gen(function* () {
    const host = yield* requiredOption(o, `${prefix}host`);
    const user = yield* requiredOption(o, `${prefix}user`);
    const password = yield* requiredOption(o, `${prefix}password`);
    const cert = yield* requiredOption(o, `${prefix}cert`);
    return {
      url: `https://${withDefaultPort(host, port)}`,
      user,
      password: Redacted.make(password),
      certPem: yield* certificateOption(`${prefix}cert`, resolvePath(home, cert)),
    } satisfies RpcEndpoint;
  });

const defaultHome = () => join(Deno.env.get("HOME") ?? ".", ".stakepoold");

/** Builds the stakepoold configuration from merged options; paths are relative to `appdata`. */
export const stakepooldConfigFromOptions = (
  o: Options,
  configFile: string,
): Effect.Effect<StakepooldConfig, ConfigError | SubsystemsRequested> =>
  Effect.gen(function* () {
    const appData = resolvePath(Deno.cwd(), o.appdata ?? defaultHome());
    const net: NetParams = yield* networkOption(o);
    const log = yield* logSettingsOption(
      o,
      STAKEPOOLD_PROGRAM,
      join(resolvePath(appData, textOption(o, "logdir", "logs")), net.name),
      secretValues(o, SECRET_OPTIONS),
    );
    yield* refuseProfilingOptions(o);
    const dataDir = resolvePath(appData, o.datadir ?? "data");
    const database = yield* databaseConfigFromOptions({ ...o, datadir: dataDir });
    const poolFees = yield* poolFeesOption(o, 5);
    const noRpcListen = yield* boolOption(o, "norpclisten");
    const controlSecret = o.controlsecret;
    if (!noRpcListen && (controlSecret === undefined || controlSecret === "")) {
      return yield* new ConfigError({
        option: "controlsecret",
        problem: "required unless norpclisten is set (the web app presents it)",
      });
    }
    // The options that need parsing or a file come last: a typo elsewhere is reported first.
    const coldWalletExtPub = yield* extendedPublicKeyOption(o, "coldwalletextpub", net);
    const hcd = yield* endpoint(o, "hcd", net.hcdRpcPort, appData);
    const wallet = yield* endpoint(o, "wallet", net.walletRpcPort, appData);
    const listen = listOption(o, "rpclisten");
    return {
      configFile,
      appData,
      network: net.name,
      dataDir: join(dataDir, net.name),
      log,
      coldWalletExtPub,
      poolFees,
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

/**
 * defaults → stakepoold.conf (-C/--configfile, default <appdata>/stakepoold.conf) → flags.
 * `debuglevel=show` fails with SubsystemsRequested: print its message and exit 0.
 */
export const loadStakepooldConfig = (
  argv: ReadonlyArray<string>,
): Effect.Effect<StakepooldConfig, ConfigError | SubsystemsRequested> =>
  readOptions(argv, STAKEPOOLD_OPTIONS, (flags) => join(flags.appdata ?? defaultHome(), "stakepoold.conf"))
    .pipe(Effect.flatMap(({ configFile, options }) => stakepooldConfigFromOptions(options, configFile)));
