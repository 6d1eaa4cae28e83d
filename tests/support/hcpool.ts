// Runs the operator tool as an operator would: a separate `deno run main.ts <command>` process.
const TOOL = new URL("../../main.ts", import.meta.url).pathname;

export interface ToolRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const runHcpool = async (...args: ReadonlyArray<string>): Promise<ToolRun> => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", TOOL, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
};
