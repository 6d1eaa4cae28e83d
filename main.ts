// hcstakepool web app entry. Until the web issue lands, it runs the operator commands.
import { runCli } from "./src/cli/main.ts";

if (import.meta.main) Deno.exit(await runCli(Deno.args));
