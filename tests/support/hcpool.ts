// Runs the operator tool as an operator would: a separate `deno run tools/hcpool.ts` process.
const TOOL = new URL("../../tools/hcpool.ts", import.meta.url).pathname;

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
