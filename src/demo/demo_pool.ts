// The zero-config demo (`deno task start`): the whole pool in one process on the embedded store.
// hcsim (3 voting nodes and a user wallet, mining simnet blocks on a timer, its journal in the
// datadir so a restart resumes the same chain), one stakepoold per voting node with its control
// API on a free local port, and the web app as `hcstakepool serve` starts it — configured as an
// operator would configure hcstakepool.conf, with mail to the log and the DemoWallet shortcuts.
// Everything the demo keeps is under the datadir: the store, the sim's journal and certificates,
// the secrets it made at first start, demo.json (the sim's endpoints and the web URL) and the logs.
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import {
  Context,
  Data,
  Duration,
  Effect,
  Either,
  FiberRef,
  Layer,
  MetricLabel,
  Redacted,
  type Scope,
} from "effect";
import { databaseConfigFromOptions } from "../config/database.ts";
import type { ConfigError } from "../config/options.ts";
import { poolConfigFromOptions } from "../config/pool.ts";
import type { StakepooldConfig } from "../config/stakepoold.ts";
import { parseExtendedKey } from "../domain/hdkey.ts";
import { NETWORKS } from "../domain/params.ts";
import { type RunningWebApp, type StartupFailed, startWebApp } from "../cli/serve.ts";
import type { LogSettings } from "../runtime/logging.ts";
import type { RpcEndpoint } from "../rpc/transport.ts";
import { ControlServer } from "../stakepoold/control_server.ts";
import { databaseLayer } from "../storage/database.ts";
import type { Endpoint, SimEndpoints, SimNetwork } from "../sim/network.ts";
import { stakepooldLayer } from "../../stakepoold.ts";
import { DemoWallet } from "./demo_wallet.ts";

export const DEMO_DEFAULTS = {
  datadir: "./data",
  listen: "127.0.0.1:8000",
  /** Seconds between simnet blocks. */
  blockInterval: 5,
} as const;

/** The sim's endpoints (endpoints.json's shape), its control endpoint and the web app's URL. */
export interface DemoFile extends SimEndpoints {
  readonly control: Endpoint;
  readonly web: string;
}

/** Secrets made at the first start and kept, so sessions, API tokens and stakepoolds survive a restart. */
export interface DemoSecrets {
  readonly apiSecret: string;
  readonly cookieSecret: string;
  readonly controlSecret: string;
}

export class DemoStartFailed extends Data.TaggedError("DemoStartFailed")<{ readonly detail: string }> {
  override get message() {
    return this.detail;
  }
}

export const SIM_DIR = "sim";
export const JOURNAL_FILE = "journal.jsonl";
export const DEMO_FILE = "demo.json";
const SECRETS_FILE = "demo-secrets.json";

const newSecret = () => randomBytes(24).toString("base64url");

