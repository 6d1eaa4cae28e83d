// HC chain parameters for the three networks (hcd chaincfg/params.go; HC-PROTOCOL §1, §7).
import { Either } from "effect";
import { Data } from "effect";

export type NetName = "mainnet" | "testnet2" | "simnet";
export const NET_NAMES: ReadonlyArray<NetName> = ["mainnet", "testnet2", "simnet"];

export class UnknownNetwork extends Data.TaggedError("UnknownNetwork")<{ readonly name: string }> {
  override get message() {
    return `unknown network "${this.name}" (expected mainnet, testnet2 or simnet)`;
  }
}

export interface VoteChoice {
  readonly id: string;
  readonly description: string;
  readonly bits: number;
  readonly isAbstain: boolean;
  readonly isNo: boolean;
}

export interface Agenda {
  readonly id: string;
  readonly description: string;
  readonly mask: number;
  readonly choices: ReadonlyArray<VoteChoice>;
  readonly startTime: bigint;
  readonly expireTime: bigint;
}

/** Two-byte address network IDs. */
export type AddrId = readonly [number, number];

export interface NetParams {
  readonly name: NetName;
  /** First character of every address on this net; DecodeAddress picks the net from it. */
  readonly addressPrefix: "H" | "T" | "S";
  readonly pubKeyAddrId: AddrId;
  readonly pubKeyBlissAddrId: AddrId;
  readonly pubKeyHashAddrId: AddrId;
  readonly pkhEdwardsAddrId: AddrId;
  readonly pkhSchnorrAddrId: AddrId;
  readonly pkhBlissAddrId: AddrId;
  readonly scriptHashAddrId: AddrId;
  readonly privateKeyId: AddrId;
  readonly hdPrivateKeyId: Uint8Array;
  readonly hdPublicKeyId: Uint8Array;
  readonly hdCoinType: number;
  /** hcd wire/protocol.go CurrencyNet: what hcd's `getcurrentnet` answers. */
  readonly wireMagic: number;
  readonly defaultPort: number;
  readonly hcdRpcPort: number;
  readonly walletRpcPort: number;
  readonly walletGrpcPort: number;
  /** Seconds. */
  readonly targetTimePerBlock: number;
  readonly powLimitBits: number;
  readonly maximumBlockSizes: ReadonlyArray<number>;
  readonly maxTxSize: number;
  readonly workDiffWindowSize: number;
  readonly workDiffWindows: number;
  readonly baseSubsidy: number;
  readonly mulSubsidy: number;
  readonly divSubsidy: number;
  readonly subsidyReductionInterval: number;
  readonly workRewardProportion: number;
  readonly stakeRewardProportion: number;
  readonly blockTaxProportion: number;
  readonly minimumStakeDiff: number;
  readonly ticketPoolSize: number;
  readonly ticketsPerBlock: number;
  readonly ticketMaturity: number;
  readonly ticketExpiry: number;
  readonly coinbaseMaturity: number;
  readonly sstxChangeMaturity: number;
  readonly ticketPoolSizeWeight: number;
  readonly stakeDiffAlpha: number;
  readonly stakeDiffWindowSize: number;
  readonly stakeDiffWindows: number;
  readonly stakeVersionInterval: number;
  readonly maxFreshStakePerBlock: number;
  readonly stakeEnabledHeight: number;
  readonly stakeValidationHeight: number;
  readonly stakeBaseSigScript: Uint8Array;
  readonly stakeMajorityMultiplier: number;
  readonly stakeMajorityDivisor: number;
  readonly ruleChangeActivationQuorum: number;
  readonly ruleChangeActivationMultiplier: number;
  readonly ruleChangeActivationDivisor: number;
  readonly ruleChangeActivationInterval: number;
  readonly blockEnforceNumRequired: number;
  readonly blockRejectNumRequired: number;
  readonly blockUpgradeNumToCheck: number;
  readonly organizationPkScriptHex: string;
  readonly omniStartHeight: number;
  /** Vote version hcwallet votes with on this net (wallet.go voteVersion). */
  readonly walletVoteVersion: number;
  /** Agendas keyed by vote version. */
  readonly deployments: ReadonlyMap<number, ReadonlyArray<Agenda>>;
  /** Stake pool: default stakepoold gRPC/control port (hcstakepool config). */
  readonly stakepooldPort: number;
}

