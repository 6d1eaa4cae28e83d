// hcwallet and hcd JSON-RPC methods (HC-PROTOCOL §8.3) and websocket notifications (§8.4) as
// Schemas: positional params as tuples, results as structs (omitempty fields optional). Clients
// decode answers with them; hcsim shapes its answers and notifications with the same Schemas.
import { Effect, Either, ParseResult, Schema, Stream } from "effect";
import { RpcDecodeError, type RpcError } from "./errors.ts";
import type { CallOptions, RpcClient, RpcNotification } from "./jsonrpc_client.ts";

export interface RpcMethod<P extends Schema.Schema.AnyNoContext, R extends Schema.Schema.AnyNoContext> {
  readonly name: string;
  readonly params: P;
  readonly result: R;
}

const rpcMethod = <P extends Schema.Schema.AnyNoContext, R extends Schema.Schema.AnyNoContext>(
  name: string,
  params: P,
  result: R,
): RpcMethod<P, R> => ({ name, params, result });

const opt = <S extends Schema.Schema.AnyNoContext>(s: S) => Schema.optionalElement(s);
const NoParams = Schema.Tuple();
const Str = Schema.String;
const Num = Schema.Number;
const Bool = Schema.Boolean;

/** Go marshals an empty slice as null; decoded as []. */
const List = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.transform(Schema.NullOr(Schema.Array(item)), Schema.typeSchema(Schema.Array(item)), {
    strict: true,
    decode: (xs) => xs ?? [],
    encode: (xs) => xs,
  });

// ---- results ----

export const ValidateAddressResult = Schema.Struct({
  isvalid: Bool,
  address: Schema.optional(Str),
  ismine: Schema.optional(Bool),
  iswatchonly: Schema.optional(Bool),
  isscript: Schema.optional(Bool),
  pubkeyaddr: Schema.optional(Str),
  pubkey: Schema.optional(Str),
  iscompressed: Schema.optional(Bool),
  account: Schema.optional(Str),
  addresses: Schema.optional(Schema.Array(Str)),
  hex: Schema.optional(Str),
  script: Schema.optional(Str),
  sigsrequired: Schema.optional(Num),
});
export type ValidateAddressResult = typeof ValidateAddressResult.Type;

export const CreateMultisigResult = Schema.Struct({ address: Str, redeemScript: Str });
export type CreateMultisigResult = typeof CreateMultisigResult.Type;

export const ListScriptsResult = Schema.Struct({
  scripts: List(Schema.Struct({ hash160: Str, address: Str, redeemscript: Str })),
});
export type ListScriptsResult = typeof ListScriptsResult.Type;

export const StakeInfoResult = Schema.Struct({
  blockheight: Num,
  poolsize: Num,
  difficulty: Num,
  allmempooltix: Num,
  ownmempooltix: Num,
  immature: Num,
  live: Num,
  proportionlive: Num,
  voted: Num,
  totalsubsidy: Num,
  missed: Num,
  proportionmissed: Num,
  revoked: Num,
  expired: Num,
});
export type StakeInfoResult = typeof StakeInfoResult.Type;

export const TicketStatus = Schema.Literal("live", "voted", "missed", "expired");
export type TicketStatus = typeof TicketStatus.Type;

export const StakePoolUserInfoResult = Schema.Struct({
  tickets: List(Schema.Struct({
    status: TicketStatus,
    ticket: Str,
    ticketheight: Num,
    spentby: Str,
    spentbyheight: Num,
  })),
  invalid: List(Str),
});
export type StakePoolUserInfoResult = typeof StakePoolUserInfoResult.Type;

export const HashesResult = Schema.Struct({ hashes: List(Str) });
export const TicketsResult = Schema.Struct({ tickets: List(Str) });

export const BestBlockResult = Schema.Struct({ hash: Str, height: Num });
export type BestBlockResult = typeof BestBlockResult.Type;

