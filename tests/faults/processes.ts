// Child processes of a fault test or a benchmark: deno programs run on their own (hcsim,
// stakepoolds, the floor client, the load client), their output read line by line, and each
// stopped by its own pid when the test or benchmark ends, whatever happened.

export interface ChildProcess {
  readonly name: string;
  readonly pid: number;
  /** Every line printed so far on stdout and stderr, in order of arrival. */
  readonly lines: ReadonlyArray<string>;
  /** Calls `f` with every line from now on (and the ones already printed when `replay`). */
  readonly onLine: (f: (line: string) => void, replay?: boolean) => void;
  /** The first line (printed or still to come) `match` accepts; fails when the process ends first. */
  readonly waitForLine: (
    match: (line: string) => boolean,
    what: string,
    timeoutMs: number,
  ) => Promise<string>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number>;
  /** SIGTERM, then SIGKILL after `graceMs` if it is still running; resolves when it has exited. */
  readonly stop: (graceMs?: number) => Promise<number>;
}

const profileDir = Deno.env.get("HCPOOL_CPU_PROFILE_DIR");

/** Every process started here that has not exited yet. */
const running = new Set<ChildProcess>();

/** Stops every process still running (a benchmark past its deadline leaves them behind). */
export const stopAllProcesses = (): Promise<ReadonlyArray<number>> =>
  Promise.all([...running].map((p) => p.stop()));

/**
 * Runs `deno run -A <args>` from the repository root with the given environment. With
 * HCPOOL_CPU_PROFILE_DIR set, each process writes a V8 CPU profile there when it exits.
 */
export const spawnDeno = (
  name: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>> = {},
): ChildProcess => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "-q", ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), ...args],
    cwd: new URL("../..", import.meta.url).pathname,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: Array<string> = [];
  const listeners = new Set<(line: string) => void>();
  let ended = false;
  const endWaiters = new Set<() => void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    let rest = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        for (const f of listeners) f(line);
      }
    }
    if (rest !== "") {
      lines.push(rest);
      for (const f of listeners) f(rest);
    }
  };
  const pumped = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const exited = child.status.then(async (s) => {
    await pumped;
    ended = true;
    for (const w of endWaiters) w();
    return s.code;
  });
  const onLine = (f: (line: string) => void, replay = false) => {
    if (replay) { for (const line of lines) f(line); }
    listeners.add(f);
  };
  const waitForLine = (match: (line: string) => boolean, what: string, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const found = lines.find(match);
      if (found !== undefined) return resolve(found);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
        endWaiters.delete(onEnd);
      };
      const check = (line: string) => {
        if (!match(line)) return;
        done();
        resolve(line);
      };
      const onEnd = () => {
        done();
        reject(new Error(`${name} exited before ${what}; its last lines:\n${lines.slice(-15).join("\n")}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `${name}: no ${what} within ${timeoutMs / 1000} s; its last lines:\n${
              lines.slice(-15).join("\n")
            }`,
          ),
        );
      }, timeoutMs);
      if (ended) return onEnd();
      listeners.add(check);
      endWaiters.add(onEnd);
    });
  const stop = async (graceMs = 10_000) => {
    if (!ended) {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, graceMs);
      await exited.finally(() => clearTimeout(timer));
    }
    return exited;
  };
  const process: ChildProcess = { name, pid: child.pid, lines, onLine, waitForLine, exited, stop };
  running.add(process);
  exited.finally(() => running.delete(process));
  return process;
};

/** Runs `body` with the processes it starts registered in `started`; stops every one of them afterwards. */
export const withProcesses = async <A>(
  body: (start: (p: ChildProcess) => ChildProcess) => Promise<A>,
): Promise<A> => {
  const started: Array<ChildProcess> = [];
  try {
    return await body((p) => {
      started.push(p);
      return p;
    });
  } finally {
    await Promise.all(started.map((p) => p.stop()));
  }
};