const bytes = (...b: number[]) => Uint8Array.from(b);

const maxBlockSizeAgenda: Agenda = {
  id: "maxblocksize",
  description: "Change maximum allowed block size from 1MiB to 1.25MB",
  mask: 0x0006,
  choices: [
    { id: "abstain", description: "abstain voting for change", bits: 0x0000, isAbstain: true, isNo: false },
    {
      id: "no",
      description: "reject changing max allowed block size",
      bits: 0x0002,
      isAbstain: false,
      isNo: true,
    },
    {
      id: "yes",
      description: "accept changing max allowed block size",
      bits: 0x0004,
      isAbstain: false,
      isNo: false,
    },
  ],
  startTime: 0n,
  expireTime: 9223372036854775807n,
};

const common = {
  hdCoinType: 171,
  baseSubsidy: 640000000,
  mulSubsidy: 999,
  divSubsidy: 1000,
  workRewardProportion: 6,
  stakeRewardProportion: 3,
  blockTaxProportion: 1,
  ticketsPerBlock: 5,
  sstxChangeMaturity: 1,
  ticketPoolSizeWeight: 4,
  stakeDiffAlpha: 1,
  maxFreshStakePerBlock: 20,
  stakeMajorityMultiplier: 3,
  stakeMajorityDivisor: 4,
  ruleChangeActivationMultiplier: 3,
  ruleChangeActivationDivisor: 4,
  omniStartHeight: 46000,
} as const;

export const mainnet: NetParams = {
  ...common,
  name: "mainnet",
  addressPrefix: "H",
  pubKeyAddrId: [0x19, 0xa4],
  pubKeyBlissAddrId: [0x07, 0xc3],
  pubKeyHashAddrId: [0x09, 0x7f],
  pkhEdwardsAddrId: [0x09, 0x60],
  pkhSchnorrAddrId: [0x09, 0x41],
  pkhBlissAddrId: [0x09, 0x58],
  scriptHashAddrId: [0x09, 0x5a],
  privateKeyId: [0x19, 0xab],
  hdPrivateKeyId: bytes(0x02, 0xfd, 0xa4, 0xe8),
  hdPublicKeyId: bytes(0x02, 0xfd, 0xa9, 0x26),
  wireMagic: 0x1125f51b,
  defaultPort: 14008,
  hcdRpcPort: 14009,
  walletRpcPort: 14010,
  walletGrpcPort: 14011,
  targetTimePerBlock: 150,
  powLimitBits: 0x1d00ffff,
  maximumBlockSizes: [1000000],
  maxTxSize: 1000000,
  workDiffWindowSize: 288,
  workDiffWindows: 20,
  subsidyReductionInterval: 12288,
  minimumStakeDiff: 200000000,
  ticketPoolSize: 8192,
  ticketMaturity: 512,
  ticketExpiry: 40960,
  coinbaseMaturity: 512,
  stakeDiffWindowSize: 288,
  stakeDiffWindows: 20,
  stakeVersionInterval: 4032,
  stakeEnabledHeight: 1024,
  stakeValidationHeight: 4096,
  stakeBaseSigScript: bytes(0x00, 0x00),
  ruleChangeActivationQuorum: 4032,
  ruleChangeActivationInterval: 8064,
  blockEnforceNumRequired: 750,
  blockRejectNumRequired: 950,
  blockUpgradeNumToCheck: 1000,
  organizationPkScriptHex: "76a9141842627102a8a153c1a8db39c9a30c0f8f5263d988ac",
  walletVoteVersion: 0,
  deployments: new Map(),
  stakepooldPort: 9113,
};