export const BlockHeaderVerbose = Schema.Struct({
  hash: Str,
  confirmations: Num,
  version: Num,
  previousblockhash: Str,
  merkleroot: Str,
  stakeroot: Str,
  votebits: Num,
  finalstate: Str,
  voters: Num,
  freshstake: Num,
  revocations: Num,
  poolsize: Num,
  bits: Str,
  sbits: Num,
  height: Num,
  size: Num,
  time: Num,
  nonce: Num,
  stakeversion: Num,
  difficulty: Num,
  // hcd's getblockheader answer has chainwork and no extradata; getblock has extradata.
  chainwork: Schema.optional(Str),
  nextblockhash: Schema.optional(Str),
});
export type BlockHeaderVerbose = typeof BlockHeaderVerbose.Type;

export const BlockVerbose = Schema.Struct({
  ...BlockHeaderVerbose.fields,
  extradata: Schema.optional(Str),
  tx: Schema.optional(Schema.Array(Str)),
  stx: Schema.optional(Schema.Array(Str)),
  rawtx: Schema.optional(Schema.Array(Schema.Unknown)),
  rawstx: Schema.optional(Schema.Array(Schema.Unknown)),
});
export type BlockVerbose = typeof BlockVerbose.Type;

const ScriptSig = Schema.Struct({ asm: Str, hex: Str });
export const RawTransactionVerbose = Schema.Struct({
  hex: Str,
  txid: Str,
  version: Num,
  locktime: Num,
  expiry: Num,
  vin: Schema.Array(Schema.Struct({
    coinbase: Schema.optional(Str),
    stakebase: Schema.optional(Str),
    txid: Schema.optional(Str),
    vout: Schema.optional(Num),
    tree: Schema.optional(Num),
    sequence: Num,
    amountin: Num,
    blockheight: Schema.optional(Num),
    blockindex: Schema.optional(Num),
    scriptSig: Schema.optional(ScriptSig),
  })),
  vout: Schema.Array(Schema.Struct({
    value: Num,
    n: Num,
    version: Num,
    scriptPubKey: Schema.Struct({
      asm: Str,
      hex: Schema.optional(Str),
      reqSigs: Schema.optional(Num),
      type: Str,
      addresses: Schema.optional(Schema.Array(Str)),
      commitamt: Schema.optional(Num),
    }),
  })),
  blockhash: Schema.optional(Str),
  blockheight: Schema.optional(Num),
  blockindex: Schema.optional(Num),
  confirmations: Schema.optional(Num),
  time: Schema.optional(Num),
  blocktime: Schema.optional(Num),
});
export type RawTransactionVerbose = typeof RawTransactionVerbose.Type;

export const GenerateVoteResult = Schema.Struct({ hex: Str });

export const WalletInfoResult = Schema.Struct({
  daemonconnected: Bool,
  unlocked: Bool,
  txfee: Num,
  ticketfee: Num,
  ticketpurchasing: Bool,
  votebits: Num,
  votebitsextended: Str,
  voteversion: Num,
  voting: Bool,
});
export type WalletInfoResult = typeof WalletInfoResult.Type;

export const BalanceResult = Schema.Struct({
  balances: List(Schema.Struct({
    accountname: Str,
    immaturecoinbaserewards: Num,
    immaturestakegeneration: Num,
    lockedbytickets: Num,
    spendable: Num,
    total: Num,
    unconfirmed: Num,
    votingauthority: Num,
  })),
  blockhash: Str,
  totalimmaturecoinbaserewards: Schema.optional(Num),
  totalimmaturestakegeneration: Schema.optional(Num),
  totallockedbytickets: Schema.optional(Num),
  totalspendable: Schema.optional(Num),
  cumulativetotal: Schema.optional(Num),
  totalunconfirmed: Schema.optional(Num),
  totalvotingauthority: Schema.optional(Num),
});
export type BalanceResult = typeof BalanceResult.Type;

export const VoteChoicesResult = Schema.Struct({
  version: Num,
  choices: List(
    Schema.Struct({ agendaid: Str, agendadescription: Str, choiceid: Str, choicedescription: Str }),
  ),
});
export type VoteChoicesResult = typeof VoteChoicesResult.Type;

