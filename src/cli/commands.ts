// Registry of `hcpool` subcommands (`deno task hcpool <command>`). One file per command.
import { runDemo } from "../demo/main.ts";
import type { Command } from "./command.ts";
import address from "./address.ts";
import backup from "./backup.ts";
import configCheck from "./config_check.ts";
import derive from "./derive.ts";
import migrate from "./migrate.ts";
import multisig from "./multisig.ts";
import poolfee from "./poolfee.ts";
import restore from "./restore.ts";
import { runServe } from "./serve.ts";
import subsidy from "./subsidy.ts";
import sync from "./sync.ts";
import tx from "./tx.ts";

/** A subcommand that runs until stopped and returns its own exit code (not an operator tool's JSON). */
export interface Program {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly run: (argv: ReadonlyArray<string>) => Promise<number>;
}

/** The web app is also what no subcommand (or only options) runs. */
export const SERVE: Program = {
  name: "serve",
  usage: "[-C hcstakepool.conf] [--<option>=<value>…]",
  summary: "the web app (the default: no subcommand, or only options, means serve)",
  run: runServe,
};

export const PROGRAMS: ReadonlyArray<Program> = [
  SERVE,
  {
    name: "start",
    usage:
      "[--datadir DIR] [--listen HOST:PORT] [--nocaptcha] [--blockinterval SECONDS] [--logformat text|json] " +
      "[--debuglevel LEVEL]",
    summary: "the demo pool: hcsim, 3 stakepoolds and the web app in one process (start --help says more)",
    run: runDemo,
  },
];

export const COMMANDS: ReadonlyArray<Command> = [
  address,
  derive,
  multisig,
  tx,
  subsidy,
  poolfee,
  migrate,
  backup,
  restore,
  sync,
  configCheck,
];
