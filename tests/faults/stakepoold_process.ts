// A stakepoold as an operator runs it — `deno run stakepoold.ts -C stakepoold.conf`, a process of
// its own — for the fault tests that signal it and for the vote benchmark.
import { Redacted } from "effect";
import type { DatabaseConfig } from "../../src/config/database.ts";
import type { SimEndpoints } from "../../src/sim/network.ts";

export interface StakepooldConfOptions {
  /** Its home: certificates, log, snapshot (the embedded store's datadir is the database's). */
  readonly dir: string;
  readonly node: SimEndpoints["nodes"][number];
  readonly net: SimEndpoints["net"];
  readonly coldWalletXpub: string;
  readonly poolFees: number;
  readonly database: DatabaseConfig;
  /** Control API port on 127.0.0.1. */
  readonly port: number;
  readonly controlSecret: string;
}

/** stakepoold.conf for one voting node of hcsim, logging JSON lines. */
export const stakepooldConf = (o: StakepooldConfOptions): string =>
  [
    ...(o.net === "simnet" ? ["simnet=1"] : o.net === "testnet2" ? ["testnet=1"] : []),
    `appdata=${o.dir}`,
    // The embedded store lives in datadir, so every stakepoold of a pool opens the same one.
    `datadir=${o.database.dbhost === undefined ? o.database.datadir : `${o.dir}/data`}`,
    `logdir=${o.dir}/logs`,
    "logformat=json",
    `coldwalletextpub=${o.coldWalletXpub}`,
    `poolfees=${o.poolFees}`,
    ...(o.database.dbhost === undefined ? [] : [
      `dbhost=${o.database.dbhost}`,
      `dbport=${o.database.dbport}`,
      `dbname=${o.database.dbname}`,
      `dbuser=${o.database.dbuser}`,
      `dbpassword=${o.database.dbpassword === undefined ? "" : Redacted.value(o.database.dbpassword)}`,
    ]),
    `hcdhost=${new URL(o.node.hcd.url).host}`,
    `hcduser=${o.node.hcd.user}`,
    `hcdpassword=${o.node.hcd.password}`,
    `hcdcert=${o.node.hcd.cert}`,
    `wallethost=${new URL(o.node.wallet.url).host}`,
    `walletuser=${o.node.wallet.user}`,
    `walletpassword=${o.node.wallet.password}`,
    `walletcert=${o.node.wallet.cert}`,
    `rpclisten=127.0.0.1:${o.port}`,
    `rpccert=${o.dir}/rpc.cert`,
    `rpckey=${o.dir}/rpc.key`,
    `controlsecret=${o.controlSecret}`,
  ].join("\n") + "\n";
