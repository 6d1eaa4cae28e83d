// HC-PROTOCOL §11.2: the requests on which hcsim used to answer differently from the real hcd
// 27c7ab1 and hcwallet 51a2c09 (simnet), and §11's answers that were already identical. Every
// expected answer below is what the real program sent (codes, texts, shapes, HTTP status and
// Content-Type); where the row's text was cut short there, the rest is the Go source's wording.
// One table: each row is sent over the wire as a raw HTTPS request and compared whole.
import assert from "node:assert/strict";
import https from "node:https";
import { isDeepStrictEqual } from "node:util";
import { Either } from "effect";
import { encodeAddress, scriptHashAddress } from "../../src/domain/address.ts";
import { concatBytes, toHex } from "../../src/domain/bytes.ts";
import { hash160 } from "../../src/domain/hash.ts";
import { multisigScript } from "../../src/domain/script.ts";
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
      voting: true,
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
  return out;
};

Deno.test("hcsim answers every request of HC-PROTOCOL §11.2 (and §11's identical ones) as the real hcd and hcwallet did", () =>
  withNetwork({ nodes: 1, startHeight: 0 }, async (network) => {
    const differences = (await rows(network)).filter((r) => !isDeepStrictEqual(r.seen, r.real));
    assert.deepEqual(differences, [], "requests answered otherwise than by the real programs");
  }));
