// Loads 10 000 users' redeem scripts and 50 000 of their tickets into one simulated voting wallet
// and measures each step (later benchmarks build on a wallet of this size).
import { randomBytes } from "node:crypto";
import { Either } from "effect";
import { toHex } from "../src/domain/bytes.ts";
import { deriveChild, neuter } from "../src/domain/hdkey.ts";
import { simnet } from "../src/domain/params.ts";
import { poolMultisigScript } from "../src/domain/script.ts";
import { buildTicket, DEFAULT_TICKET_FEE_LIMITS } from "../src/domain/stake.ts";
import { hash160 } from "../src/domain/hash.ts";
import { txFromHex, txToHex } from "../src/domain/tx.ts";
import { SimChain, syntheticInput } from "../src/sim/chain.ts";
import { accountKey } from "../src/sim/network.ts";
import { AccountKeys, SimWallet } from "../src/sim/wallet.ts";
import { formatMeasurement, type Measurement } from "./measurement.ts";

export const simWalletLoad = (users = 10_000, ticketsPerUser = 5): ReadonlyArray<Measurement> => {
  const out: Array<Measurement> = [];
  const time = <A>(name: string, f: () => A): A => {
    const start = performance.now();
    const result = f();
    out.push({ name: `sim wallet: ${name}`, value: performance.now() - start, unit: "ms" });
    return result;
  };
  const chain = new SimChain({ net: simnet });
  const keys = new AccountKeys(accountKey(randomBytes(32), "simnet"));
  const userRoot = Either.getOrThrow(deriveChild(neuter(accountKey(randomBytes(32), "simnet")), 0));
  const wallet = new SimWallet({
    name: "bench",
    chain,
    keys,
    passphrase: "bench",
    stakePool: { feeAddresses: () => new Set(), poolFees: 7.5 },
    hcdTxIndex: true,
  });
  try {
    const scripts = time(`derive ${users} pool keys and user scripts`, () => {
      keys.ensure(0, users);
      return Array.from(
        { length: users },
        (_, i) =>
          poolMultisigScript(keys.key(0, i).pubKey, Either.getOrThrow(deriveChild(userRoot, i)).publicKey),
      );
    });
    time(`importscript × ${users}`, () => {
      for (const s of scripts) wallet.importScript(toHex(s), true, 0);
    });
    const tickets = time(
      `build ${users * ticketsPerUser} tickets`,
      () =>
        scripts.flatMap((s, u) =>
          Array.from({ length: ticketsPerUser }, (_, k) => {
            const h = hash160(s);
            return txToHex(buildTicket({
              inputs: [syntheticInput(`bench ${u} ${k}`, 20000n)],
              votingDest: { kind: "scripthash", hash160: h },
              price: 20000n,
              commitments: [{
                hash160: h,
                isP2SH: true,
                sigType: 0,
                amount: 20000n,
                feeLimits: DEFAULT_TICKET_FEE_LIMITS,
              }],
            }));
          })
        ),
    );
    time(`${tickets.length} tickets into the mempool`, () => {
      for (const t of tickets) Either.getOrThrow(chain.submit(Either.getOrThrow(txFromHex(t))));
    });
    // In stake-pool mode addticket asks hcd where the ticket is: the mempool answers at once.
    time(`addticket × ${tickets.length}`, () => {
      for (const t of tickets) wallet.addTicket(t);
    });
    const listed = time("listscripts", () => wallet.listScripts().length);
    if (listed !== users) throw new Error(`the wallet lists ${listed} scripts, ${users} imported`);
    return out;
  } finally {
    wallet.close();
  }
};

if (import.meta.main) { for (const m of simWalletLoad()) console.log(formatMeasurement(m)); }
