// HC-PROTOCOL §11.2: the requests on which hcsim used to answer differently from the real hcd
// 27c7ab1 and hcwallet 51a2c09 (simnet), and §11's answers that were already identical. Every
// expected answer below is what the real program sent (codes, texts, shapes, HTTP status and
// Content-Type); where the row's text was cut short there, the rest is the Go source's wording.
// One table: each row is sent over the wire as a raw HTTPS request and compared whole.
import assert from "node:assert/strict";
import https from "node:https";
import { isDeepStrictEqual } from "node:util";
import { Either } from "effect";
import { encodeAddress, pubKeyHashAddress, scriptHashAddress } from "../../src/domain/address.ts";
import { concatBytes, fromHex, toHex } from "../../src/domain/bytes.ts";
import { hash160 } from "../../src/domain/hash.ts";
import type { NetParams } from "../../src/domain/params.ts";
import { multisigScript } from "../../src/domain/script.ts";
import { parseTicket } from "../../src/domain/stake.ts";
import { calcBlockTaxSubsidy, calcBlockWorkSubsidy } from "../../src/domain/subsidy.ts";
import { type MsgTx, serializeTx, txid, u32Bytes } from "../../src/domain/tx.ts";
import type { Endpoint, SimNetwork } from "../../src/sim/network.ts";
import { derived, withNetwork } from "./helpers.ts";

/** What a client saw: the HTTP status, Content-Type and body, or the connection closed unanswered. */
type Seen =
  | { readonly status: number; readonly contentType: string; readonly body: unknown }
  | "closed without an answer";

interface RawRequest {
  readonly method?: "POST" | "GET";
  readonly body?: string;
  readonly password?: string;
}

const send = (endpoint: Endpoint, request: RawRequest): Promise<Seen> =>
  Deno.readTextFile(endpoint.cert).then((ca) =>
    new Promise<Seen>((resolve, reject) => {
      const url = new URL(endpoint.url);
      const req = https.request({
        host: url.hostname,
        port: url.port,
        method: request.method ?? "POST",
        ca,
        agent: false,
        auth: `${endpoint.user}:${request.password ?? endpoint.password}`,
        headers: request.body === undefined ? {} : { "Content-Type": "application/json" },
      }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => text += chunk);
        res.on("aborted", () => resolve("closed without an answer"));
        res.on("error", () => resolve("closed without an answer"));
        res.on("end", () => {
          const contentType = res.headers["content-type"] ?? "";
          let body: unknown = text;
          if (contentType === "application/json") {
            try {
              body = JSON.parse(text);
            } catch {
              return resolve("closed without an answer");
            }
          }
          resolve({ status: res.statusCode ?? 0, contentType, body });
        });
      });
      req.on("error", (e: NodeJS.ErrnoException) =>
        e.code === "ECONNRESET" || /socket hang up/.test(e.message)
          ? resolve("closed without an answer")
          : reject(e));
      req.end(request.body);
    })
  );

const call = (endpoint: Endpoint, method: string, params: ReadonlyArray<unknown>) =>
  send(endpoint, { body: JSON.stringify({ jsonrpc: "1.0", method, params, id: 1 }) });

/** A JSON-RPC answer as hcd and hcwallet send it: HTTP 200, application/json, id 1. */
const answer = (result: unknown): Seen => ({
  status: 200,
  contentType: "application/json",
  body: { result, error: null, id: 1 },
});
const error = (code: number, message: string, id: unknown = 1): Seen => ({
  status: 200,
  contentType: "application/json",
  body: { result: null, error: { code, message }, id },
});

/** The answer with its result replaced by `f(result)` (errors and other outcomes unchanged). */
const mapResult = (seen: Seen, f: (result: unknown) => unknown): Seen => {
  if (seen === "closed without an answer") return seen;
  const body = seen.body as { result?: unknown; error?: unknown };
  return body?.error === null ? { ...seen, body: { ...body, result: f(body.result) } } : seen;
};

type Json = Record<string, unknown>;

const coins = (atoms: bigint) => Number(atoms) / 1e8;

