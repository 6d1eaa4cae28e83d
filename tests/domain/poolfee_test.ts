import assert from "node:assert/strict";
import { Either, FastCheck as fc } from "effect";
import { toHex } from "../../src/domain/bytes.ts";
import { deriveAddress, parseExtendedKey } from "../../src/domain/hdkey.ts";
import { netByName, NETWORKS } from "../../src/domain/params.ts";
import {
  checkTicketFee,
  feeAddressHashes,
  isValidPoolFeeRate,
  stakePoolTicketFee,
} from "../../src/domain/poolfee.ts";
import { buildTicket, type Commitment } from "../../src/domain/stake.ts";
import type { TxIn } from "../../src/domain/tx.ts";
import vectors from "../vectors/hc-poolfee.json" with { type: "json" };

Deno.test("hc-poolfee.json: StakePoolTicketFee for every listed net, height, difficulty and rate", () => {
  for (const v of vectors.poolfee) {
    const net = Either.getOrThrow(netByName(v.net));
    assert.equal(
      stakePoolTicketFee(net, BigInt(v.stakeDiff), BigInt(v.relayFee), v.height, v.poolFeePercent),
      BigInt(v.fee),
      JSON.stringify(v),
    );
  }
});

Deno.test("pool fee rate: floor(rate × 100) must be within 1..10000", () => {
  for (const ok of [0.01, 0.5, 2.59, 7.5, 100]) assert.ok(isValidPoolFeeRate(ok), String(ok));
  for (const bad of [0, 0.009, -1, 100.01, 1000, NaN, Infinity]) {
    assert.ok(!isValidPoolFeeRate(bad), String(bad));
  }
});

// Cold-wallet fee xpub: hcd hdkeychain vector 1 master public key (HC mainnet uses dpub).
const COLD_XPUB =
  "dpubZ9169KDAEUnyoBhjjmT2VaEodr6pUTDoqCEAeqgbfr2JfkB88BbK77jbTYbcYXb2FVz7DKBdW4P618yd51MwF8DjKVopSbS7Lkgi6bowX5w";
const xpub = Either.getOrThrow(parseExtendedKey(COLD_XPUB));

Deno.test("feeAddressHashes holds exactly xpub/0/0..count-1", () => {
  const hashes = Either.getOrThrow(feeAddressHashes(xpub, 50));
  assert.equal(hashes.size, 50);
  for (const i of [0, 17, 49]) {
    assert.ok(hashes.has(toHex(Either.getOrThrow(deriveAddress(xpub, 0, i)).hash160)), `index ${i}`);
  }
  assert.ok(!hashes.has(toHex(Either.getOrThrow(deriveAddress(xpub, 0, 50)).hash160)));
  assert.ok(!hashes.has(toHex(Either.getOrThrow(deriveAddress(xpub, 1, 0)).hash160)));
});

Deno.test("feeAddressHashes derives the pool's default 10000 addresses", () => {
  const hashes = Either.getOrThrow(feeAddressHashes(xpub));
  assert.equal(hashes.size, 10000);
  assert.ok(hashes.has(toHex(Either.getOrThrow(deriveAddress(xpub, 0, 9999)).hash160)));
});

const net = NETWORKS.mainnet;
const feeHash = Either.getOrThrow(deriveAddress(xpub, 0, 3)).hash160;
const feeSet = Either.getOrThrow(feeAddressHashes(xpub, 10));
const price = 9_000_000_000n;
const relayFee = 5_000_000n;
const height = 123456;
const poolFeePercent = 7.5;

const input = (valueIn: bigint): TxIn => ({
  prevHash: new Uint8Array(32).fill(9),
  prevIndex: 0,
  tree: 0,
  sequence: 0xffffffff,
  valueIn,
  blockHeight: 1,
  blockIndex: 0,
  sigScript: new Uint8Array(),
});

/**
 * A pool ticket whose fee commitment pays `paid` to `hash` with signature type `feeSigType`; the
 * user's commitment (of type `userSigType`) covers the rest plus the relay fee.
 */
const poolTicket = (paid: bigint, hash = feeHash, isP2SH = false, feeSigType = 0, userSigType = 0) => {
  const fee: Commitment = { hash160: hash, isP2SH, sigType: feeSigType, amount: paid, feeLimits: 0x5800 };
  const user: Commitment = {
    hash160: new Uint8Array(20).fill(0x44),
    isP2SH: false,
    sigType: userSigType,
    amount: price - paid + relayFee,
    feeLimits: 0x5800,
  };
  return buildTicket({
    inputs: [input(fee.amount), input(user.amount)],
    votingDest: { kind: "scripthash", hash160: new Uint8Array(20).fill(0x55) },
    price,
    commitments: [fee, user],
  });
};

