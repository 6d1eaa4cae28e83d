// `deno task sim`: a standalone simulated HC network. Prints its seed (--seed replays it), every
// endpoint with its credentials and certificate path, and writes them to <datadir>/endpoints.json
// (the control endpoint to <datadir>/control.json). Runs until interrupted.
import { parseArgs } from "node:util";
import { Either } from "effect";
import { netByName } from "../domain/params.ts";
import { startSimNetwork } from "./network.ts";

const usage =
  `usage: deno task sim [--nodes 3] [--net simnet|testnet2] [--blockinterval ms] [--datadir ./.data/sim]
                     [--background n] [--poolfees 7.5] [--hostname 127.0.0.1] [--controlport n]
                     [--seed text] [--startheight n] [--notxindex]`;

const fail = (message: string): never => {
  console.error(`hcsim: ${message}\n${usage}`);
  Deno.exit(1);
};

const integer = (name: string, value: string | undefined, fallback: number | undefined) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : fail(`--${name} must be a whole number, got "${value}"`);
};

if (import.meta.main) {
  let flags;
  try {
    flags = parseArgs({
      args: Deno.args,
      options: {
        nodes: { type: "string" },
        net: { type: "string" },
        blockinterval: { type: "string" },
        datadir: { type: "string" },
        background: { type: "string" },
        poolfees: { type: "string" },
        hostname: { type: "string" },
        controlport: { type: "string" },
        seed: { type: "string" },
        startheight: { type: "string" },
        notxindex: { type: "boolean" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (flags!.help) {
    console.log(usage);
    Deno.exit(0);
  }
  const net = Either.getOrElse(netByName(flags!.net ?? "simnet"), (e) => fail(e.message));
  if (net.name === "mainnet") fail("hcsim simulates simnet or testnet2, not mainnet");
  const datadir = flags!.datadir ?? "./.data/sim";
  const poolFees = flags!.poolfees === undefined ? undefined : Number(flags!.poolfees);
  if (poolFees !== undefined && !(poolFees > 0 && poolFees <= 100)) fail("--poolfees must be in (0, 100]");
  const network = await startSimNetwork({
    nodes: integer("nodes", flags!.nodes, 3),
    net: net.name,
    blockIntervalMs: integer("blockinterval", flags!.blockinterval, 0),
    datadir,
    backgroundTickets: integer("background", flags!.background, undefined),
    poolFees,
    hostname: flags!.hostname,
    ports: { control: integer("controlport", flags!.controlport, undefined) },
    seed: flags!.seed === "" ? fail("--seed must not be empty") : flags!.seed,
    startHeight: integer("startheight", flags!.startheight, undefined),
    txindex: !flags!.notxindex,
  });
  await Deno.writeTextFile(`${datadir}/endpoints.json`, JSON.stringify(network.endpoints, null, 2) + "\n", {
    mode: 0o600,
  });
  await Deno.writeTextFile(
    `${datadir}/control.json`,
    JSON.stringify(network.controlEndpoint, null, 2) + "\n",
    {
      mode: 0o600,
    },
  );
  const show = (label: string, e: { url: string; user: string; password: string; cert: string }) =>
    console.log(`${label.padEnd(14)} ${e.url}  user=${e.user} password=${e.password} cert=${e.cert}`);
  console.log(`hcsim on ${net.name}: ${network.nodes.length} voting nodes, height ${network.chain.height}`);
  console.log(`seed           ${network.seed}  (--seed ${network.seed} replays this network)`);
  network.endpoints.nodes.forEach((n, i) => {
    show(`node ${i} hcd`, n.hcd);
    show(`node ${i} wallet`, n.wallet);
  });
  show("user wallet", network.endpoints.userWallet);
  show("control", network.controlEndpoint);
  console.log(`voting xpub    ${network.endpoints.votingWalletXpub}`);
  console.log(`cold xpub      ${network.endpoints.coldWalletXpub}`);
  console.log(`wallet passphrase ${network.walletPassphrase}`);
  console.log(`endpoints written to ${datadir}/endpoints.json; Ctrl-C stops`);
  const stop = () => network.close().then(() => Deno.exit(0));
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
