// hcsim: N voting nodes (hcd + hcwallet endpoints, all wallets from one seed) over one shared
// chain, a funded user wallet, a cold-wallet fee xpub, and an in-process control API. The RPC
// servers are the project's JSON-RPC server in hcd's and hcwallet's dialects, with hcd-style
// certificates written to the datadir. One seed derives every choice the simulation makes (the
// wallets' keys when not given, the background tickets, hence the blocks and their lotteries);
// secrets (RPC credentials, the wallet passphrase, TLS keys) stay random: the seed is printed.
import { randomBytes } from "node:crypto";
import { Context, Effect, Either, Layer } from "effect";
import {
  deriveChild,
  type ExtendedKey,
  HARDENED_KEY_START,
  masterFromSeed,
  neuter,
  serializeExtendedKey,
} from "../domain/hdkey.ts";
import { blake256 } from "../domain/hash.ts";
import { type NetName, NETWORKS } from "../domain/params.ts";
import { feeAddressHashes } from "../domain/poolfee.ts";
import { loadOrCreateCertPair } from "../rpc/tls_cert.ts";
import { type RpcDialect, type RpcHandler, type RpcServer, startRpcServer } from "../rpc/jsonrpc_server.ts";
import { SimChain, type TicketStatus } from "./chain.ts";
import { NO_FAULTS, type NodeFaults, type ServerKind } from "./faults.ts";
import { SimNode, type VoteRecord } from "./node_server.ts";
import { AccountKeys, SimWallet } from "./wallet.ts";
import { controlHandler } from "./control.ts";
import { type JournalServer, SimJournal } from "./journal.ts";

export interface SimNetworkOptions {
  /** Voting nodes; default 3. */
  readonly nodes?: number;
  /** Default simnet. */
  readonly net?: NetName;
  /** Mine a block every this many ms; 0 (default) mines only on `generate`. */
  readonly blockIntervalMs?: number;
  /** Certificates (and endpoints.json when written by the CLI) go here. */
  readonly datadir: string;
  /** Other stakeholders' live tickets; default TicketPoolSize. */
  readonly backgroundTickets?: number;
  /** The voting wallets' poolfees, percent (stake-pool mode); default 7.5. */
  readonly poolFees?: number;
  /** Fee addresses derived from the cold xpub (hcwallet derives 10 000); default 10 000. */
  readonly feeAddressCount?: number;
  /** User wallet funds, atoms; default 1000 coins. */
  readonly userFunds?: bigint;
  /**
   * Replays a simulation: every choice derives from it (any text; a fresh random one, printed by
   * the CLI and kept in SimNetwork.seed, when absent).
   */
  readonly seed?: string;
  /** Block timestamps, Unix seconds; default the chain's own clock (see ChainOptions.clock). */
  readonly clock?: () => number;
  /**
   * Height the chain is mined to before the servers start; default StakeValidationHeight − 1, the
   * first block with a lottery (0 gives a new chain, as a fresh simnet).
   */
  readonly startHeight?: number;
  /** Every hcd keeps a transaction index (txindex=1, as the pool's hcd must); default true. */
  readonly txindex?: boolean;
  /**
   * How long a wallet's rescan takes per block, ms; default 0.05. A rescan runs after the call
   * that started it and drops any other asked for meanwhile, as hcwallet's does (the real one took
   * about 6 ms per simnet block).
   */
  readonly rescanMsPerBlock?: number;
  /**
   * A journal file (journal.ts): replayed at start when it exists, so a restarted network is the
   * one that stopped (its seed comes from the journal); appended to while running.
   */
  readonly journal?: string;
  /** 16..64-byte wallet seeds; derived from `seed` when absent. */
  readonly votingSeed?: Uint8Array;
  readonly userSeed?: Uint8Array;
  readonly coldSeed?: Uint8Array;
  /** Wallet passphrase of every wallet; random when absent. */
  readonly walletPassphrase?: string;
  readonly hostname?: string;
  /** Fixed ports; 0/absent picks free ones. Node i uses hcdPorts[i] and walletPorts[i]. */
  readonly ports?: {
    readonly hcd?: ReadonlyArray<number>;
    readonly wallet?: ReadonlyArray<number>;
    readonly userWallet?: number;
    readonly control?: number;
  };
}

