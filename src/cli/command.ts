// The operator tool's command shape: each command lives in its own file under src/cli and is
// listed in src/cli/commands.ts. A command prints JSON on success; on failure main.ts prints
// one line to stderr and exits 1 (never a stack trace).
import { Data, type Effect } from "effect";

export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

export interface Command {
  readonly name: string;
  /** One line: arguments and flags. */
  readonly usage: string;
  readonly summary: string;
  /** argv after the command name. Resolves to the JSON value to print (undefined prints nothing). */
  readonly run: (argv: ReadonlyArray<string>) => Effect.Effect<unknown, { readonly message: string }>;
}

export const command = (c: Command): Command => c;