export const StakeDifficultyResult = Schema.Struct({ current: Num, next: Num });

export const VersionResult = Schema.Record({
  key: Str,
  value: Schema.Struct({
    versionstring: Str,
    major: Num,
    minor: Num,
    patch: Num,
    prerelease: Str,
    buildmetadata: Str,
  }),
});
export type VersionResult = typeof VersionResult.Type;

/** hcd's and hcwallet's getinfo: the common fields, the wallet-only ones optional. */
export const InfoResult = Schema.Struct({
  version: Num,
  protocolversion: Num,
  blocks: Num,
  timeoffset: Num,
  connections: Num,
  proxy: Str,
  difficulty: Num,
  testnet: Bool,
  relayfee: Num,
  errors: Str,
  walletversion: Schema.optional(Num),
  balance: Schema.optional(Num),
  keypoololdest: Schema.optional(Num),
  keypoolsize: Schema.optional(Num),
  unlocked_until: Schema.optional(Num),
  paytxfee: Schema.optional(Num),
});
export type InfoResult = typeof InfoResult.Type;

export const TransactionResult = Schema.Struct({
  amount: Num,
  fee: Schema.optional(Num),
  confirmations: Num,
  blockhash: Schema.optional(Str),
  blockindex: Schema.optional(Num),
  blocktime: Schema.optional(Num),
  txid: Str,
  walletconflicts: List(Str),
  time: Num,
  timereceived: Num,
  details: List(Schema.Struct({
    account: Schema.optional(Str),
    address: Schema.optional(Str),
    amount: Num,
    category: Str,
    fee: Schema.optional(Num),
    vout: Num,
  })),
  hex: Str,
});
export type TransactionResult = typeof TransactionResult.Type;

// ---- methods ----

