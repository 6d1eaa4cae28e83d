// `hcpool poolfee --net <net> <stakeDiff> <relayFee> <height> <poolFee%>`: the pool fee a ticket
// must pay (hcwallet StakePoolTicketFee), in atoms.
import { Either } from "effect";
import { isValidPoolFeeRate, stakePoolTicketFee } from "../domain/poolfee.ts";
import { command, UsageError } from "./command.ts";
import { decimalArg, MAX_HEIGHT, parseNetArgs } from "./subsidy.ts";

const USAGE =
  "usage: poolfee --net <mainnet|testnet2|simnet> <stakeDiff atoms> <relayFee atoms> <height> <poolFee %>";
/** Amounts are int64 atoms on the wire. */
const MAX_ATOMS = (1n << 63n) - 1n;

export default command({
  name: "poolfee",
  usage: "--net <mainnet|testnet2|simnet> <stakeDiff atoms> <relayFee atoms> <height> <poolFee %>",
  summary: "pool fee in atoms a ticket must pay (StakePoolTicketFee)",
  run: (argv) =>
    Either.gen(function* () {
      const { net, args } = yield* parseNetArgs(argv, USAGE, 4);
      const stakeDiff = yield* decimalArg("stakeDiff", args[0], MAX_ATOMS);
      const relayFee = yield* decimalArg("relayFee", args[1], MAX_ATOMS);
      const height = Number(yield* decimalArg("height", args[2], MAX_HEIGHT));
      const percent = /^\d+(\.\d+)?$/.test(args[3]) ? Number(args[3]) : NaN;
      if (!isValidPoolFeeRate(percent)) {
        return yield* Either.left(
          new UsageError({ message: `pool fee must be a percentage from 0.01 to 100.00, got "${args[3]}"` }),
        );
      }
      return { fee: Number(stakePoolTicketFee(net, stakeDiff, relayFee, height, percent)) };
    }),
});