/** The simnet organization's tax address and script (chaincfg simnet OrganizationPkScript). */
const SIMNET_ORGANIZATION = {
  address: "ScuQxvveKGfpG1ypt6u27F99Anf7EW3cqhq",
  script: "a914cbb08d6ca783b533b2c7d24a51fbca92d937bf9987",
};

/**
 * The coinbase of a block below StakeValidationHeight (no voters: the fees scale to 0) as the real
 * hcd mined and marshalled it (HC-PROTOCOL §11 run, block 310): input amount work + tax subsidy,
 * the tax to the organization, the extranonce OP_RETURN (height, 24 zero bytes, 8 random ones),
 * the work subsidy to the miner. The random bytes and the miner's key are read from `seen`.
 */
const coinbaseAsHcdMinesIt = (net: NetParams, height: number, seen: Seen) => {
  const body = seen === "closed without an answer" ? undefined : seen.body as Json;
  const vout = ((body?.result as Json)?.rawtx as Json[])?.[0]?.vout as Json[] | undefined;
  const hexAt = (n: number) => ((vout?.[n]?.scriptPubKey as Json)?.hex as string) ?? "";
  const extraNonce = toHex(concatBytes(u32Bytes(height), new Uint8Array(24))) + hexAt(1).slice(-16);
  const miner = hexAt(2).slice(6, 46);
  const work = calcBlockWorkSubsidy(net, height, 0);
  const tax = calcBlockTaxSubsidy(net, height, 0);
  const pkScripts = [SIMNET_ORGANIZATION.script, `6a24${extraNonce}`, `76a914${miner}88ac`];
  const tx: MsgTx = {
    version: 1,
    inputs: [{
      prevHash: new Uint8Array(32),
      prevIndex: 0xffffffff,
      tree: 0,
      sequence: 0xffffffff,
      valueIn: work + tax,
      blockHeight: 0,
      blockIndex: 0xffffffff,
      sigScript: Either.getOrThrow(fromHex("00002f6863642f")),
    }],
    outputs: [tax, 0n, work].map((value, n) => ({
      value,
      version: 0,
      pkScript: Either.getOrThrow(fromHex(pkScripts[n])),
    })),
    lockTime: 0,
    expiry: 0,
  };
  const minerAddress = encodeAddress(
    pubKeyHashAddress(net, Either.getOrThrow(fromHex(miner.padEnd(40, "0")))),
  );
  return {
    hex: toHex(serializeTx(tx)),
    txid: txid(tx),
    version: 1,
    locktime: 0,
    expiry: 0,
    vin: [{
      amountin: coins(work + tax),
      blockheight: 0,
      blockindex: 4294967295,
      coinbase: "00002f6863642f",
      sequence: 4294967295,
    }],
    vout: [
      {
        value: coins(tax),
        n: 0,
        version: 0,
        scriptPubKey: {
          asm: "OP_HASH160 cbb08d6ca783b533b2c7d24a51fbca92d937bf99 OP_EQUAL",
          hex: SIMNET_ORGANIZATION.script,
          reqSigs: 1,
          type: "scripthash",
          addresses: [SIMNET_ORGANIZATION.address],
        },
      },
      {
        value: 0,
        n: 1,
        version: 0,
        scriptPubKey: { asm: `OP_RETURN ${extraNonce}`, hex: `6a24${extraNonce}`, type: "nulldata" },
      },
      {
        value: coins(work),
        n: 2,
        version: 0,
        scriptPubKey: {
          asm: `OP_DUP OP_HASH160 ${miner} OP_EQUALVERIFY OP_CHECKSIG`,
          hex: `76a914${miner}88ac`,
          reqSigs: 1,
          type: "pubkeyhash",
          addresses: [minerAddress],
        },
      },
    ],
  };
};

interface Row {
  readonly request: string;
  readonly seen: Seen;
  readonly real: Seen;
}

const ADDRESS_DECODE_FAILED =
  "decoded address is of unknown format: invalid format: version and/or checksum bytes missing";