export const GetNewAddress = rpcMethod("getnewaddress", Schema.Tuple(opt(Str), opt(Str)), Str);
export const ValidateAddress = rpcMethod("validateaddress", Schema.Tuple(Str), ValidateAddressResult);
export const CreateMultisig = rpcMethod(
  "createmultisig",
  Schema.Tuple(Num, Schema.Array(Str)),
  CreateMultisigResult,
);
export const ImportScript = rpcMethod("importscript", Schema.Tuple(Str, opt(Bool), opt(Num)), Schema.Null);
export const ListScripts = rpcMethod("listscripts", NoParams, ListScriptsResult);
export const AccountSyncAddressIndex = rpcMethod(
  "accountsyncaddressindex",
  Schema.Tuple(Str, Num, Num),
  Schema.Null,
);
export const GetMasterPubKey = rpcMethod("getmasterpubkey", Schema.Tuple(opt(Str)), Str);
export const GetStakeInfo = rpcMethod("getstakeinfo", NoParams, StakeInfoResult);
export const StakePoolUserInfo = rpcMethod("stakepooluserinfo", Schema.Tuple(Str), StakePoolUserInfoResult);
export const AddTicket = rpcMethod("addticket", Schema.Tuple(Str), Schema.Null);
export const GetTickets = rpcMethod("gettickets", Schema.Tuple(Bool), HashesResult);
export const TicketsForAddress = rpcMethod("ticketsforaddress", Schema.Tuple(Str), TicketsResult);
export const GetBestBlock = rpcMethod("getbestblock", NoParams, BestBlockResult);
export const GetBlockCount = rpcMethod("getblockcount", NoParams, Num);
/** Verbose form (verbose=true, verbosetx=false). */
export const GetBlock = rpcMethod("getblock", Schema.Tuple(Str, opt(Bool), opt(Bool)), BlockVerbose);
export const GetBlockHeader = rpcMethod("getblockheader", Schema.Tuple(Str, opt(Bool)), BlockHeaderVerbose);
export const GetRawTransactionHex = rpcMethod("getrawtransaction", Schema.Tuple(Str, opt(Num)), Str);
export const GetRawTransactionVerbose = rpcMethod(
  "getrawtransaction",
  Schema.Tuple(Str, opt(Num)),
  RawTransactionVerbose,
);
export const SendRawTransaction = rpcMethod("sendrawtransaction", Schema.Tuple(Str, opt(Bool)), Str);
export const GenerateVote = rpcMethod(
  "generatevote",
  Schema.Tuple(Str, Num, Str, Num, Str),
  GenerateVoteResult,
);
export const WalletInfo = rpcMethod("walletinfo", NoParams, WalletInfoResult);
export const GetBalance = rpcMethod("getbalance", Schema.Tuple(opt(Str), opt(Num)), BalanceResult);
export const GetVoteChoices = rpcMethod("getvotechoices", NoParams, VoteChoicesResult);
export const SetVoteChoice = rpcMethod("setvotechoice", Schema.Tuple(Str, Str), Schema.Null);
/** fromaccount, spendlimit, minconf, ticketaddress, numtickets, pooladdress, poolfees, expiry, comment, ticketfee. */
export const PurchaseTicket = rpcMethod(
  "purchaseticket",
  Schema.Tuple(Str, Num, opt(Num), opt(Str), opt(Num), opt(Str), opt(Num), opt(Num), opt(Str), opt(Num)),
  List(Str),
);
export const GetStakeDifficulty = rpcMethod("getstakedifficulty", NoParams, StakeDifficultyResult);
/** txhashblob: hex concatenation of 32-byte hashes; result: hex bitset. */
export const ExistsLiveTickets = rpcMethod("existslivetickets", Schema.Tuple(Str), Str);
export const ExistsMissedTickets = rpcMethod("existsmissedtickets", Schema.Tuple(Str), Str);
export const ExistsExpiredTickets = rpcMethod("existsexpiredtickets", Schema.Tuple(Str), Str);
export const LiveTickets = rpcMethod("livetickets", NoParams, TicketsResult);
export const MissedTickets = rpcMethod("missedtickets", NoParams, TicketsResult);
export const Version = rpcMethod("version", NoParams, VersionResult);
export const GetInfo = rpcMethod("getinfo", NoParams, InfoResult);
/** The network's wire magic. */
export const GetCurrentNet = rpcMethod("getcurrentnet", NoParams, Num);
export const WalletPassphrase = rpcMethod("walletpassphrase", Schema.Tuple(Str, Num), Schema.Null);
export const WalletLock = rpcMethod("walletlock", NoParams, Schema.Null);
export const RescanWallet = rpcMethod("rescanwallet", Schema.Tuple(opt(Num)), Schema.Null);
export const GetTransaction = rpcMethod("gettransaction", Schema.Tuple(Str, opt(Bool)), TransactionResult);
export const NotifyBlocks = rpcMethod("notifyblocks", NoParams, Schema.Null);
export const NotifyWinningTickets = rpcMethod("notifywinningtickets", NoParams, Schema.Null);
export const NotifyNewTickets = rpcMethod("notifynewtickets", NoParams, Schema.Null);
export const NotifySpentAndMissedTickets = rpcMethod("notifyspentandmissedtickets", NoParams, Schema.Null);
/** hcd announces the tip's winners again (winningtickets) to every client registered for them. */
export const RebroadcastWinners = rpcMethod("rebroadcastwinners", NoParams, Schema.Null);

/** Calls a method and decodes its answer; a malformed answer is an RpcDecodeError naming the method. */
export const callMethod = <P extends Schema.Schema.AnyNoContext, R extends Schema.Schema.AnyNoContext>(
  client: RpcClient,
  method: RpcMethod<P, R>,
  params: Schema.Schema.Type<P>,
  options?: CallOptions,
): Effect.Effect<Schema.Schema.Type<R>, RpcError | RpcDecodeError> => {
  // Optional trailing params are left out rather than sent as null.
  const positional = [...(params as ReadonlyArray<unknown>)];
  while (positional.length > 0 && positional[positional.length - 1] === undefined) positional.pop();
  return client.call(method.name, positional, options).pipe(
    Effect.flatMap((raw) =>
      Schema.decodeUnknown(method.result)(raw).pipe(
        Effect.mapError((e) =>
          new RpcDecodeError({
            host: client.host,
            method: method.name,
            detail: ParseResult.TreeFormatter.formatErrorSync(e),
          })
        ),
      )
    ),
  );
};

