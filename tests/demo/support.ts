// The demo as a user runs it: a separate process (`deno task start`, or a bundled file), its
// output kept, read over HTTP and over the JSON-RPC endpoints it writes to demo.json.
import https from "node:https";
import { Effect, type Scope } from "effect";
import type { DemoFile } from "../../src/demo/demo_pool.ts";
import { makeRpcClient, type RpcClient } from "../../src/rpc/jsonrpc_client.ts";
import type { Endpoint } from "../../src/sim/network.ts";

export const REPO = new URL("../../", import.meta.url).pathname;

export const freePort = () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check` gives a value (not undefined); fails after `timeoutMs` saying `what`. */
export const eventually = async <A>(
  what: string,
  check: () => Promise<A | undefined> | A | undefined,
  timeoutMs = 120_000,
  everyMs = 200,
): Promise<A> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
};

/** A running demo process with everything it printed so far. */
export class DemoProcess {
  private out = "";
  private readonly child: Deno.ChildProcess;
  private readonly drained: Promise<void>;
  readonly startedAt = Date.now();

  constructor(command: string, args: ReadonlyArray<string>, cwd: string, readonly url: string) {
    this.child = new Deno.Command(command, {
      args: [...args],
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    const keep = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) this.out += chunk;
    };
    this.drained = Promise.all([keep(this.child.stdout), keep(this.child.stderr)]).then(() => {});
  }

  /** `deno task start` in the repository, on `datadir` and `port`. */
  static task(datadir: string, port: number, flags: ReadonlyArray<string> = []): DemoProcess {
    return new DemoProcess(
      Deno.execPath(),
      ["task", "-q", "start", "--datadir", datadir, "--listen", `127.0.0.1:${port}`, ...flags],
      REPO,
      `http://127.0.0.1:${port}`,
    );
  }

  get output(): string {
    return this.out;
  }

  /** Waits until the output matches; the match. */
  waitForOutput(pattern: RegExp, what: string, timeoutMs = 120_000): Promise<RegExpMatchArray> {
    return eventually(what, () => this.out.match(pattern) ?? undefined, timeoutMs, 100);
  }

  /** Waits until `/` answers 200; how long after the start that was, in ms. */
  async servesHome(timeoutMs = 120_000): Promise<number> {
    await eventually(
      `${this.url}/ to answer 200 (output so far:\n${this.out.slice(-3000)})`,
      async () => {
        const status = await fetch(`${this.url}/`).then(async (r) => {
          await r.body?.cancel();
          return r.status;
        }, () => 0);
        return status === 200 ? true : undefined;
      },
      timeoutMs,
      250,
    );
    return Date.now() - this.startedAt;
  }

  /** SIGINT, as Ctrl-C; the exit code. */
  async stop(): Promise<number> {
    try {
      this.child.kill("SIGINT");
    } catch {
      // Already gone.
    }
    const { code } = await this.child.status;
    await this.drained;
    return code;
  }
}

export const readDemoFile = async (datadir: string): Promise<DemoFile> =>
  JSON.parse(await Deno.readTextFile(`${datadir}/demo.json`));

/** A JSON-RPC client for one of demo.json's endpoints, pinned to its certificate. */
export const rpcClient = (
  endpoint: Endpoint,
  transport: "ws" | "post" = "post",
): Effect.Effect<RpcClient, never, Scope.Scope> =>
  Effect.flatMap(
    Effect.promise(() => Deno.readTextFile(endpoint.cert)),
    (certPem) =>
      makeRpcClient({
        url: endpoint.url,
        user: endpoint.user,
        password: endpoint.password,
        certPem,
        transport,
        timeoutMs: 60_000,
        backoff: { initialMs: 50, maxMs: 500 },
      }),
  );

/** GET over TLS pinned to a CA:TRUE certificate (which Deno's fetch refuses), e.g. a stakepoold's /metrics. */
export const httpsGet = (url: string, certPem: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = https.get(url, { ca: certPem, headers }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => body += chunk);
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on("error", reject);
  });

/** A sample's value in Prometheus text: the sum over every line of `name` whose labels include `labels`. */
export const metricValue = (text: string, name: string, labels: Record<string, string> = {}): number =>
  text.split("\n").filter((line) => {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? /.exec(line);
    return m?.[1] === name &&
      Object.entries(labels).every(([k, v]) => (m[2] ?? "").includes(`${k}="${v}"`));
  }).reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
