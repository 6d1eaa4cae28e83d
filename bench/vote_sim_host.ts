// The vote-latency benchmark's hcsim, in a process of its own so its work is not billed to the
// voters: a 3-node testnet2 network (startSimNetwork, as `deno task sim` runs it) loaded with
// 9 999 pool users — the pool's most, UserId stays below 10 000 — whose 1-of-2 scripts every
// voting wallet holds, 50 000 of their tickets paying the full pool fee, and the floor's own
// tickets (scripts the wallets hold, owners the pool's database does not know, so stakepoold
// leaves them alone). Tickets come from bench/pool_tickets.ts and wait in the mempool: the bench
// mines them with its stakepoolds running, testnet2's fresh-stake limit lifted until they are all
// in (50 000 tickets at 20 per block would take 2 500 blocks). Writes <datadir>/users.json and
// prints "users" (the database can be filled meanwhile), then setup.json, endpoints.json and
// control.json and prints "ready"; runs until SIGTERM.
//   deno run -A bench/vote_sim_host.ts <datadir> <users> <poolTickets> <floorTickets>
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { Either } from "effect";
import { encodeAddress, pubKeyAddress, pubKeyHashAddress, scriptHashAddress } from "../src/domain/address.ts";
import { hash160 } from "../src/domain/hash.ts";
import { deriveAddress, parseExtendedKey } from "../src/domain/hdkey.ts";
import { NETWORKS } from "../src/domain/params.ts";
import { poolMultisigScript } from "../src/domain/script.ts";
import { txid } from "../src/domain/tx.ts";
import { toHex } from "../src/domain/bytes.ts";
import { startSimNetwork } from "../src/sim/network.ts";
import type { RegisteredUser } from "./database.ts";
import { poolTicketBuilder, type TicketOwner } from "./pool_tickets.ts";

export const POOL_FEES = 7.5;
/** Tickets mined per block while the setup's wait in the mempool (testnet2 allows 20). */
const SETUP_FRESH_STAKE = 5_000;
const NET = "testnet2";

export interface VoteBenchSetup {
  readonly endpointsFile: string;
  readonly controlFile: string;
  readonly users: ReadonlyArray<RegisteredUser>;
  readonly poolTickets: ReadonlyArray<string>;
  readonly floorTickets: ReadonlyArray<string>;
  /** Blocks to mine until every ticket is live. */
  readonly setupBlocks: number;
  readonly setupSeconds: number;
}

if (import.meta.main) {
  const [datadir, userCount, poolTicketCount, floorTicketCount] = [
    Deno.args[0],
    ...Deno.args.slice(1, 4).map(Number),
  ] as [string, number, number, number];
  const started = performance.now();
  const net = NETWORKS[NET];
  const network = await startSimNetwork({ nodes: 3, net: NET, datadir, backgroundTickets: 16 });
  const keys = network.nodes[0].wallet.keys;
  const cold = Either.getOrThrow(parseExtendedKey(network.endpoints.coldWalletXpub));
  // Users' own keys only need to be distinct valid points: consecutive multiples of G.
  let userPoint = secp256k1.Point.BASE.multiply(
    BigInt(`0x${toHex(crypto.getRandomValues(new Uint8Array(16)))}`),
  );

  /** A 1-of-2 [pool key at `index`, a fresh user key] script imported into every voting wallet. */
  const owner = (index: number) => {
    userPoint = userPoint.add(secp256k1.Point.BASE);
    const userPub = userPoint.toBytes(true);
    const pool = keys.key(0, index);
    const script = poolMultisigScript(pool.pubKey, userPub);
    const hex = toHex(script);
    for (const node of network.nodes) node.wallet.importScript(hex, false, 0);
    return {
      script,
      hex,
      address: encodeAddress(scriptHashAddress(net, script)),
      poolPubKeyAddr: pool.pubKeyAddress,
      userPubKeyAddr: encodeAddress(Either.getOrThrow(pubKeyAddress(net, userPub))),
      rewardHash160: hash160(userPub),
    };
  };

  const users: Array<RegisteredUser & TicketOwner> = [];
  for (let userId = 1; userId <= userCount; userId++) {
    const o = owner(userId);
    const fee = Either.getOrThrow(deriveAddress(cold, 0, userId));
    users.push({
      userId,
      multiSigAddress: o.address,
      multiSigScript: o.hex,
      poolPubKeyAddr: o.poolPubKeyAddr,
      userPubKeyAddr: o.userPubKeyAddr,
      userFeeAddr: encodeAddress(pubKeyHashAddress(net, fee.hash160)),
      script: o.script,
      rewardHash160: o.rewardHash160,
      feeHash160: fee.hash160,
    });
  }
  // The database can be filled while the tickets are built.
  const benchUsers = users.map(({ script: _s, rewardHash160: _r, feeHash160: _f, ...u }) => u);
  await Deno.writeTextFile(`${datadir}/users.json`, JSON.stringify(benchUsers));
  console.log(`users ${users.length}`);
  // Floor owners: derivation indexes no pool user has.
  const floorOwners = Array.from({ length: Math.ceil(floorTicketCount / 5) }, (_, i) => {
    const o = owner(userCount + 1 + i);
    return { ...o, feeHash160: users[0].feeHash160 };
  });

  const build = poolTicketBuilder(net, {
    price: network.chain.nextStakeDiff,
    height: network.chain.height,
    poolFees: POOL_FEES,
    label: "bench",
  });
  const ticketFor = (owner: TicketOwner) => {
    const tx = build(owner);
    Either.getOrThrow(network.chain.submit(tx));
    return txid(tx);
  };
  const poolTickets = Array.from({ length: poolTicketCount }, (_, i) => {
    return ticketFor(users[i % users.length]);
  });
  const floorTickets = Array.from({ length: floorTicketCount }, (_, i) => {
    return ticketFor(floorOwners[i % floorOwners.length]);
  });

  // The bench mines them; the limit is back once no ticket waits in the mempool.
  const mutableNet = net as { maxFreshStakePerBlock: number };
  const freshStakeLimit = mutableNet.maxFreshStakePerBlock;
  mutableNet.maxFreshStakePerBlock = SETUP_FRESH_STAKE;
  const restore = network.chain.onEvent(() => {
    if (network.chain.mempoolTxs().some((t) => t.type === "ticket")) return;
    mutableNet.maxFreshStakePerBlock = freshStakeLimit;
    restore();
  });

  const setup: VoteBenchSetup = {
    endpointsFile: `${datadir}/endpoints.json`,
    controlFile: `${datadir}/control.json`,
    users: benchUsers,
    poolTickets,
    floorTickets,
    setupBlocks: Math.ceil((poolTickets.length + floorTickets.length) / SETUP_FRESH_STAKE) +
      net.ticketMaturity,
    setupSeconds: (performance.now() - started) / 1000,
  };
  await Deno.writeTextFile(setup.endpointsFile, JSON.stringify(network.endpoints));
  await Deno.writeTextFile(setup.controlFile, JSON.stringify(network.controlEndpoint));
  await Deno.writeTextFile(`${datadir}/setup.json`, JSON.stringify(setup));
  console.log(`ready height=${network.chain.height} tickets=${poolTickets.length + floorTickets.length}`);
  const stop = () => network.close().then(() => Deno.exit(0));
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
}