/** hcwallet methods the pool and stakepoold use. */
export const walletRpc = (client: RpcClient) => ({
  client,
  getNewAddress: (account?: string, gapPolicy?: string) =>
    callMethod(client, GetNewAddress, [account, gapPolicy]),
  validateAddress: (address: string) => callMethod(client, ValidateAddress, [address]),
  createMultisig: (nRequired: number, keys: ReadonlyArray<string>) =>
    callMethod(client, CreateMultisig, [nRequired, keys]),
  importScript: (hex: string, rescan?: boolean, scanFrom?: number) =>
    callMethod(client, ImportScript, [hex, rescan, scanFrom]),
  listScripts: () => callMethod(client, ListScripts, []),
  accountSyncAddressIndex: (account: string, branch: number, index: number) =>
    callMethod(client, AccountSyncAddressIndex, [account, branch, index]),
  getMasterPubKey: (account?: string) => callMethod(client, GetMasterPubKey, [account]),
  getStakeInfo: () => callMethod(client, GetStakeInfo, []),
  stakePoolUserInfo: (user: string) => callMethod(client, StakePoolUserInfo, [user]),
  addTicket: (ticketHex: string) => callMethod(client, AddTicket, [ticketHex]),
  getTickets: (includeImmature: boolean) => callMethod(client, GetTickets, [includeImmature]),
  ticketsForAddress: (address: string) => callMethod(client, TicketsForAddress, [address]),
  getBestBlock: () => callMethod(client, GetBestBlock, []),
  getBlockCount: () => callMethod(client, GetBlockCount, []),
  getRawTransactionHex: (txid: string) => callMethod(client, GetRawTransactionHex, [txid, 0]),
  sendRawTransaction: (hex: string, allowHighFees?: boolean) =>
    callMethod(client, SendRawTransaction, [hex, allowHighFees]),
  generateVote: (
    blockHash: string,
    height: number,
    ticketHash: string,
    voteBits: number,
    voteBitsExt: string,
  ) => callMethod(client, GenerateVote, [blockHash, height, ticketHash, voteBits, voteBitsExt]),
  walletInfo: () => callMethod(client, WalletInfo, []),
  getBalance: (account?: string, minConf?: number) => callMethod(client, GetBalance, [account, minConf]),
  getVoteChoices: () => callMethod(client, GetVoteChoices, []),
  setVoteChoice: (agendaId: string, choiceId: string) =>
    callMethod(client, SetVoteChoice, [agendaId, choiceId]),
  purchaseTicket: (params: typeof PurchaseTicket.params.Type) => callMethod(client, PurchaseTicket, params),
  version: () => callMethod(client, Version, []),
  getInfo: () => callMethod(client, GetInfo, []),
  walletPassphrase: (passphrase: string, timeoutSeconds: number) =>
    callMethod(client, WalletPassphrase, [passphrase, timeoutSeconds]),
  walletLock: () => callMethod(client, WalletLock, []),
  /** It answers when its rescan is done: give it a deadline of its own (`options.timeoutMs`). */
  rescanWallet: (beginHeight?: number, options?: CallOptions) =>
    callMethod(client, RescanWallet, [beginHeight], options),
  getTransaction: (txid: string) => callMethod(client, GetTransaction, [txid]),
  // hcd's: hcwallet passes the chain methods it does not serve to its hcd.
  getBlockHeader: (hash: string) => callMethod(client, GetBlockHeader, [hash, true]),
  existsLiveTickets: (txHashBlob: string) => callMethod(client, ExistsLiveTickets, [txHashBlob]),
  existsMissedTickets: (txHashBlob: string) => callMethod(client, ExistsMissedTickets, [txHashBlob]),
  existsExpiredTickets: (txHashBlob: string) => callMethod(client, ExistsExpiredTickets, [txHashBlob]),
});
export type WalletRpc = ReturnType<typeof walletRpc>;

