// `deno task hcpool <command>`: the operator tool.
import { runCli } from "../src/cli/main.ts";

Deno.exit(await runCli(Deno.args));