export interface Endpoint {
  readonly url: string;
  readonly user: string;
  readonly password: string;
  /** Path of the server's certificate (PEM) to pin. */
  readonly cert: string;
}

/** The shape of `<datadir>/endpoints.json`. */
export interface SimEndpoints {
  readonly net: NetName;
  readonly nodes: ReadonlyArray<{ readonly hcd: Endpoint; readonly wallet: Endpoint }>;
  readonly userWallet: Endpoint;
  readonly coldWalletXpub: string;
  readonly votingWalletXpub: string;
}

export interface ChainState {
  readonly height: number;
  readonly hash: string;
  readonly stakeDiff: number;
  readonly nextStakeDiff: number;
  readonly live: number;
  readonly immature: number;
  readonly mempool: number;
  readonly winners: ReadonlyArray<string>;
}

export interface TicketState {
  readonly ticket: string;
  readonly status: TicketStatus;
  readonly height: number;
  readonly spentBy?: string;
  readonly spentByHeight?: number;
}

/** In-process control of a running network; the control endpoint exposes the same operations. */
export interface SimControl {
  /** Mines n blocks; returns their hashes. */
  readonly generate: (n: number) => string[];
  /** Replaces the tip with a sibling block (depth-1 reorg); returns the new tip hash. */
  readonly reorg: () => string;
  /** Accepts a sibling of the tip that stays on a side chain; returns its hash. */
  readonly sideBlock: () => string;
  readonly setFaults: (node: number, patch: Partial<NodeFaults>) => Promise<NodeFaults>;
  readonly clearFaults: (node?: number) => Promise<void>;
  readonly faults: (node: number) => NodeFaults;
  readonly dropWebsockets: (node: number, which: ServerKind | "both") => void;
  readonly chainState: () => ChainState;
  /** Votes sent to any node, optionally for one ticket. */
  readonly votes: (ticket?: string) => ReadonlyArray<VoteRecord>;
  /** Statuses of the tickets not bought by the simulated background network. */
  readonly tickets: () => ReadonlyArray<TicketState>;
  /** The user wallet pays half the pool fee its tickets need (true) or the full fee (false). */
  readonly underpayPoolFee: (on: boolean) => void;
}

export interface SimNetwork {
  /** The seed this network derives from: `startSimNetwork({ seed })` replays it. */
  readonly seed: string;
  readonly endpoints: SimEndpoints;
  /** The control endpoint (HTTPS JSON-RPC, Basic auth; methods in control.ts). */
  readonly controlEndpoint: Endpoint;
  readonly control: SimControl;
  readonly walletPassphrase: string;
  readonly chain: SimChain;
  readonly nodes: ReadonlyArray<SimNode>;
  readonly userWallet: SimWallet;
  readonly close: () => Promise<void>;
}

/** m/44'/171'/0': the default account, whose neutered key getmasterpubkey answers. */
export const accountKey = (seed: Uint8Array, net: NetName): ExtendedKey =>
  [44, NETWORKS[net].hdCoinType, 0].reduce(
    (k, i) => Either.getOrThrow(deriveChild(k, i + HARDENED_KEY_START)),
    Either.getOrThrow(masterFromSeed(seed, NETWORKS[net])),
  );

const randomSecret = () => randomBytes(18).toString("base64url");

const DEFAULT_RESCAN_MS_PER_BLOCK = 0.05;

/** A fresh seed to print and replay. */
export const newSeed = (): string => randomBytes(16).toString("hex");

/** 32 bytes for one purpose, derived from the seed. */
const derivedSeed = (seed: string, purpose: string) =>
  blake256(new TextEncoder().encode(`${seed} ${purpose}`));

