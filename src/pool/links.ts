// Where the pages send users for a network: the block explorer (the original linked
// <hc|testnet>-explorer.h.cash; simnet has none) and the hcctl flag for its commands.
import type { NetName } from "../domain/params.ts";

const EXPLORERS: Readonly<Record<NetName, string | undefined>> = {
  mainnet: "https://hc-explorer.h.cash/explorer",
  testnet2: "https://testnet-explorer.h.cash/explorer",
  simnet: undefined,
};

/** The explorer's page of a transaction; undefined where the network has no explorer. */
export const explorerTxUrl = (net: NetName, txid: string): string | undefined => {
  const base = EXPLORERS[net];
  return base === undefined ? undefined : `${base}/tx/${txid}`;
};

/** `hcctl` for this network ("hcctl --testnet" …), as the instructions print it. */
export const hcctlCommand = (net: NetName): string =>
  net === "mainnet" ? "hcctl" : net === "testnet2" ? "hcctl --testnet" : "hcctl --simnet";
