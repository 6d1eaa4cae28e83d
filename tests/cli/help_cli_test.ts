import assert from "node:assert/strict";
import { COMMANDS, PROGRAMS } from "../../src/cli/commands.ts";
import { runHcpool } from "../support/hcpool.ts";

Deno.test("hcpool help lists every subcommand, serve and start included, and says no subcommand means serve", async () => {
  for (const ask of ["help", "--help", "-h"]) {
    const run = await runHcpool(ask);
    assert.equal(run.code, 0, run.stderr);
    const listed = [...run.stdout.matchAll(/^ {2}(\S+) /gm)].map((m) => m[1]);
    assert.deepEqual(listed, ["serve", "start", ...COMMANDS.map((c) => c.name)]);
    assert.deepEqual(PROGRAMS.map((p) => p.name), ["serve", "start"]);
    assert.match(run.stdout, /no subcommand means serve/);
  }
});
