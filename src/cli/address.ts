// `hcpool address <addr>`: decode an HC address and show its net, type, signature suite and hash.
import { Effect } from "effect";
import { addressHash160, decodeAddress } from "../domain/address.ts";
import { toHex } from "../domain/bytes.ts";
import { command, UsageError } from "./command.ts";

export default command({
  name: "address",
  usage: "<addr>",
  summary: "decode an address: net, type, signature type, hash160 and (pubkey addresses) the pubkey",
  run: (argv) =>
    argv.length !== 1 ? Effect.fail(new UsageError({ message: "usage: address <addr>" })) : Effect.map(
      decodeAddress(argv[0]),
      (a) => ({
        valid: true,
        net: a.net.name,
        type: a.kind,
        ...(a.kind === "scripthash" ? {} : { sigType: a.sigType }),
        hash160: toHex(addressHash160(a)),
        ...(a.kind === "pubkey" ? { pubkey: toHex(a.pubKey) } : {}),
      }),
    ),
});
