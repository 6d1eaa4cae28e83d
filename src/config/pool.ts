// hcstakepool.conf (behaviour.md §4.1): the original's option names, defaults and checks. The
// database options come from ./database.ts. Extended public keys are checked against the
// network by the callers (src/domain/hdkey.ts).
import { join } from "node:path";
import { Effect, Either, Redacted, Schema } from "effect";
import { NET_NAMES } from "../domain/params.ts";
import { DatabaseConfig, databaseConfigFromOptions, defaultAppHome } from "./database.ts";
import {
  boolOption,
  ConfigError,
  debugLevelOption,
  intOption,
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

export const WalletEndpoint = Schema.Struct({
  /** host:port */
  host: Schema.String,
  user: Schema.String,
  password: Schema.Redacted(Schema.String),
  /** Absolute path of the wallet's rpc.cert. */
  certPath: Schema.String,
});
export type WalletEndpoint = typeof WalletEndpoint.Type;

export const StakepooldEndpoint = Schema.Struct({ host: Schema.String, certPath: Schema.String });
export type StakepooldEndpoint = typeof StakepooldEndpoint.Type;

export const PoolConfig = Schema.Struct({
  configFile: Schema.String,
  homeDir: Schema.String,
  network: Schema.Literal(...NET_NAMES),
  logDir: Schema.String,
  /** host:port, or a unix socket path (starts with "." or "/"). */
  listen: Schema.String,
  debugLevel: Schema.String,
  profile: Schema.optional(Schema.Number),
  cpuProfile: Schema.String,
  memProfile: Schema.String,
  apiSecret: Schema.Redacted(Schema.String),
  /** No trailing slash. */
  baseUrl: Schema.String,
  coldWalletExtPub: Schema.String,
  votingWalletExtPub: Schema.String,
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
  wallets: Schema.Array(WalletEndpoint),
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

const fail = (option: string, problem: string) =>
  Either.left(new ConfigError({ message: `${option}: ${problem}` }));

/** One entry per wallet host in each of the companion lists. */
const sameCount = (name: string, items: ReadonlyArray<string>, hosts: number, hostOption: string) =>
  items.length === hosts
    ? Either.right(items)
    : fail(name, `expected ${hosts} entries (one per ${hostOption} entry), got ${items.length}`);

/** The database options; datadir is relative to the pool's home dir, as in the original. */
const databaseOptions = (o: Options, homeDir: string) =>
  databaseConfigFromOptions({ ...o, datadir: resolvePath(homeDir, o.datadir ?? "data") });

/** Builds the pool configuration from merged options (lowercased names). */
export const poolConfigFromOptions = (
  options: Readonly<Record<string, string>>,
  configFile: string,
  homeDir: string,
): Either.Either<PoolConfig, ConfigError> =>
  Either.gen(function* () {
    const o = options;
    const net = yield* networkOption(o);
    const database = yield* databaseOptions(o, homeDir);
    if (database.dbhost !== undefined && database.dbpassword === undefined) {
      return yield* fail("dbpassword", "required when dbhost is set");
    }
    const apiSecret = yield* requiredOption(o, "apisecret");
    const cookieSecret = yield* requiredOption(o, "cookiesecret");
    const coldWalletExtPub = yield* requiredOption(o, "coldwalletextpub");
    const votingWalletExtPub = yield* requiredOption(o, "votingwalletextpub");

    const walletHosts = listOption(o, "wallethosts");
    if (walletHosts.length < 2) return yield* fail("wallethosts", "at least 2 wallet hosts are required");
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
    const wallets = walletHosts.map((host, i) => ({
      host: withDefaultPort(host, net.walletRpcPort),
      user: walletUsers[i],
      password: Redacted.make(walletPasswords[i]),
      certPath: resolvePath(homeDir, walletCerts[i]),
    }));

    const enableStakepoold = yield* boolOption(o, "enablestakepoold");
    const stakepooldHosts = listOption(o, "stakepooldhosts");
    const stakepooldCerts = listOption(o, "stakepooldcerts");
    if (enableStakepoold) {
      if (stakepooldHosts.length < 2) {
        return yield* fail(
          "stakepooldhosts",
          "at least 2 stakepoold hosts are required with enablestakepoold",
        );
      }
      yield* sameCount("stakepooldcerts", stakepooldCerts, stakepooldHosts.length, "stakepooldhosts");
    }
    const noCaptcha = yield* boolOption(o, "nocaptcha");
    if (noCaptcha && net.name === "mainnet") {
      return yield* fail(
        "nocaptcha",
        "refused on mainnet: the captcha guards sign-up, password reset and email change",
      );
    }
    const smtpTls = textOption(o, "smtptls", "tls");
    if (smtpTls !== "tls" && smtpTls !== "starttls" && smtpTls !== "none") {
      return yield* fail("smtptls", `expected tls, starttls or none, got "${smtpTls}"`);
    }
    const stakepoolds = enableStakepoold
      ? stakepooldHosts.map((host, i) => ({
        host: withDefaultPort(host, net.stakepooldPort),
        certPath: resolvePath(homeDir, stakepooldCerts[i]),
      }))
      : [];

    const adminIps = listOption(o, "adminips");
    if (adminIps.length === 0) return yield* fail("adminips", "required (comma-separated IP addresses)");
    const adminIdTexts = listOption(o, "adminuserids");
    if (adminIdTexts.length === 0) return yield* fail("adminuserids", "required (comma-separated user ids)");
    const badId = adminIdTexts.find((id) => !/^\d+$/.test(id));
    if (badId !== undefined) {
      return yield* fail("adminuserids", `expected user ids (integers), got "${badId}"`);
    }

    const minServers = yield* intOption(o, "minservers", 2, 1, wallets.length);
    const baseUrl = textOption(o, "baseurl", "http://127.0.0.1:8000").replace(/\/+$/, "");
    if (!/^https?:\/\/[^/]+/.test(baseUrl)) {
      return yield* fail("baseurl", `expected an http:// or https:// URL, got "${o.baseurl}"`);
    }
    const logRoot = resolvePath(homeDir, textOption(o, "logdir", "logs"));

    return {
      configFile,
      homeDir,
      network: net.name,
      logDir: join(logRoot, net.name),
      listen: textOption(o, "listen", ":8000"),
      debugLevel: yield* debugLevelOption(o),
      profile: yield* profileOption(o),
      cpuProfile: textOption(o, "cpuprofile", ""),
      memProfile: textOption(o, "memprofile", ""),
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
      poolFees: yield* poolFeesOption(o, 7.5),
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
      maxVotedAge: yield* intOption(o, "maxvotedage", 8640, 0, Number.MAX_SAFE_INTEGER),
    };
  });

/** defaults → hcstakepool.conf (-C/--configfile, default ~/.hcstakepool/hcstakepool.conf) → flags. */
export const loadPoolConfig = (
  argv: ReadonlyArray<string>,
  homeDir: string = defaultAppHome(),
): Effect.Effect<PoolConfig, ConfigError> =>
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