/** Sends every row of the table and gives back what was seen beside what the real program sent. */
const rows = async (network: SimNetwork): Promise<ReadonlyArray<Row>> => {
  const hcd = network.endpoints.nodes[0].hcd;
  const wallet = network.endpoints.nodes[0].wallet;
  const userWallet = network.endpoints.userWallet;
  const net = network.chain.net;
  const [one, two] = [network.userWallet.getNewAddress(), network.userWallet.getNewAddress()];
  const pair = Either.getOrThrow(multisigScript(1, [one.pubKey, two.pubKey]));
  const ownKey = derived(network.endpoints.votingWalletXpub, 0);
  const zeroOfOne = concatBytes(Uint8Array.of(0x00, 0x21), one.pubKey, Uint8Array.of(0x51, 0xae));
  const out: Row[] = [];
  const row = async (request: string, seen: Promise<Seen>, real: Seen) =>
    out.push({ request, seen: await seen, real });

  // ---- §11.2: where hcsim differed ----
  await row(
    "walletinfo (simnet)",
    call(wallet, "walletinfo", []),
    answer({
      daemonconnected: true,
      unlocked: true,
      txfee: 0.001,
      ticketfee: 0.001,
      ticketpurchasing: false,
      votebits: 1,
      votebitsextended: "07000000",
      voteversion: 7,
      // A pool's wallet runs without enablevoting: its stakepoold votes.
      voting: false,
    }),
  );
  // A new chain has no tickets yet: poolsize is the tip header's count, 0.
  await row(
    "getstakeinfo on a new chain",
    call(wallet, "getstakeinfo", []),
    answer({
      blockheight: 0,
      poolsize: 0,
      difficulty: 0.0002,
      allmempooltix: 0,
      ownmempooltix: 0,
      immature: 0,
      live: 0,
      proportionlive: 0,
      voted: 0,
      totalsubsidy: 0,
      missed: 0,
      proportionmissed: 0,
      revoked: 0,
      expired: 0,
    }),
  );
  // getinfo: hcd's answer (the wallet adds its own fields to its hcd's). connections counts hcd's
  // peers, 2 in the real run; hcsim's hcds have none. keypoololdest is the time of the call.
  const hcdInfo = {
    version: 2000300,
    protocolversion: 4,
    blocks: network.chain.height,
    timeoffset: 0,
    connections: 0,
    proxy: "",
    difficulty: 1,
    testnet: false,
    relayfee: 0.001,
    errors: "",
  };
  await row("hcd getinfo (simnet)", call(hcd, "getinfo", []), answer(hcdInfo));
  const before = Math.floor(Date.now() / 1000);
  const walletInfo = await call(wallet, "getinfo", []);
  const after = Math.ceil(Date.now() / 1000);
  await row(
    "wallet getinfo (simnet)",
    Promise.resolve(mapResult(walletInfo, (r) => {
      const at = (r as { keypoololdest: number }).keypoololdest;
      return { ...r as object, keypoololdest: at >= before && at <= after ? "the time of the call" : at };
    })),
    answer({
      ...hcdInfo,
      walletversion: 7,
      balance: 0,
      keypoololdest: "the time of the call",
      keypoolsize: 0,
      unlocked_until: 0,
      paytxfee: 0.001,
    }),
  );
  const zeroBalance = (accountname: string) => ({
    accountname,
    immaturecoinbaserewards: 0,
    immaturestakegeneration: 0,
    lockedbytickets: 0,
    spendable: 0,
    total: 0,
    unconfirmed: 0,
    votingauthority: 0,
  });
  // Every account, and only the totals that are not zero (none here).
  await row(
    "getbalance of a new pool wallet",
    call(wallet, "getbalance", []),
    answer({
      balances: ["default", "postquantum", "imported"].map(zeroBalance),
      blockhash: network.chain.tip.hash,
    }),
  );
  await row(
    'getbalance "default" 0',
    call(wallet, "getbalance", ["default", 0]),
    answer({ balances: [zeroBalance("default")], blockhash: network.chain.tip.hash }),
  );
  await row(
    "getnewaddress with an unknown gap policy",
    call(wallet, "getnewaddress", ["default", "bogus"]),
    error(-8, "Unknown gap policy 'bogus'"),
  );
  await row("setticketfee -1", call(wallet, "setticketfee", [-1]), error(-8, "amount must be positive"));
  await row(
    'existslivetickets "zz"',
    call(hcd, "existslivetickets", ["zz"]),
    error(-8, "Hashes is not evenly divisible by the hash size"),
  );
  await row(
    "hcd notifyblocks over HTTP POST",
    call(hcd, "notifyblocks", []),
    error(-32601, "Method not found"),
  );
  await row(
    "hcd getblockcount with a parameter",
    call(hcd, "getblockcount", [1]),
    error(-8, "Parse error: wrong number of params (expected 0, received 1)"),
  );
  // A wrong passphrase locks the wallet; importing a new script then needs the keys.
  await row(
    "walletpassphrase with a wrong passphrase",
    call(wallet, "walletpassphrase", ["wrong", 0]),
    error(-14, "invalid passphrase for master private key"),
  );
  await row(
    "walletinfo after a wrong passphrase",
    call(wallet, "walletinfo", []).then((seen) =>
      mapResult(seen, (r) => (r as { unlocked: boolean }).unlocked)
    ),
    answer(false),
  );
  await row(
    "importscript while locked",
    call(wallet, "importscript", [toHex(pair), false, 0]),
    error(-4, "address manager is locked"),
  );
  await row(
    "walletpassphrase",
    call(wallet, "walletpassphrase", [network.walletPassphrase, 0]),
    answer(null),
  );
  await row(
    "validateaddress of a pubkey address (Sk…) the wallet does not own",
    call(wallet, "validateaddress", [one.pubKeyAddress]),
    answer({ isvalid: true, address: one.address }),
  );
  const pairAnswer = answer({
    address: encodeAddress(scriptHashAddress(net, pair)),
    redeemScript: toHex(pair),
  });
  await row(
    "createmultisig with pubkey addresses",
    call(wallet, "createmultisig", [1, [one.pubKeyAddress, two.pubKeyAddress]]),
    pairAnswer,
  );
  await row(
    "createmultisig with hex pubkeys",
    call(wallet, "createmultisig", [1, [toHex(one.pubKey), toHex(two.pubKey)]]),
    pairAnswer,
  );
  await row(
    "createmultisig nrequired > keys",
    call(wallet, "createmultisig", [3, [one.pubKeyAddress, two.pubKeyAddress]]),
    error(-32700, "more signatures required than keys present"),
  );
  await row(
    "createmultisig with no keys",
    call(wallet, "createmultisig", [1, []]),
    error(-32700, "more signatures required than keys present"),
  );
  await row(
    "createmultisig nrequired = 0",
    call(wallet, "createmultisig", [0, [one.pubKeyAddress]]),
    answer({ address: encodeAddress(scriptHashAddress(net, zeroOfOne)), redeemScript: toHex(zeroOfOne) }),
  );
  await row(
    "createmultisig, a P2PKH address not in the wallet",
    call(wallet, "createmultisig", [1, [one.address]]),
    error(-32700, `failed to fetch address '${one.address}': address not found`),
  );
  await row(
    'createmultisig "zz"',
    call(wallet, "createmultisig", [1, ["zz"]]),
    error(-32700, `-5: Invalid address "zz": decode failed with \`${ADDRESS_DECODE_FAILED}\``),
  );
  await row(
    'stakepooluserinfo "bogus"',
    call(wallet, "stakepooluserinfo", ["bogus"]),
    error(-4, ADDRESS_DECODE_FAILED),
  );
  for (const method of ["importscript", "addticket"]) {
    await row(
      `${method} "zz"`,
      call(wallet, method, ["zz"]),
      error(-4, "encoding/hex: invalid byte: U+007A 'z'"),
    );
  }
  await row(
    "generatevote for an unknown ticket",
    call(wallet, "generatevote", [
      network.chain.tip.hash,
      network.chain.height,
      "ab".repeat(32),
      1,
      "07000000",
    ]),
    error(-4, "not exist"),
  );
  // A round of the pool's sync asked this while a block arrived (realnodes, mainnet-sized rescans).
  await row(
    "rescanwallet from a height above the wallet's best block",
    call(wallet, "rescanwallet", [network.chain.height + 1]),
    error(-4, "No main chain block for height"),
  );
  // R3 (realnodes, hcd 27c7ab1 + hcwallet 51a2c09 again): three more requests hcsim answered otherwise.
  await row(
    "rescanwallet -1",
    call(wallet, "rescanwallet", [-1]),
    error(-4, "No main chain block for height"),
  );
  await row(
    'wallet gettransaction "zz"',
    call(wallet, "gettransaction", ["zz"]),
    error(-22, "Transaction hash string decode failed: encoding/hex: invalid byte: U+007A 'z'"),
  );
  await row(
    "wallet existsliveticket (forwarded to its hcd)",
    call(wallet, "existsliveticket", ["ab".repeat(32)]),
    answer(false),
  );
  await row(
    'wallet existsliveticket "zz" (forwarded to its hcd)',
    call(wallet, "existsliveticket", ["zz"]),
    error(-22, 'Argument must be hexadecimal string (not "zz")'),
  );
  await row(
    "purchaseticket over the spend limit",
    call(userWallet, "purchaseticket", ["default", 0.00000001]),
    error(-4, "ticket price exceeds spend limit"),
  );
  await row(
    "setvotechoice with a bad choice",
    call(wallet, "setvotechoice", ["maxblocksize", "bogus"]),
    error(-4, "agenda maxblocksize has no choice ID bogus"),
  );
  await row(
    'hcd sendrawtransaction "00"',
    call(hcd, "sendrawtransaction", ["00"]),
    error(-22, "Could not decode Tx: unexpected EOF"),
  );
  await row(
    "hcd validateaddress",
    call(hcd, "validateaddress", [one.pubKeyAddress]),
    answer({ isvalid: true, address: one.address }),
  );
  await row(
    "hcd createmultisig",
    call(hcd, "createmultisig", [1, [one.pubKeyAddress]]),
    error(-1, "This implementation does not implement wallet commands"),
  );
  await row("hcd existsliveticket", call(hcd, "existsliveticket", ["ab".repeat(32)]), answer(false));
  await row("hcd getrawmempool", call(hcd, "getrawmempool", []), answer([]));
  await row("hcd getbestblockhash", call(hcd, "getbestblockhash", []), answer(network.chain.tip.hash));
  await row(
    "hcd request without an id",
    send(hcd, { body: JSON.stringify({ jsonrpc: "1.0", method: "getblockcount", params: [] }) }),
    "closed without an answer",
  );
  await row(
    "wallet: a body that is not JSON",
    send(wallet, { body: "hello" }),
    error(-32600, "Invalid request", null),
  );
  await row(
    "hcd: a body that is not JSON",
    send(hcd, { body: "hello" }),
    error(-32700, "Failed to parse request: invalid character 'h' looking for beginning of value", null),
  );
  const batch = JSON.stringify([{ jsonrpc: "1.0", method: "getblockcount", params: [], id: 1 }]);
  await row("wallet: a batch", send(wallet, { body: batch }), error(-32600, "Invalid request", null));
  await row(
    "hcd: a batch",
    send(hcd, { body: batch }),
    error(
      -32700,
      "Failed to parse request: json: cannot unmarshal array into Go value of type hcjson.Request",
      null,
    ),
  );
  await row("wallet: HTTP GET", send(wallet, { method: "GET" }), error(-32600, "Invalid request", null));
  await row(
    "hcd: HTTP GET",
    send(hcd, { method: "GET" }),
    error(-32700, "Failed to parse request: unexpected end of JSON input", null),
  );
  for (const [name, endpoint] of [["hcd", hcd], ["wallet", wallet]] as const) {
    await row(`${name}: bad Basic auth`, send(endpoint, { body: "{}", password: "wrong" }), {
      status: 401,
      contentType: "text/plain; charset=utf-8",
      body: "401 Unauthorized.\n",
    });
  }

  // ---- §11: answers that were identical and must stay so ----
  const api = (major: number, minor: number) => ({
    versionstring: `${major}.${minor}.0`,
    major,
    minor,
    patch: 0,
    prerelease: "",
    buildmetadata: "",
  });
  await row(
    "wallet version",
    call(wallet, "version", []),
    answer({ hcdjsonrpcapi: api(3, 1), hcwalletjsonrpcapi: api(4, 1) }),
  );
  await row(
    "validateaddress, invalid",
    call(wallet, "validateaddress", ["nonsense"]),
    answer({ isvalid: false }),
  );
  await row(
    "accountsyncaddressindex",
    call(wallet, "accountsyncaddressindex", ["default", 0, 5]),
    answer(null),
  );
  await row(
    "validateaddress, own key",
    call(wallet, "validateaddress", [ownKey.address]),
    answer({
      isvalid: true,
      address: ownKey.address,
      ismine: true,
      pubkeyaddr: ownKey.pubKeyAddress,
      pubkey: ownKey.pubKey,
      iscompressed: true,
      account: "default",
    }),
  );
  await row("importscript", call(wallet, "importscript", [toHex(pair)]), answer(null));
  await row(
    "importscript of the same script again",
    call(wallet, "importscript", [toHex(pair)]),
    answer(null),
  );
  const pairAddress = encodeAddress(scriptHashAddress(net, pair));
  await row(
    "validateaddress, own multisig",
    call(wallet, "validateaddress", [pairAddress]),
    answer({
      isvalid: true,
      address: pairAddress,
      ismine: true,
      isscript: true,
      hex: toHex(pair),
      script: "multisig",
      addresses: [one.address, two.address],
      sigsrequired: 1,
      account: "imported",
    }),
  );
  const fee = derived(network.endpoints.coldWalletXpub, 1).address;
  const bought = await call(userWallet, "purchaseticket", ["default", 100, 1, pairAddress, 1, fee, 7.5]);
  const ticket = network.chain.mempoolTxs().find((t) => t.type === "ticket")!.txid;
  await row("purchaseticket", Promise.resolve(bought), answer([ticket]));
  network.control.generate(1);
  await row(
    "stakepooluserinfo of a user with an immature ticket",
    call(wallet, "stakepooluserinfo", [pairAddress]),
    answer({
      tickets: [{
        status: "live",
        ticket,
        ticketheight: network.chain.height,
        spentby: "0".repeat(64),
        spentbyheight: 0,
      }],
      invalid: null,
    }),
  );
  await row(
    "stakepooluserinfo of an unknown address",
    call(wallet, "stakepooluserinfo", [one.address]),
    answer({ tickets: null, invalid: null }),
  );
  await row("gettickets", call(wallet, "gettickets", [true]), answer({ hashes: [ticket] }));
  await row(
    "listscripts",
    call(wallet, "listscripts", []),
    answer({
      scripts: [{ hash160: toHex(hash160(pair)), address: pairAddress, redeemscript: toHex(pair) }],
    }),
  );
  await row(
    "getvotechoices",
    call(wallet, "getvotechoices", []),
    answer({
      version: 7,
      choices: [{
        agendaid: "maxblocksize",
        agendadescription: "Change maximum allowed block size from 1MiB to 1.25MB",
        choiceid: "abstain",
        choicedescription: "abstain voting for change",
      }],
    }),
  );
  // The pool wallet holds the ticket's script: an unspent ticket counts in its imported account.
  const committed = Either.getOrThrow(parseTicket(network.chain.tx(ticket)!.tx)).commitments
    .reduce((n, c) => n + c.amount, 0n);
  const price = network.chain.ticket(ticket)!.ticket.price;
  await row(
    "getbalance of a pool wallet holding a user's ticket",
    call(wallet, "getbalance", []),
    answer({
      balances: [zeroBalance("default"), zeroBalance("postquantum"), {
        ...zeroBalance("imported"),
        total: coins(price),
        votingauthority: coins(committed),
      }],
      blockhash: network.chain.tip.hash,
      cumulativetotal: coins(price),
      totalvotingauthority: coins(committed),
    }),
  );
  network.control.generate(1);
  const block = network.chain.tip;
  const verboseTx = await call(hcd, "getblock", [block.hash, true, true]);
  const coinbase = coinbaseAsHcdMinesIt(net, block.height, verboseTx);
  await row(
    "getblock verbose: header version 7, the coinbase in the regular tree",
    call(hcd, "getblock", [block.hash]).then((seen) =>
      mapResult(seen, (r) => ({ version: (r as Json).version, tx: (r as Json).tx }))
    ),
    answer({ version: 7, tx: [coinbase.txid] }),
  );
  await row(
    "getblock verbosetx: the coinbase as hcd marshals it",
    Promise.resolve(mapResult(verboseTx, (r) => ((r as Json).rawtx as Json[])?.[0])),
    answer({
      ...coinbase,
      blockhash: block.hash,
      blockheight: block.height,
      confirmations: 1,
      time: block.header.timestamp,
      blocktime: block.header.timestamp,
    }),
  );
  await row(
    "ticketsforaddress of an unknown address",
    call(wallet, "ticketsforaddress", [one.address]),
    answer({ tickets: [] }),
  );
  await row("unknown method", call(wallet, "getticketvotebits", []), error(-32601, "Method not found"));
  await row("an extra parameter", call(wallet, "getbestblockhash", [1]), error(-32600, "Invalid request"));
  await row(
    "getrawtransaction of an unknown transaction",
    call(hcd, "getrawtransaction", ["cd".repeat(32)]),
    error(-5, `No information available about transaction ${"cd".repeat(32)}`),
  );
  await row(
    'sendrawtransaction "zz"',
    call(hcd, "sendrawtransaction", ["zz"]),
    error(-22, 'Argument must be hexadecimal string (not "zz")'),
  );
  // R3: hcd's ticket-existence calls take one hex blob of hashes in internal (reversed) byte order
  // and answer a bitset, LSB first; the wallet forwards them and getblockheader to its hcd.
  const unknownHash = "cd".repeat(32);
  for (const method of ["existslivetickets", "existsmissedtickets", "existsexpiredtickets"]) {
    await row(`${method} ""`, call(hcd, method, [""]), answer(""));
    await row(
      `${method} "abcd"`,
      call(hcd, method, ["abcd"]),
      error(-8, "Hashes is not evenly divisible by the hash size"),
    );
    await row(
      `${method} of 64 non-hex characters`,
      call(hcd, method, ["z".repeat(64)]),
      error(-22, `Parameter contains invalid hexadecimal encoding: ${"z".repeat(64)}`),
    );
    await row(`wallet ${method} of an unknown hash`, call(wallet, method, [unknownHash]), answer("00"));
  }
  await row(
    "existstickets (no such method)",
    call(hcd, "existstickets", [unknownHash]),
    error(-32601, "Method not found"),
  );
  await row(
    'hcd existsliveticket "abcd" (a short hash)',
    call(hcd, "existsliveticket", ["abcd"]),
    answer(false),
  );
  for (const [who, endpoint] of [["hcd", hcd], ["wallet", wallet]] as const) {
    await row(
      `${who} getblockheader of an unknown block`,
      call(endpoint, "getblockheader", [unknownHash]),
      error(-5, `Block not found: ${unknownHash}`),
    );
    await row(
      `${who} getblockheader "zz"`,
      call(endpoint, "getblockheader", ["zz"]),
      error(-22, 'Argument must be hexadecimal string (not "zz")'),
    );
  }
  await row(
    "wallet getblockheader false: hcd's serialized header",
    call(wallet, "getblockheader", [network.chain.tip.hash, false]),
    answer(toHex(network.chain.tip.headerBytes)),
  );
  await row('rescanwallet "x"', call(wallet, "rescanwallet", ["x"]), error(-32600, "Invalid request"));
  return out;
};

Deno.test("hcsim answers every request of HC-PROTOCOL §11.2 (and §11's identical ones) as the real hcd and hcwallet did", () =>
  withNetwork({ nodes: 1, startHeight: 0 }, async (network) => {
    const differences = (await rows(network)).filter((r) => !isDeepStrictEqual(r.seen, r.real));
    assert.deepEqual(differences, [], "requests answered otherwise than by the real programs");
  }));
