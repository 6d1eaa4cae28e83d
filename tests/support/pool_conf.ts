// hcstakepool.conf as an operator writes it for an hcsim network: the original's option names,
// the sim's three wallets, and the embedded store in `datadir`.
import type { SimNetwork } from "../../src/sim/network.ts";

/** Writes `<datadir>/hcstakepool.conf`; returns its path. */
export const writePoolConf = async (sim: SimNetwork, datadir: string): Promise<string> => {
  const wallets = sim.endpoints.nodes.map((n) => n.wallet);
  const conf = `${datadir}/hcstakepool.conf`;
  await Deno.writeTextFile(
    conf,
    [
      "[Application Options]",
      "simnet=1",
      `datadir=${datadir}`,
      "apisecret=not-used-by-sync",
      "cookiesecret=not-used-by-sync",
      `coldwalletextpub=${sim.endpoints.coldWalletXpub}`,
      `votingwalletextpub=${sim.endpoints.votingWalletXpub}`,
      "adminips=127.0.0.1",
      "adminuserids=1",
      `wallethosts=${wallets.map((w) => new URL(w.url).host).join(",")}`,
      `walletusers=${wallets.map((w) => w.user).join(",")}`,
      `walletpasswords=${wallets.map((w) => w.password).join(",")}`,
      `walletcerts=${wallets.map((w) => w.cert).join(",")}`,
      "minservers=2",
    ].join("\n"),
  );
  return conf;
};
