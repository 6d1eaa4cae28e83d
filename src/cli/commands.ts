// Registry of operator subcommands (`deno task hcpool <command>`). One file per command.
import type { Command } from "./command.ts";

export const COMMANDS: ReadonlyArray<Command> = [];
