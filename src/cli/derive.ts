// `hcpool derive <extended-pubkey> <index> [--branch 0]`: the address the pool derives at
// <xpub>/<branch>/<index> (fee and voting addresses are <xpub>/0/<userId>).
import { Either } from "effect";
import { deriveAddress, HARDENED_KEY_START, parseExtendedKey } from "../domain/hdkey.ts";
import { command, UsageError } from "./command.ts";

const USAGE = "usage: derive <extended-pubkey> <index> [--branch 0]";

const childIndex = (what: string, text: string): Either.Either<number, UsageError> => {
  const n = /^\d{1,10}$/.test(text) ? Number(text) : NaN;
  return n < HARDENED_KEY_START ? Either.right(n) : Either.left(
    new UsageError({ message: `${what} must be an integer from 0 to ${HARDENED_KEY_START - 1}` }),
  );
};

/** Splits `--branch N` / `--branch=N` from the positional arguments. */
const parseArgs = (argv: ReadonlyArray<string>) => {
  const positional: string[] = [];
  let branch = "0";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--branch") branch = argv[++i] ?? "";
    else if (arg.startsWith("--branch=")) branch = arg.slice("--branch=".length);
    else positional.push(arg);
  }
  return { positional, branch };
};

export default command({
  name: "derive",
  usage: "<extended-pubkey> <index> [--branch 0]",
  summary: "derive <xpub>/<branch>/<index>: P2PKH address, compressed pubkey and pubkey address",
  run: (argv) =>
    Either.gen(function* () {
      const { positional, branch } = parseArgs(argv);
      if (positional.length !== 2) return yield* Either.left(new UsageError({ message: USAGE }));
      const key = yield* parseExtendedKey(positional[0]);
      const b = yield* childIndex("branch", branch);
      const i = yield* childIndex("index", positional[1]);
      const { address, pubKey, pubKeyAddress } = yield* deriveAddress(key, b, i);
      return { address, pubKey, pubKeyAddress };
    }),
});
