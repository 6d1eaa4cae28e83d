// `hcpool multisig <poolPubKeyAddr> <userPubKeyAddr>`: the user's 1-of-2 ticket redeem script and
// its P2SH address, as the pool computes them before importscript.
import { Either } from "effect";
import { type Address, decodeAddress, encodeAddress, scriptHashAddress } from "../domain/address.ts";
import { toHex } from "../domain/bytes.ts";
import { poolMultisigScript } from "../domain/script.ts";
import { command, UsageError } from "./command.ts";

const secpPubKey = (role: string, s: string) =>
  Either.flatMap(
    decodeAddress(s),
    (a) =>
      a.kind === "pubkey" && a.sigType === "secp256k1"
        ? Either.right(a as Address & { kind: "pubkey" })
        : Either.left(new UsageError({ message: `${role} address must be a secp256k1 pubkey address` })),
  );

export default command({
  name: "multisig",
  usage: "<poolPubKeyAddr> <userPubKeyAddr>",
  summary: "1-of-2 [pool, user] redeem script and its P2SH ticket address",
  run: (argv) =>
    Either.gen(function* () {
      if (argv.length !== 2) {
        return yield* Either.left(
          new UsageError({ message: "usage: multisig <poolPubKeyAddr> <userPubKeyAddr>" }),
        );
      }
      const pool = yield* secpPubKey("pool", argv[0]);
      const user = yield* secpPubKey("user", argv[1]);
      if (pool.net.name !== user.net.name) {
        return yield* Either.left(
          new UsageError({
            message: `pool address is for ${pool.net.name} but user address is for ${user.net.name}`,
          }),
        );
      }
      const script = poolMultisigScript(pool.pubKey, user.pubKey);
      return { address: encodeAddress(scriptHashAddress(pool.net, script)), redeemScript: toHex(script) };
    }),
});
