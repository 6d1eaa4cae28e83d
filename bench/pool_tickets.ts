// Pool tickets for the benchmarks, built with src/domain as hcsim's user wallet builds them for
// `purchaseticket … <ticket address> n <fee address> <poolfees>` (HC-PROTOCOL §5.2): the price in
// output 0 to the 1-of-2 script, commitment 1 paying the pool fee to a fee address, commitment 2
// the rest to the user, 0.001 HC/kB relay fee. Deriving a reward address per ticket, as the wallet
// does, would cost the benchmarks minutes, so each owner gets one.
import { hash160 } from "../src/domain/hash.ts";
import type { NetParams } from "../src/domain/params.ts";
import { stakePoolTicketFee } from "../src/domain/poolfee.ts";
import { buildTicket, DEFAULT_TICKET_FEE_LIMITS } from "../src/domain/stake.ts";
import { type MsgTx, serializeTx } from "../src/domain/tx.ts";
import { syntheticInput } from "../src/sim/chain.ts";

/** hcwallet's default ticket fee rate, atoms per kB. */
const RELAY_FEE_PER_KB = 100_000n;

export interface TicketOwner {
  /** The 1-of-2 redeem script the ticket votes with. */
  readonly script: Uint8Array;
  readonly rewardHash160: Uint8Array;
  readonly feeHash160: Uint8Array;
}

/** Builds tickets at one price and height, each spending outpoints of its own. */
export const poolTicketBuilder = (
  net: NetParams,
  options: {
    readonly price: bigint;
    readonly height: number;
    readonly poolFees: number;
    readonly label: string;
  },
) => {
  let count = 0;
  return (owner: TicketOwner): MsgTx => {
    const label = `${options.label} ${count++}`;
    const draft = (poolAmt: bigint, userAmt: bigint) => {
      const commit = (h: Uint8Array, amount: bigint) => ({
        hash160: h,
        isP2SH: false,
        sigType: 0,
        amount,
        feeLimits: DEFAULT_TICKET_FEE_LIMITS,
      });
      return buildTicket({
        inputs: [syntheticInput(`${label} pool`, poolAmt), syntheticInput(`${label} user`, userAmt)],
        votingDest: { kind: "scripthash", hash160: hash160(owner.script) },
        price: options.price,
        commitments: [commit(owner.feeHash160, poolAmt), commit(owner.rewardHash160, userAmt)],
      });
    };
    const fee = RELAY_FEE_PER_KB * BigInt(serializeTx(draft(0n, 0n)).length) / 1000n;
    const poolAmt = stakePoolTicketFee(net, options.price, fee, options.height, options.poolFees);
    return draft(poolAmt, options.price + fee - poolAmt);
  };
};
