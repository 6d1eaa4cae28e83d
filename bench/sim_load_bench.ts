// Loads 10 000 users' redeem scripts and 50 000 of their tickets into one simulated voting wallet
// and prints how long each step takes (later benchmarks build on a wallet of this size).
import { randomBytes } from "node:crypto";
import { Either } from "effect";
import { toHex } from "../src/domain/bytes.ts";
import { deriveChild, neuter } from "../src/domain/hdkey.ts";
import { simnet } from "../src/domain/params.ts";
import { poolMultisigScript } from "../src/domain/script.ts";
import { buildTicket, DEFAULT_TICKET_FEE_LIMITS } from "../src/domain/stake.ts";
import { hash160 } from "../src/domain/hash.ts";
import { txToHex } from "../src/domain/tx.ts";
import { SimChain, syntheticInput } from "../src/sim/chain.ts";
import { accountKey } from "../src/sim/network.ts";
import { AccountKeys, SimWallet } from "../src/sim/wallet.ts";

const USERS = 10_000;
const TICKETS_PER_USER = 5;

const time = <A>(label: string, f: () => A): A => {
  const start = performance.now();
  const result = f();
  console.log(`${label.padEnd(44)} ${((performance.now() - start) / 1000).toFixed(2)} s`);
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
});

const scripts = time(`derive ${USERS} pool keys and user scripts`, () => {
  keys.ensure(0, USERS);
  return Array.from(
    { length: USERS },
    (_, i) =>
      poolMultisigScript(keys.key(0, i).pubKey, Either.getOrThrow(deriveChild(userRoot, i)).publicKey),
  );
});
time(`importscript × ${USERS}`, () => {
  for (const s of scripts) wallet.importScript(toHex(s), true, 0);
});
const tickets = time(
  `build ${USERS * TICKETS_PER_USER} tickets`,
  () =>
    scripts.flatMap((s, u) =>
      Array.from({ length: TICKETS_PER_USER }, (_, k) => {
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
time(`addticket × ${tickets.length}`, () => {
  for (const t of tickets) wallet.addTicket(t);
});
const listed = time("listscripts", () => wallet.listScripts().length);
console.log(`wallet holds ${listed} scripts and ${tickets.length} tickets`);
wallet.close();