/** `<datadir>/demo-secrets.json`, made (owner-only) at the first start. */
export const loadOrCreateSecrets = async (datadir: string): Promise<DemoSecrets> => {
  const file = join(datadir, SECRETS_FILE);
  try {
    return JSON.parse(await Deno.readTextFile(file)) as DemoSecrets;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const secrets: DemoSecrets = {
    apiSecret: newSecret(),
    cookieSecret: newSecret(),
    controlSecret: newSecret(),
  };
  await Deno.writeTextFile(file, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
  return secrets;
};

/** Every secret of a demo run, for the log's redaction. */
export const demoSecretValues = (sim: SimNetwork, secrets: DemoSecrets): ReadonlyArray<string> => [
  secrets.apiSecret,
  secrets.cookieSecret,
  secrets.controlSecret,
  sim.walletPassphrase,
  sim.controlEndpoint.password,
  sim.endpoints.userWallet.password,
  ...sim.endpoints.nodes.flatMap((n) => [n.hcd.password, n.wallet.password]),
];

const endpointConfig = (e: Endpoint): RpcEndpoint => ({
  url: e.url,
  user: e.user,
  password: Redacted.make(e.password),
  certPem: Deno.readTextFileSync(e.cert),
});

/** What an operator would put in stakepoold.conf for voting node `index` of the sim. */
const stakepooldConfig = (
  sim: SimNetwork,
  datadir: string,
  index: number,
  secret: string,
  log: LogSettings,
): Either.Either<StakepooldConfig, DemoStartFailed> =>
  Either.gen(function* () {
    const net = NETWORKS[sim.endpoints.net];
    const dir = join(datadir, `stakepoold${index}`);
    const database = yield* Either.mapLeft(
      databaseConfigFromOptions({ datadir }),
      (e) => new DemoStartFailed({ detail: e.message }),
    );
    const coldWalletExtPub = yield* Either.mapLeft(
      parseExtendedKey(sim.endpoints.coldWalletXpub, net),
      (e) => new DemoStartFailed({ detail: `the sim's cold wallet key: ${e.message}` }),
    );
    const node = sim.endpoints.nodes[index];
    return {
      configFile: "",
      appData: dir,
      network: net.name,
      dataDir: dir,
      log,
      coldWalletExtPub,
      poolFees: DEMO_POOL_FEES,
      database,
      hcd: endpointConfig(node.hcd),
      wallet: endpointConfig(node.wallet),
      noRpcListen: false,
      rpcListen: ["127.0.0.1:0"],
      rpcCert: join(dir, "rpc.cert"),
      rpcKey: join(dir, "rpc.key"),
      controlSecret: Redacted.make(secret),
    };
  });

/** The voting wallets' pool fee (hcsim's) and the pool's. */
const DEMO_POOL_FEES = 7.5;

/**
 * Fee addresses the sim's wallets and the stakepoolds derive (hcwallet's 10 000 would take each
 * of them about ten seconds): user ids below it pay their fee to a known address.
 */
export const DEMO_FEE_ADDRESSES = 1000;

/** hcstakepool.conf of the demo, option by option. */
const poolOptions = (
  sim: SimNetwork,
  options: DemoOptions,
  secrets: DemoSecrets,
  stakepoolds: ReadonlyArray<{ readonly address: string; readonly cert: string }>,
): Record<string, string> => {
  const wallets = sim.endpoints.nodes.map((n) => n.wallet);
  return {
    simnet: "1",
    datadir: options.datadir,
    listen: options.listen,
    baseurl: options.url,
    apisecret: secrets.apiSecret,
    cookiesecret: secrets.cookieSecret,
    coldwalletextpub: sim.endpoints.coldWalletXpub,
    votingwalletextpub: sim.endpoints.votingWalletXpub,
    poolfees: String(DEMO_POOL_FEES),
    // The demo's first account is its admin, from this machine only (/status, /admintickets).
    adminips: "127.0.0.1,::1",
    adminuserids: "1",
    wallethosts: wallets.map((w) => new URL(w.url).host).join(","),
    walletusers: wallets.map((w) => w.user).join(","),
    walletpasswords: wallets.map((w) => w.password).join(","),
    walletcerts: wallets.map((w) => w.cert).join(","),
    minservers: "2",
    enablestakepoold: "1",
    stakepooldhosts: stakepoolds.map((s) => s.address).join(","),
    stakepooldcerts: stakepoolds.map((s) => s.cert).join(","),
    controlsecret: secrets.controlSecret,
    poolemail: "demo@hcstakepool.invalid",
    ...(options.noCaptcha ? { nocaptcha: "1" } : {}),
  };
};

export interface DemoOptions {
  /** Absolute. */
  readonly datadir: string;
  /** host:port the web app listens on (a real port). */
  readonly listen: string;
  /** The web app's address as a browser reaches it. */
  readonly url: string;
  readonly noCaptcha: boolean;
  /** Seconds between blocks; 0 mines only on hcd's `generate`. */
  readonly blockInterval: number;
  /** How each stakepoold's log lines and config read (the program's own logging is set up by the caller). */
  readonly log: LogSettings;
}

export interface RunningDemo {
  readonly app: RunningWebApp;
  readonly demoFile: string;
  readonly stakepoolds: ReadonlyArray<string>;
}

const configFailed = (e: ConfigError) => new DemoStartFailed({ detail: `demo configuration: ${e.message}` });

/**
 * Starts the stakepoolds and the web app over a running sim, in the caller's scope (closing it
 * stops them: the server finishes its requests, votes in flight finish).
 */
export const startDemoPool = (
  sim: SimNetwork,
  secrets: DemoSecrets,
  options: DemoOptions,
): Effect.Effect<RunningDemo, DemoStartFailed | StartupFailed, Scope.Scope> =>
  Effect.gen(function* () {
    // The stakepoolds read users from the store: it is made and migrated first.
    const database = yield* Either.mapLeft(
      databaseConfigFromOptions({ datadir: options.datadir }),
      configFailed,
    );
    yield* Effect.scoped(Layer.build(databaseLayer(database))).pipe(
      Effect.mapError((e) => new DemoStartFailed({ detail: `the embedded store: ${e.message}` })),
    );

    const stakepoolds = yield* Effect.forEach(sim.endpoints.nodes, (_, index) =>
      Effect.gen(function* () {
        const config = yield* stakepooldConfig(
          sim,
          options.datadir,
          index,
          secrets.controlSecret,
          options.log,
        );
        yield* Effect.promise(() => Deno.mkdir(config.dataDir, { recursive: true }));
        // Each stakepoold's metrics carry its index (its /metrics shows only those); its lines too.
        const context = yield* Layer.build(
          stakepooldLayer(config, { feeAddressCount: DEMO_FEE_ADDRESSES }).pipe(
            Layer.locally(FiberRef.currentMetricLabels, [MetricLabel.make("stakepoold", String(index))]),
            Layer.annotateLogs("stakepoold", index),
          ),
        ).pipe(Effect.mapError((e) => new DemoStartFailed({ detail: `stakepoold ${index}: ${e.message}` })));
        // stakepooldLayer has a control server whenever controlsecret is set, as here.
        const [address] = Context.unsafeGet(context, ControlServer).addresses;
        return { address, cert: config.rpcCert };
      }));

    const config = yield* poolConfigFromOptions(
      poolOptions(sim, options, secrets, stakepoolds),
      "",
      options.datadir,
    ).pipe(
      Effect.mapError((e) =>
        e._tag === "ConfigError" ? configFailed(e) : new DemoStartFailed({ detail: e.message })
      ),
    );
    const demoWallet = yield* Layer.build(DemoWallet.layer(endpointConfig(sim.endpoints.userWallet)));
    const refresh = Duration.seconds(Math.max(2, options.blockInterval));
    const app = yield* startWebApp(config, {
      // Tickets bought in the demo show up within a block or two.
      tickets: { minRefreshInterval: "2 seconds", maxAge: refresh, tipInterval: "2 seconds" },
    }).pipe(Effect.provide(demoWallet));

    const demoFile = join(options.datadir, DEMO_FILE);
    const contents: DemoFile = { ...sim.endpoints, control: sim.controlEndpoint, web: options.url };
    yield* Effect.promise(() =>
      Deno.writeTextFile(demoFile, JSON.stringify(contents, null, 2) + "\n", { mode: 0o600 })
    );
    return { app, demoFile, stakepoolds: stakepoolds.map((s) => s.address) };
  });
