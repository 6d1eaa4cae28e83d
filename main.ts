// hcstakepool: the one entry. No command (or only options) or `serve` runs the web app
// (src/cli/serve.ts); `start` runs the zero-config demo pool (src/demo); any other command is an
// operator tool (src/cli, one file each). `deno task hcpool …` is an alias of `main.ts …`.
import { runCli } from "./src/cli/main.ts";
import { PROGRAMS, SERVE } from "./src/cli/commands.ts";

/** Exported for the single-file build (deno task bundle), whose entry calls it. */
export const main = (argv: ReadonlyArray<string>): Promise<number> => {
  const [first, ...rest] = argv;
  const program = PROGRAMS.find((p) => p.name === first);
  if (program !== undefined) return program.run(rest);
  if (first === undefined || first.startsWith("-") && !["-h", "--help"].includes(first)) {
    return SERVE.run(argv);
  }
  return runCli(argv);
};

if (import.meta.main) Deno.exit(await main(Deno.args));
