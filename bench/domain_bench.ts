// The pure domain work stakepoold does at start and per ticket: deriving the pool's 10 000 fee
// addresses from a cold xpub, and checking tickets' pool fees against them.
import { randomBytes } from "node:crypto";
import { Either } from "effect";
import { deriveAddress, masterFromSeed, neuter } from "../src/domain/hdkey.ts";
import { mainnet } from "../src/domain/params.ts";
import { checkTicketFee, feeAddressHashes, stakePoolTicketFee } from "../src/domain/poolfee.ts";
import { buildTicket, DEFAULT_TICKET_FEE_LIMITS } from "../src/domain/stake.ts";
import { syntheticInput } from "../src/sim/chain.ts";
import type { Measurement } from "./measurement.ts";

const FEE_ADDRESSES = 10_000;
const FEE_CHECKS = 20_000;
const POOL_FEE_PERCENT = 7.5;
const PRICE = 9_000_000_000n;
const RELAY_FEE = 5_000_000n;
const HEIGHT = 123_456;

export const domainBenchmarks = (): ReadonlyArray<Measurement> => {
  // A fresh key each run: nothing derived before is reused.
  const coldXpub = neuter(Either.getOrThrow(masterFromSeed(randomBytes(32), mainnet)));
  const deriveStart = performance.now();
  const feeSet = Either.getOrThrow(feeAddressHashes(coldXpub, FEE_ADDRESSES));
  const deriveMs = performance.now() - deriveStart;

  const feeNeeded = stakePoolTicketFee(mainnet, PRICE, RELAY_FEE, HEIGHT, POOL_FEE_PERCENT);
  const feeHash = Either.getOrThrow(deriveAddress(coldXpub, 0, FEE_ADDRESSES - 1)).hash160;
  const userAmount = PRICE - feeNeeded + RELAY_FEE;
  const ticket = buildTicket({
    inputs: [syntheticInput("bench fee", feeNeeded), syntheticInput("bench user", userAmount)],
    votingDest: { kind: "scripthash", hash160: new Uint8Array(20).fill(0x55) },
    price: PRICE,
    commitments: [
      {
        hash160: feeHash,
        isP2SH: false,
        sigType: 0,
        amount: feeNeeded,
        feeLimits: DEFAULT_TICKET_FEE_LIMITS,
      },
      {
        hash160: new Uint8Array(20).fill(0x44),
        isP2SH: false,
        sigType: 0,
        amount: userAmount,
        feeLimits: DEFAULT_TICKET_FEE_LIMITS,
      },
    ],
  });
  const checkStart = performance.now();
  for (let i = 0; i < FEE_CHECKS; i++) {
    const checked = checkTicketFee({
      net: mainnet,
      ticket,
      ticketHeight: HEIGHT,
      poolFeePercent: POOL_FEE_PERCENT,
      isFeeAddress: (h) => feeSet.has(h),
    });
    if (Either.isLeft(checked)) throw new Error(`the benchmark ticket is refused: ${checked.left.message}`);
  }
  const checkMs = performance.now() - checkStart;
  return [
    { name: `domain: ${FEE_ADDRESSES} fee addresses from a cold xpub`, value: deriveMs, unit: "ms" },
    { name: "domain: checkTicketFee", value: FEE_CHECKS / (checkMs / 1000), unit: "tickets/s" },
  ];
};
