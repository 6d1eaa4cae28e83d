// Registry of operator subcommands (`deno task hcpool <command>`). One file per command.
import type { Command } from "./command.ts";
import address from "./address.ts";
import derive from "./derive.ts";
import multisig from "./multisig.ts";
import poolfee from "./poolfee.ts";
import subsidy from "./subsidy.ts";
import tx from "./tx.ts";

export const COMMANDS: ReadonlyArray<Command> = [
  address,
  derive,
  multisig,
  tx,
  subsidy,
  poolfee,
];