/** hcd methods stakepoold and the startup sync use, and the notification registrations. */
export const nodeRpc = (client: RpcClient) => ({
  client,
  version: () => callMethod(client, Version, []),
  getInfo: () => callMethod(client, GetInfo, []),
  getCurrentNet: () => callMethod(client, GetCurrentNet, []),
  getBestBlock: () => callMethod(client, GetBestBlock, []),
  getBlockCount: () => callMethod(client, GetBlockCount, []),
  getBlock: (hash: string) => callMethod(client, GetBlock, [hash, true, false]),
  getBlockHeader: (hash: string) => callMethod(client, GetBlockHeader, [hash, true]),
  getRawTransactionHex: (txid: string) => callMethod(client, GetRawTransactionHex, [txid, 0]),
  getRawTransactionVerbose: (txid: string) => callMethod(client, GetRawTransactionVerbose, [txid, 1]),
  sendRawTransaction: (hex: string, allowHighFees?: boolean) =>
    callMethod(client, SendRawTransaction, [hex, allowHighFees]),
  getStakeDifficulty: () => callMethod(client, GetStakeDifficulty, []),
  existsLiveTickets: (txHashBlob: string) => callMethod(client, ExistsLiveTickets, [txHashBlob]),
  liveTickets: () => callMethod(client, LiveTickets, []),
  missedTickets: () => callMethod(client, MissedTickets, []),
  ticketsForAddress: (address: string) => callMethod(client, TicketsForAddress, [address]),
  notifyBlocks: () => callMethod(client, NotifyBlocks, []),
  notifyWinningTickets: () => callMethod(client, NotifyWinningTickets, []),
  notifyNewTickets: () => callMethod(client, NotifyNewTickets, []),
  notifySpentAndMissedTickets: () => callMethod(client, NotifySpentAndMissedTickets, []),
  rebroadcastWinners: () => callMethod(client, RebroadcastWinners, []),
});
export type NodeRpc = ReturnType<typeof nodeRpc>;

// ---- notifications (§8.4): params tuple ⇄ tagged value ----

/**
 * A notification whose positional params are the given fields in order, decoded to a value
 * tagged with the wire method name.
 */
const positionalNotification = <
  Tag extends string,
  Fields extends { readonly [name: string]: Schema.Schema.Any },
>(
  tag: Tag,
  fields: Fields,
): Schema.Schema<
  { readonly _tag: Tag } & { readonly [K in keyof Fields]: Schema.Schema.Type<Fields[K]> },
  ReadonlyArray<unknown>
> => {
  const names = Object.keys(fields);
  const typeFields = Object.fromEntries(names.map((n) => [n, Schema.typeSchema(fields[n])]));
  return Schema.transform(
    Schema.Tuple(...names.map((n) => fields[n])) as unknown as Schema.Schema<
      ReadonlyArray<unknown>,
      ReadonlyArray<unknown>
    >,
    Schema.TaggedStruct(tag, typeFields),
    {
      strict: false,
      decode: (params) => ({ _tag: tag, ...Object.fromEntries(names.map((n, i) => [n, params[i]])) }),
      encode: (v: Record<string, unknown>) => names.map((n) => v[n]),
    },
  ) as never;
};

/** Winners keyed by decimal index on the wire; decoded in index order. */
const WinnersByIndex = Schema.transform(Schema.Record({ key: Str, value: Str }), Schema.Array(Str), {
  strict: true,
  decode: (byIndex) => Object.keys(byIndex).sort((a, b) => Number(a) - Number(b)).map((k) => byIndex[k]),
  encode: (tickets) => Object.fromEntries(tickets.map((t, i) => [String(i), t])),
});

export const SpentOrMissed = Schema.Literal("spent", "missed");

