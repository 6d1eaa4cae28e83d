// hcstakepool: the one entry. Operator commands are its subcommands (src/cli, one file each);
// `deno task hcpool …` is an alias of `main.ts …`.
import { runCli } from "./src/cli/main.ts";

if (import.meta.main) Deno.exit(await runCli(Deno.args));
