// `hcpool subsidy --net <net> <height>`: block subsidy and per-vote stake subsidy at a height.
import { Either } from "effect";
import { parseArgs } from "node:util";
import { netByName, type NetParams } from "../domain/params.ts";
import { calcBlockSubsidy, calcStakeVoteSubsidy } from "../domain/subsidy.ts";
import { command, UsageError } from "./command.ts";

/** The required `--net <name>` and exactly `positionals` positional arguments; shared by the fee commands. */
export const parseNetArgs = (
  argv: ReadonlyArray<string>,
  usage: string,
  positionals: number,
): Either.Either<{ net: NetParams; args: ReadonlyArray<string> }, UsageError> =>
  Either.gen(function* () {
    const parsed = yield* Either.try({
      try: () => parseArgs({ args: [...argv], options: { net: { type: "string" } }, allowPositionals: true }),
      catch: (e) => new UsageError({ message: `${e instanceof Error ? e.message : String(e)}; ${usage}` }),
    });
    if (parsed.values.net === undefined || parsed.positionals.length !== positionals) {
      return yield* Either.left(new UsageError({ message: usage }));
    }
    const net = yield* Either.mapLeft(netByName(parsed.values.net), (e) =>
      new UsageError({ message: e.message }));
    return { net, args: parsed.positionals };
  });

/** A non-negative decimal integer argument no larger than `max`. */
export const decimalArg = (what: string, text: string, max: bigint): Either.Either<bigint, UsageError> =>
  /^\d{1,20}$/.test(text) && BigInt(text) <= max
    ? Either.right(BigInt(text))
    : Either.left(new UsageError({ message: `${what} must be an integer from 0 to ${max}, got "${text}"` }));

export const MAX_HEIGHT = 0xffffffffn;

export default command({
  name: "subsidy",
  usage: "--net <mainnet|testnet2|simnet> <height>",
  summary: "block subsidy and stake subsidy per vote at a height (atoms)",
  run: (argv) =>
    Either.gen(function* () {
      const { net, args } = yield* parseNetArgs(
        argv,
        "usage: subsidy --net <mainnet|testnet2|simnet> <height>",
        1,
      );
      const height = Number(yield* decimalArg("height", args[0], MAX_HEIGHT));
      return {
        block: Number(calcBlockSubsidy(net, height)),
        stakeVote: Number(calcStakeVoteSubsidy(net, height)),
      };
    }),
});
