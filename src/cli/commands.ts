// Registry of operator subcommands (`deno task hcpool <command>`). One file per command.
import type { Command } from "./command.ts";
import address from "./address.ts";
import backup from "./backup.ts";
import configCheck from "./config_check.ts";
import derive from "./derive.ts";
import migrate from "./migrate.ts";
import multisig from "./multisig.ts";
import poolfee from "./poolfee.ts";
import restore from "./restore.ts";
import subsidy from "./subsidy.ts";
import sync from "./sync.ts";
import tx from "./tx.ts";

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