export const BlockConnected = positionalNotification("blockconnected", {
  header: Str,
  subscribedTxs: List(Str),
});
export const BlockDisconnected = positionalNotification("blockdisconnected", { header: Str });
export const Reorganization = positionalNotification("reorganization", {
  oldHash: Str,
  oldHeight: Num,
  newHash: Str,
  newHeight: Num,
});
export const WinningTickets = positionalNotification("winningtickets", {
  blockHash: Str,
  blockHeight: Num,
  tickets: WinnersByIndex,
});
export const SpentAndMissedTickets = positionalNotification("spentandmissedtickets", {
  blockHash: Str,
  height: Num,
  stakeDiff: Num,
  tickets: Schema.Record({ key: Str, value: SpentOrMissed }),
});
export const NewTickets = positionalNotification("newtickets", {
  blockHash: Str,
  height: Num,
  stakeDiff: Num,
  tickets: List(Str),
});
export const StakeDifficulty = positionalNotification("stakedifficulty", {
  blockHash: Str,
  height: Num,
  stakeDiff: Num,
});

export const HcNotification = Schema.Union(
  BlockConnected,
  BlockDisconnected,
  Reorganization,
  WinningTickets,
  SpentAndMissedTickets,
  NewTickets,
  StakeDifficulty,
);
export type HcNotification = typeof HcNotification.Type;

// Keyed by wire method; each member decodes to its own HcNotification variant.
const notificationSchemas: Readonly<Record<string, Schema.Schema.AnyNoContext>> = {
  blockconnected: BlockConnected,
  blockdisconnected: BlockDisconnected,
  reorganization: Reorganization,
  winningtickets: WinningTickets,
  spentandmissedtickets: SpentAndMissedTickets,
  newtickets: NewTickets,
  stakedifficulty: StakeDifficulty,
};

/** Decodes a notification; unknown methods and malformed params are RpcDecodeErrors. */
export const decodeNotification = (
  host: string,
  n: RpcNotification,
): Either.Either<HcNotification, RpcDecodeError> => {
  // Own keys only: a method named "toString" or "constructor" is unknown, not Object's.
  const schema = Object.hasOwn(notificationSchemas, n.method) ? notificationSchemas[n.method] : undefined;
  if (schema === undefined) {
    return Either.left(new RpcDecodeError({ host, method: n.method, detail: "unknown notification" }));
  }
  return (Schema.decodeUnknownEither(schema)(n.params) as Either.Either<
    HcNotification,
    ParseResult.ParseError
  >).pipe(
    // One line per problem, named by its place in the params: a log line stays one line.
    Either.mapLeft((e) =>
      new RpcDecodeError({
        host,
        method: n.method,
        detail: ParseResult.ArrayFormatter.formatErrorSync(e)
          .map((issue) =>
            `params${issue.path.map((p) => `[${JSON.stringify(p)}]`).join("")}: ${issue.message}`
          )
          .join("; "),
      })
    ),
  );
};

/** The wire form of a notification (for servers that send them). */
export const encodeNotification = (n: HcNotification): RpcNotification => ({
  method: n._tag,
  params: Schema.encodeSync(notificationSchemas[n._tag])(n) as ReadonlyArray<unknown>,
});

/**
 * The client's notifications decoded. One that does not decode is skipped and logged at error
 * level with its method: a winningtickets among them is a vote missed.
 */
export const hcNotifications = (client: RpcClient): Stream.Stream<HcNotification> =>
  client.notifications.pipe(
    Stream.mapEffect((n) =>
      Either.match(decodeNotification(client.host, n), {
        onLeft: (e) =>
          Effect.logError(`notification ${n.method} from ${client.name} does not decode; skipped`).pipe(
            Effect.annotateLogs({ method: n.method, detail: e.detail }),
            Effect.as(undefined),
          ),
        onRight: (v) => Effect.succeed(v),
      })
    ),
    Stream.filter((n): n is HcNotification => n !== undefined),
  );
