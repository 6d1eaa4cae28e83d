// hcstakepool.conf (behaviour.md §4.1): the original's option names, defaults and checks. The
// database options come from ./database.ts. Loading reads the wallets' and stakepoolds'
// certificates and parses the extended public keys for the configured network, so a wrong file
// or key fails here, naming its option.
import { join } from "node:path";
import { Effect, Either, Redacted, Schema } from "effect";
import { NET_NAMES } from "../domain/params.ts";
import { HCSTAKEPOOL_PROGRAM, type SubsystemsRequested } from "../runtime/logging.ts";
import { StakepooldEndpoint } from "../rpc/stakepoold_client.ts";
import { RpcEndpoint } from "../rpc/transport.ts";
import { DatabaseConfig, databaseConfigFromOptions, defaultAppHome } from "./database.ts";
import {
  boolOption,
  certificateOption,
  type ConfigError,
  ExtendedPublicKey,
  extendedPublicKeyOption,
  intOption,
  listOption,
  logSettingsOption,
  LogSettingsSchema,
  networkOption,
  optionError,
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

export const PoolConfig = Schema.Struct({
  configFile: Schema.String,
  homeDir: Schema.String,
  network: Schema.Literal(...NET_NAMES),
  log: LogSettingsSchema,
  /** host:port, or a unix socket path (starts with "." or "/"). */
  listen: Schema.String,
  apiSecret: Schema.Redacted(Schema.String),
  /** No trailing slash. */
  baseUrl: Schema.String,
  coldWalletExtPub: ExtendedPublicKey,
  votingWalletExtPub: ExtendedPublicKey,
  closePool: Schema.Boolean,
  closePoolMsg: Schema.String,
  cookieSecret: Schema.Redacted(Schema.String),
  cookieSecure: Schema.Boolean,
  database: DatabaseConfig,
  publicPath: Schema.String,
  templatePath: Schema.String,
  recaptchaSecret: Schema.String,
  recaptchaSiteKey: Schema.String,
  poolEmail: Schema.String,
  poolFees: Schema.Number,
  poolLink: Schema.String,
  realIpHeader: Schema.String,
  smtpFrom: Schema.String,
  smtpHost: Schema.String,
  smtpUsername: Schema.String,
  smtpPassword: Schema.Redacted(Schema.String),
  /** tls: SMTPS (implicit TLS, the original's only mode); starttls: upgrade required; none: plain. */
  smtpTls: Schema.Literal("tls", "starttls", "none"),
  /** Absolute path of a PEM certificate the SMTP server must present (pinned); "" trusts the system CAs. */
  smtpCert: Schema.String,
  /** Test networks only: sign-up, reset and email change without a captcha. */
  noCaptcha: Schema.Boolean,
  /** The stakepoolds' control API secret (their controlsecret); `serve` needs it with enablestakepoold. */
  controlSecret: Schema.optional(Schema.Redacted(Schema.String)),
  enableStakepoold: Schema.Boolean,
  stakepoolds: Schema.Array(StakepooldEndpoint),
  wallets: Schema.Array(RpcEndpoint),
  adminIps: Schema.Array(Schema.String),
  adminUserIds: Schema.Array(Schema.Number),
  minServers: Schema.Number,
  maxVotedAge: Schema.Number,
});
export type PoolConfig = typeof PoolConfig.Type;

export const POOL_OPTIONS: OptionTable = {
  values: [
    "datadir",
    "logdir",
    "listen",
    "profile",
    "cpuprofile",
    "memprofile",
    "debuglevel",
    "logformat",
    "apisecret",
    "baseurl",
    "coldwalletextpub",
    "closepoolmsg",
    "cookiesecret",
    "dbhost",
    "dbport",
    "dbname",
    "dbuser",
    "dbpassword",
    "publicpath",
    "templatepath",
    "recaptchasecret",
    "recaptchasitekey",
    "poolemail",
    "poolfees",
    "poollink",
    "realipheader",
    "smtpfrom",
    "smtphost",
    "smtpusername",
    "smtppassword",
    "smtptls",
    "smtpcert",
    "controlsecret",
    "stakepooldhosts",
    "stakepooldcerts",
    "wallethosts",
    "walletusers",
    "walletpasswords",
    "walletcerts",
    "votingwalletextpub",
    "adminips",
    "adminuserids",
    "minservers",
    "maxvotedage",
  ],
  switches: ["testnet", "simnet", "closepool", "cookiesecure", "enablestakepoold", "nocaptcha"],
  aliases: { b: "datadir", d: "debuglevel" },
};

/** The options that hold passwords and secrets: their values never reach a log line. */
const SECRET_OPTIONS = [
  "apisecret",
  "cookiesecret",
  "dbpassword",
  "smtppassword",
  "walletpasswords",
  "controlsecret",
  "recaptchasecret",
];

/** One entry per wallet host in each of the companion lists. */
const sameCount = (name: string, items: ReadonlyArray<string>, hosts: number, hostOption: string) =>
  items.length === hosts
    ? Either.right(items)
    : optionError(name, `expected ${hosts} entries (one per ${hostOption} entry), got ${items.length}`);

/** The database options; datadir is relative to the pool's home dir, as in the original. */
const databaseOptions = (o: Options, homeDir: string) =>
  databaseConfigFromOptions({ ...o, datadir: resolvePath(homeDir, o.datadir ?? "data") });

/** The original's default baseurl. */
export const DEFAULT_BASE_URL = "http://127.0.0.1:8000";

/** `baseurl` without trailing slashes: the address users see, and the issuer named in API tokens. */
export const baseUrlOption = (o: Options): string =>
  textOption(o, "baseurl", DEFAULT_BASE_URL).replace(/\/+$/, "");

/** Builds the pool configuration from merged options (lowercased names). */
export const poolConfigFromOptions = (
  options: Readonly<Record<string, string>>,
  configFile: string,
  homeDir: string,
): Effect.Effect<PoolConfig, ConfigError | SubsystemsRequested> =>
  Effect.gen(function* () {
    const o = options;
    const net = yield* networkOption(o);
    const log = yield* logSettingsOption(
      o,
      HCSTAKEPOOL_PROGRAM,
      join(resolvePath(homeDir, textOption(o, "logdir", "logs")), net.name),
      secretValues(o, SECRET_OPTIONS),
    );
    yield* refuseProfilingOptions(o);
    const database = yield* databaseOptions(o, homeDir);
    const apiSecret = yield* requiredOption(o, "apisecret");
    const cookieSecret = yield* requiredOption(o, "cookiesecret");
    yield* requiredOption(o, "coldwalletextpub");
    yield* requiredOption(o, "votingwalletextpub");

    const walletHosts = listOption(o, "wallethosts");
    if (walletHosts.length < 2) {
      return yield* optionError("wallethosts", "at least 2 wallet hosts are required");
    }
    const walletUsers = yield* sameCount(
      "walletusers",
      listOption(o, "walletusers"),
      walletHosts.length,
      "wallethosts",
    );
    const walletPasswords = yield* sameCount(
      "walletpasswords",
      listOption(o, "walletpasswords"),
      walletHosts.length,
      "wallethosts",
    );
    const walletCerts = yield* sameCount(
      "walletcerts",
      listOption(o, "walletcerts"),
      walletHosts.length,
      "wallethosts",
    );

    const enableStakepoold = yield* boolOption(o, "enablestakepoold");
    const stakepooldHosts = listOption(o, "stakepooldhosts");
    const stakepooldCerts = listOption(o, "stakepooldcerts");
    if (enableStakepoold) {
      if (stakepooldHosts.length < 2) {
        return yield* optionError(
          "stakepooldhosts",
          "at least 2 stakepoold hosts are required with enablestakepoold",
        );
      }
      yield* sameCount("stakepooldcerts", stakepooldCerts, stakepooldHosts.length, "stakepooldhosts");
    }
    const noCaptcha = yield* boolOption(o, "nocaptcha");
    if (noCaptcha && net.name === "mainnet") {
      return yield* optionError(
        "nocaptcha",
        "refused on mainnet: the captcha guards sign-up, password reset and email change",
      );
    }
    const smtpTls = textOption(o, "smtptls", "tls");
    if (smtpTls !== "tls" && smtpTls !== "starttls" && smtpTls !== "none") {
      return yield* optionError("smtptls", `expected tls, starttls or none, got "${smtpTls}"`);
    }

    const adminIps = listOption(o, "adminips");
    if (adminIps.length === 0) {
      return yield* optionError("adminips", "required (comma-separated IP addresses)");
    }
    const adminIdTexts = listOption(o, "adminuserids");
    if (adminIdTexts.length === 0) {
      return yield* optionError("adminuserids", "required (comma-separated user ids)");
    }
    const badId = adminIdTexts.find((id) => !/^\d+$/.test(id));
    if (badId !== undefined) {
      return yield* optionError("adminuserids", `expected user ids (integers), got "${badId}"`);
    }

    const minServers = yield* intOption(o, "minservers", 2, 1, walletHosts.length);
    const baseUrl = baseUrlOption(o);
    if (!/^https?:\/\/[^/]+/.test(baseUrl)) {
      return yield* optionError("baseurl", `expected an http:// or https:// URL, got "${o.baseurl}"`);
    }
    const poolFees = yield* poolFeesOption(o, 7.5);
    const maxVotedAge = yield* intOption(o, "maxvotedage", 8640, 0, Number.MAX_SAFE_INTEGER);

    // The options that need parsing or a file come last: a typo elsewhere is reported first.
    const coldWalletExtPub = yield* extendedPublicKeyOption(o, "coldwalletextpub", net);
    const votingWalletExtPub = yield* extendedPublicKeyOption(o, "votingwalletextpub", net);
    const wallets: Array<RpcEndpoint> = [];
    for (const [i, host] of walletHosts.entries()) {
      wallets.push({
        url: `https://${withDefaultPort(host, net.walletRpcPort)}`,
        user: walletUsers[i],
        password: Redacted.make(walletPasswords[i]),
        certPem: yield* certificateOption("walletcerts", resolvePath(homeDir, walletCerts[i])),
      });
    }
    const stakepoolds: Array<StakepooldEndpoint> = [];
    for (const [i, host] of (enableStakepoold ? stakepooldHosts : []).entries()) {
      stakepoolds.push({
        host: withDefaultPort(host, net.stakepooldPort),
        certPem: yield* certificateOption("stakepooldcerts", resolvePath(homeDir, stakepooldCerts[i])),
      });
    }

    return {
      configFile,
      homeDir,
      network: net.name,
      log,
      listen: textOption(o, "listen", ":8000"),
      apiSecret: Redacted.make(apiSecret),
      baseUrl,
      coldWalletExtPub,
      votingWalletExtPub,
      closePool: yield* boolOption(o, "closepool"),
      closePoolMsg: textOption(o, "closepoolmsg", "The stake pool is temporarily closed to new signups."),
      cookieSecret: Redacted.make(cookieSecret),
      cookieSecure: yield* boolOption(o, "cookiesecure"),
      database,
      publicPath: textOption(o, "publicpath", "public"),
      templatePath: textOption(o, "templatepath", "views"),
      // Vestigial in the original (the captcha is built in); accepted, empty by default.
      recaptchaSecret: textOption(o, "recaptchasecret", ""),
      recaptchaSiteKey: textOption(o, "recaptchasitekey", ""),
      poolEmail: textOption(o, "poolemail", "dev@h.cash"),
      poolFees,
      poolLink: textOption(o, "poollink", "https://t.me/hcdevelopers"),
      realIpHeader: textOption(o, "realipheader", ""),
      smtpFrom: textOption(o, "smtpfrom", ""),
      smtpHost: textOption(o, "smtphost", ""),
      smtpUsername: textOption(o, "smtpusername", ""),
      smtpPassword: Redacted.make(textOption(o, "smtppassword", "")),
      smtpTls,
      smtpCert: o.smtpcert ? resolvePath(homeDir, o.smtpcert) : "",
      noCaptcha,
      ...(o.controlsecret ? { controlSecret: Redacted.make(o.controlsecret) } : {}),
      enableStakepoold,
      stakepoolds,
      wallets,
      adminIps,
      adminUserIds: adminIdTexts.map(Number),
      minServers,
      maxVotedAge,
    };
  });

/**
 * defaults → hcstakepool.conf (-C/--configfile, default ~/.hcstakepool/hcstakepool.conf) → flags.
 * `debuglevel=show` fails with SubsystemsRequested: print its message and exit 0.
 */
export const loadPoolConfig = (
  argv: ReadonlyArray<string>,
  homeDir: string = defaultAppHome(),
): Effect.Effect<PoolConfig, ConfigError | SubsystemsRequested> =>
  readOptions(argv, POOL_OPTIONS, () => join(homeDir, "hcstakepool.conf")).pipe(
    Effect.flatMap(({ configFile, options }) => poolConfigFromOptions(options, configFile, homeDir)),
  );

/**
 * For the operator's database commands (migrate, backup, restore): hcstakepool.conf and flags
 * read like the pool's own, but only the database options must be valid.
 */
export const loadDatabaseArgs = (
  argv: ReadonlyArray<string>,
  extraSwitches: ReadonlyArray<string> = [],
  homeDir: string = defaultAppHome(),
): Effect.Effect<
  {
    readonly database: DatabaseConfig;
    readonly options: Options;
    readonly positional: ReadonlyArray<string>;
  },
  ConfigError
> =>
  readOptions(
    argv,
    { ...POOL_OPTIONS, switches: [...POOL_OPTIONS.switches, ...extraSwitches] },
    () => join(homeDir, "hcstakepool.conf"),
  ).pipe(
    Effect.flatMap(({ options, positional }) =>
      Effect.map(databaseOptions(options, homeDir), (database) => ({ database, options, positional }))
    ),
  );