export const testnet2: NetParams = {
  ...common,
  name: "testnet2",
  addressPrefix: "T",
  pubKeyAddrId: [0x28, 0xf7],
  pubKeyBlissAddrId: [0x0c, 0x66],
  pubKeyHashAddrId: [0x0f, 0x21],
  pkhEdwardsAddrId: [0x0f, 0x01],
  pkhSchnorrAddrId: [0x0e, 0xe3],
  pkhBlissAddrId: [0x0e, 0xf9],
  scriptHashAddrId: [0x0e, 0xfc],
  privateKeyId: [0x23, 0x0e],
  hdPrivateKeyId: bytes(0x04, 0x35, 0x83, 0x97),
  hdPublicKeyId: bytes(0x04, 0x35, 0x87, 0xd1),
  wireMagic: 0x9ab5693b,
  defaultPort: 12008,
  hcdRpcPort: 12009,
  walletRpcPort: 12010,
  walletGrpcPort: 12011,
  targetTimePerBlock: 60,
  powLimitBits: 0x1e00ffff,
  maximumBlockSizes: [1310720],
  maxTxSize: 1000000,
  workDiffWindowSize: 144,
  workDiffWindows: 20,
  subsidyReductionInterval: 2048,
  minimumStakeDiff: 20000000,
  ticketPoolSize: 1024,
  ticketMaturity: 16,
  ticketExpiry: 6144,
  coinbaseMaturity: 16,
  stakeDiffWindowSize: 144,
  stakeDiffWindows: 20,
  stakeVersionInterval: 2016,
  stakeEnabledHeight: 32,
  stakeValidationHeight: 775,
  stakeBaseSigScript: bytes(0x00, 0x00),
  ruleChangeActivationQuorum: 2520,
  ruleChangeActivationInterval: 5040,
  blockEnforceNumRequired: 51,
  blockRejectNumRequired: 75,
  blockUpgradeNumToCheck: 100,
  organizationPkScriptHex:
    "5221031377eb7eb294ba8d0c81bb64a047c9b36561f3899507679b38cfcbf59e016f9421036806c694f4d5d617259b5fabaf9ad84c20c2bf57b1a171fb6048215d6d71e13e52ae",
  walletVoteVersion: 7,
  deployments: new Map([[7, [maxBlockSizeAgenda]]]),
  stakepooldPort: 19113,
};

export const simnet: NetParams = {
  ...common,
  name: "simnet",
  addressPrefix: "S",
  pubKeyAddrId: [0x27, 0x6f],
  pubKeyBlissAddrId: [0x0b, 0xef],
  pubKeyHashAddrId: [0x0e, 0x91],
  pkhEdwardsAddrId: [0x0e, 0x71],
  pkhSchnorrAddrId: [0x0e, 0x53],
  pkhBlissAddrId: [0x0e, 0x69],
  scriptHashAddrId: [0x0e, 0x6c],
  privateKeyId: [0x23, 0x07],
  hdPrivateKeyId: bytes(0x04, 0x20, 0xb9, 0x03),
  hdPublicKeyId: bytes(0x04, 0x20, 0xbd, 0x3d),
  wireMagic: 0x8a136344,
  defaultPort: 13008,
  hcdRpcPort: 13009,
  walletRpcPort: 13010,
  walletGrpcPort: 13011,
  targetTimePerBlock: 1,
  powLimitBits: 0x207fffff,
  maximumBlockSizes: [1000000, 1310720],
  maxTxSize: 2048000,
  workDiffWindowSize: 8,
  workDiffWindows: 4,
  subsidyReductionInterval: 128,
  minimumStakeDiff: 20000,
  ticketPoolSize: 64,
  ticketMaturity: 16,
  ticketExpiry: 384,
  coinbaseMaturity: 16,
  stakeDiffWindowSize: 8,
  stakeDiffWindows: 8,
  stakeVersionInterval: 112,
  stakeEnabledHeight: 32,
  stakeValidationHeight: 144,
  stakeBaseSigScript: bytes(0xde, 0xad, 0xbe, 0xef),
  ruleChangeActivationQuorum: 160,
  ruleChangeActivationInterval: 320,
  blockEnforceNumRequired: 51,
  blockRejectNumRequired: 75,
  blockUpgradeNumToCheck: 100,
  organizationPkScriptHex: "a914cbb08d6ca783b533b2c7d24a51fbca92d937bf9987",
  walletVoteVersion: 7,
  deployments: new Map([[7, [maxBlockSizeAgenda]]]),
  stakepooldPort: 19560,
};

export const NETWORKS: Readonly<Record<NetName, NetParams>> = { mainnet, testnet2, simnet };

export const netByName = (name: string): Either.Either<NetParams, UnknownNetwork> =>
  name in NETWORKS ? Either.right(NETWORKS[name as NetName]) : Either.left(new UnknownNetwork({ name }));

/** Agendas the wallet votes on for a given vote version (may be empty). */
export const agendasFor = (net: NetParams, voteVersion: number): ReadonlyArray<Agenda> =>
  net.deployments.get(voteVersion) ?? [];