export const startSimNetwork = async (options: SimNetworkOptions): Promise<SimNetwork> => {
  const netName = options.net ?? "simnet";
  const net = NETWORKS[netName];
  const nodeCount = options.nodes ?? 3;
  const hostname = options.hostname ?? "127.0.0.1";
  const passphrase = options.walletPassphrase ?? randomSecret();
  const journal = options.journal === undefined
    ? undefined
    : SimJournal.open(options.journal, { seed: options.seed, net: netName, nodes: nodeCount }, newSeed);
  const seed = journal?.header.seed ?? options.seed ?? newSeed();
  const txindex = options.txindex ?? true;
  const rescanMsPerBlock = options.rescanMsPerBlock ?? DEFAULT_RESCAN_MS_PER_BLOCK;
  const chain = new SimChain({
    net,
    backgroundTickets: options.backgroundTickets,
    seed: derivedSeed(seed, "background"),
    clock: options.clock,
  });
  const startHeight = options.startHeight ?? net.stakeValidationHeight - 1;
  while (chain.height < startHeight) chain.mine();
  const votingKeys = new AccountKeys(
    accountKey(options.votingSeed ?? derivedSeed(seed, "voting wallets"), netName),
  );
  const coldXpub = neuter(accountKey(options.coldSeed ?? derivedSeed(seed, "cold wallet"), netName));
  let feeAddresses: ReadonlySet<string> | undefined;
  const stakePool = {
    // Derived on first use and shared: every voting wallet is configured with the same cold xpub.
    feeAddresses: () =>
      feeAddresses ??= Either.getOrThrow(feeAddressHashes(coldXpub, options.feeAddressCount)),
    poolFees: options.poolFees ?? 7.5,
  };
  const votes: VoteRecord[] = [];
  const servers: RpcServer[] = [];
  const wallets: SimWallet[] = [];
  let timer: ReturnType<typeof setInterval> | undefined;

  const generate = (n: number) => Array.from({ length: n }, () => chain.mine().hash);
  const recordVote = (v: VoteRecord) => votes.push(v);
  const nodes = Array.from({ length: nodeCount }, (_, index) => {
    const wallet = new SimWallet({
      name: `wallet ${index}`,
      chain,
      keys: votingKeys,
      passphrase,
      stakePool,
      hcdTxIndex: txindex,
      rescanMsPerBlock,
    });
    wallets.push(wallet);
    return new SimNode({ index, chain, wallet, generate, recordVote, txindex });
  });
  const userWallet = new SimWallet({
    name: "user wallet",
    chain,
    keys: new AccountKeys(accountKey(options.userSeed ?? derivedSeed(seed, "user wallet"), netName)),
    passphrase,
    balance: options.userFunds ?? 1000n * 100_000_000n,
    hcdTxIndex: txindex,
    rescanMsPerBlock,
  });
  wallets.push(userWallet);
  const userNode = new SimNode({ index: -1, chain, wallet: userWallet, generate, recordVote, txindex });
  const unsubscribe = chain.onEvent((e) => {
    for (const n of [...nodes, userNode]) n.onChainEvent(e);
  });

  const serve = async (
    dir: string,
    organization: string,
    dialect: RpcDialect,
    handler: RpcHandler,
    port: number | undefined,
    onDisconnect?: (id: string) => void,
  ): Promise<[RpcServer, Endpoint]> => {
    await Deno.mkdir(dir, { recursive: true });
    const cert = `${dir}/rpc.cert`;
    const pair = await Effect.runPromise(loadOrCreateCertPair(cert, `${dir}/rpc.key`, organization));
    const user = randomSecret();
    const password = randomSecret();
    const server = startRpcServer({
      dialect,
      certPem: pair.certPem,
      keyPem: pair.keyPem,
      user,
      password,
      handler,
      hostname,
      port: port ?? 0,
      onDisconnect,
    });
    servers.push(server);
    return [server, { url: server.url, user, password, cert }];
  };

  const close = async () => {
    clearInterval(timer);
    journal?.close();
    unsubscribe();
    for (const w of wallets) w.close();
    await Promise.all(servers.map((s) => s.close()));
  };

  try {
    const nodeEndpoints = [];
    for (const node of nodes) {
      const i = node.index;
      const [hcd, hcdEndpoint] = await serve(
        `${options.datadir}/node${i}/hcd`,
        "hcd autogenerated cert",
        "hcd",
        journal?.wrap(i, "hcd", node.hcdHandler) ?? node.hcdHandler,
        options.ports?.hcd?.[i],
        (id) => node.forgetConnection(id),
      );
      const [wallet, walletEndpoint] = await serve(
        `${options.datadir}/node${i}/wallet`,
        "hcwallet autogenerated cert",
        "hcwallet",
        journal?.wrap(i, "wallet", node.walletHandler) ?? node.walletHandler,
        options.ports?.wallet?.[i],
      );
      node.hcdServer = hcd;
      node.walletServer = wallet;
      nodeEndpoints.push({ hcd: hcdEndpoint, wallet: walletEndpoint });
    }
    const [userServer, userEndpoint] = await serve(
      `${options.datadir}/userwallet`,
      "hcwallet autogenerated cert",
      "hcwallet",
      journal?.wrap(-1, "wallet", userNode.walletHandler) ?? userNode.walletHandler,
      options.ports?.userWallet,
    );
    userNode.walletServer = userServer;

    const nodeAt = (i: number) => {
      const node = nodes[i];
      if (!node) throw new RangeError(`no node ${i} (there are ${nodes.length})`);
      return node;
    };
    const control: SimControl = {
      generate,
      reorg: () => chain.reorganize().hash,
      sideBlock: () => chain.sideBlock().hash,
      setFaults: async (i, patch) => {
        await nodeAt(i).setFaults(patch);
        return nodeAt(i).faults;
      },
      clearFaults: async (i) => {
        for (const node of i === undefined ? nodes : [nodeAt(i)]) await node.setFaults(NO_FAULTS);
      },
      faults: (i) => nodeAt(i).faults,
      dropWebsockets: (i, which) => nodeAt(i).dropWebsockets(which),
      chainState: () => ({
        height: chain.height,
        hash: chain.tip.hash,
        stakeDiff: Number(chain.currentStakeDiff),
        nextStakeDiff: Number(chain.nextStakeDiff),
        live: chain.liveCount(),
        immature: chain.immatureCount(),
        mempool: chain.mempoolTxs().length,
        winners: chain.tip.winners,
      }),
      votes: (ticket) => ticket === undefined ? [...votes] : votes.filter((v) => v.ticket === ticket),
      tickets: () =>
        [...chain.allTickets()].filter((t) => !t.background).map((t) => ({
          ticket: t.hash,
          status: t.status,
          height: t.height,
          ...(t.spentBy ? { spentBy: t.spentBy, spentByHeight: t.spentByHeight } : {}),
        })),
      underpayPoolFee: (on) => {
        userWallet.underpayPoolFee = on;
      },
    };
    const [, controlEndpoint] = await serve(
      `${options.datadir}/control`,
      "hcsim autogenerated cert",
      "hcd",
      journal?.wrap(undefined, "control", controlHandler(control)) ?? controlHandler(control),
      options.ports?.control,
    );
    // A replay runs each rescan to its end at once (one the first run dropped then runs too).
    for (const w of wallets) w.rescanMsPerBlock = 0;
    await journal?.replayThenRecord(
      chain,
      (i, server: JournalServer) =>
        server === "control"
          ? controlHandler(control)
          : server === "hcd"
          ? nodeAt(i).hcdHandler
          : i === -1
          ? userNode.walletHandler
          : nodeAt(i).walletHandler,
    );
    for (const w of wallets) w.rescanMsPerBlock = rescanMsPerBlock;
    if ((options.blockIntervalMs ?? 0) > 0) timer = setInterval(() => chain.mine(), options.blockIntervalMs);
    return {
      seed,
      endpoints: {
        net: netName,
        nodes: nodeEndpoints,
        userWallet: userEndpoint,
        coldWalletXpub: serializeExtendedKey(coldXpub),
        votingWalletXpub: serializeExtendedKey(votingKeys.xpub),
      },
      controlEndpoint,
      control,
      walletPassphrase: passphrase,
      chain,
      nodes,
      userWallet,
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
};

/** The running network as a service for programs built with Effect layers. */
export class SimNetworkService
  extends Context.Tag("hcstakepool/SimNetwork")<SimNetworkService, SimNetwork>() {
  static readonly layer = (options: SimNetworkOptions) =>
    Layer.scoped(
      SimNetworkService,
      Effect.acquireRelease(
        Effect.promise(() => startSimNetwork(options)),
        (n) => Effect.promise(() => n.close()),
      ),
    );
}
