// Runs the operator tool as an operator would: a separate `deno run main.ts <command>` process.
const TOOL = new URL("../../main.ts", import.meta.url).pathname;

export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const runHcpool = async (...args: ReadonlyArray<string>): Promise<ToolRun> => {
  const out = await new Deno.Command(Deno.execPath(), {
    // -q: deno's own notes ("Blocking waiting for file lock on node_modules directory" while
    // another deno sets it up) are not the tool's stderr.
    args: ["run", "-q", "-A", TOOL, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
};