const check = (ticket: ReturnType<typeof poolTicket>) =>
  checkTicketFee({ net, ticket, ticketHeight: height, poolFeePercent, isFeeAddress: (h) => feeSet.has(h) });

Deno.test("checkTicketFee accepts a fee ≥ StakePoolTicketFee and refuses one atom less", () => {
  const needed = stakePoolTicketFee(net, price, relayFee, height, poolFeePercent);
  // hc-poolfee.json: mainnet, 9e9 atoms, 5e6 relay fee, height 123456, 7.5 % → 2819628.
  assert.equal(needed, 2819628n);
  assert.deepEqual(Either.getOrThrow(check(poolTicket(needed))), { feeNeeded: needed, paid: needed });
  assert.deepEqual(Either.getOrThrow(check(poolTicket(needed + 1000n))), {
    feeNeeded: needed,
    paid: needed + 1000n,
  });
  const low = check(poolTicket(needed - 1n));
  assert.ok(Either.isLeft(low) && low.left.reason === "fee-too-low");
});

Deno.test("checkTicketFee refuses unknown fee addresses, P2SH fee commitments and non-tickets", () => {
  const needed = stakePoolTicketFee(net, price, relayFee, height, poolFeePercent);
  const unknown = check(poolTicket(needed * 2n, new Uint8Array(20).fill(0x66)));
  assert.ok(Either.isLeft(unknown) && unknown.left.reason === "unknown-fee-address");
  const p2sh = check(poolTicket(needed * 2n, feeHash, true));
  assert.ok(Either.isLeft(p2sh) && p2sh.left.reason === "unknown-fee-address");
  const notTicket = check({ ...poolTicket(needed), inputs: [] });
  assert.ok(Either.isLeft(notTicket) && notTicket.left.reason === "not-a-ticket");
});

// Signature type of the fee commitment (behaviour §8 step 1): only secp256k1 (0) can pay the pool.
const SIG_TYPE_VECTORS: ReadonlyArray<
  { readonly sigType: number; readonly accepted: boolean; readonly name: string }
> = [
  { sigType: 0, accepted: true, name: "secp256k1" },
  { sigType: 1, accepted: false, name: "edwards" },
  { sigType: 2, accepted: false, name: "schnorr" },
  { sigType: 4, accepted: false, name: "bliss" },
  { sigType: 3, accepted: false, name: "unknown" },
  { sigType: 255, accepted: false, name: "unknown" },
];

Deno.test("checkTicketFee accepts only a secp256k1 (type 0) fee commitment; the refusal names the type", () => {
  const needed = stakePoolTicketFee(net, price, relayFee, height, poolFeePercent);
  for (const v of SIG_TYPE_VECTORS) {
    const verdict = check(poolTicket(needed * 2n, feeHash, false, v.sigType));
    if (v.accepted) {
      assert.deepEqual(Either.getOrThrow(verdict), { feeNeeded: needed, paid: needed * 2n }, v.name);
      continue;
    }
    assert.ok(Either.isLeft(verdict), v.name);
    assert.equal(verdict.left.reason, "fee-signature-type");
    assert.equal(
      verdict.left.detail,
      `pool fee commitment has signature type ${v.sigType} (${v.name}), not 0 (secp256k1): ` +
        "its vote would not pay the pool's fee address",
    );
  }
});

Deno.test("property: a non-zero fee signature type is always refused; the user's commitment type never matters", () => {
  const needed = stakePoolTicketFee(net, price, relayFee, height, poolFeePercent);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.bigInt({ min: 0n, max: 2n * needed }),
      fc.boolean(),
      (feeSigType, userSigType, paid, knownAddress) => {
        const hash = knownAddress ? feeHash : new Uint8Array(20).fill(0x66);
        const verdict = check(poolTicket(paid, hash, false, feeSigType, userSigType));
        const reference = check(poolTicket(paid, hash, false, 0, 0));
        if (feeSigType !== 0) {
          return Either.isLeft(verdict) && verdict.left.reason === "fee-signature-type";
        }
        // With a secp256k1 fee commitment the verdict is the one of an all-secp256k1 ticket.
        return Either.isRight(verdict)
          ? Either.isRight(reference) && verdict.right.paid === reference.right.paid
          : Either.isLeft(reference) && verdict.left.reason === reference.left.reason;
      },
    ),
    { numRuns: 300 },
  );
});
