// `deno task bench`: the project's speed figures, each beside its floor measured in the same run
// and its goal (issue 15), one benchmark after another, each bounded by a deadline and stopping
// what it started. Prints a table and writes bench/results.json (not committed).
import { stopAllProcesses } from "../tests/faults/processes.ts";
import { startupSyncBenchmarks, type SyncFigures } from "./startup_sync_bench.ts";
import { type VoteLatency, voteLatencyBenchmark } from "./vote_latency_bench.ts";
import { webBenchmarks, type WebFigures } from "./web_bench.ts";

interface Results {
  voteLatency?: VoteLatency;
  ticketsPage?: WebFigures["ticketsPage"];
  statsThroughput?: WebFigures["statsThroughput"];
  homeThroughput?: WebFigures["homeThroughput"];
  signup?: WebFigures["signup"];
  sync?: SyncFigures;
  failed: Array<string>;
  machine: { nproc: number; cpu: string; deno: string; loadAverage: string };
  seconds: number;
}

interface Row {
  readonly figure: string;
  readonly value: string;
  readonly floor: string;
  readonly goal: string;
  readonly met: boolean | undefined;
}

const BENCHMARKS: ReadonlyArray<{
  readonly name: string;
  readonly deadlineMs: number;
  readonly run: (results: Results) => Promise<void>;
}> = [
  {
    name: "vote latency",
    deadlineMs: 420_000,
    run: async (r) => {
      r.voteLatency = await voteLatencyBenchmark();
    },
  },
  {
    name: "pages and sign-up",
    deadlineMs: 240_000,
    run: async (r) => {
      const w = await webBenchmarks();
      r.ticketsPage = w.ticketsPage;
      r.statsThroughput = w.statsThroughput;
      r.homeThroughput = w.homeThroughput;
      r.signup = w.signup;
    },
  },
  {
    name: "startup sync",
    deadlineMs: 180_000,
    run: async (r) => {
      r.sync = await startupSyncBenchmarks();
    },
  },
];

const withDeadline = <A>(ms: number, work: Promise<A>): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
};

const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;
const rps = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)}/s`;

const rows = (r: Results): ReadonlyArray<Row> => {
  const out: Array<Row> = [];
  const v = r.voteLatency;
  if (v) {
    const what = `${v.users} users, ${v.liveTickets} live tickets, ${v.samples} node-blocks`;
    out.push(
      {
        figure: `vote latency p50 (${what})`,
        value: ms(v.p50Ms),
        floor: ms(v.floorP50Ms),
        goal: "",
        met: undefined,
      },
      {
        figure: "vote latency p99",
        value: ms(v.p99Ms),
        floor: ms(v.floorP99Ms),
        goal: "p99 ≤ 1.2 × floor",
        met: v.ratioP99 <= 1.2,
      },
      {
        figure: "vote latency p99 / floor p99",
        value: v.ratioP99.toFixed(2),
        floor: "1",
        goal: "≤ 1.2",
        met: v.ratioP99 <= 1.2,
      },
      {
        figure: `votes failed (of ${v.votes})`,
        value: String(v.failedVotes),
        floor: "",
        goal: "0",
        met: v.failedVotes === 0,
      },
      {
        figure: "stakepoolds admitting the setup's tickets (3 at once)",
        value: `${v.stakepooldReadySeconds.toFixed(1)} s`,
        floor: "",
        goal: "",
        met: undefined,
      },
    );
  }
  const t = r.ticketsPage;
  if (t) {
    out.push(
      {
        figure: `/tickets p50 (${t.tickets} tickets, ${t.requests} views)`,
        value: ms(t.p50Ms),
        floor: "",
        goal: "",
        met: undefined,
      },
      {
        figure: "/tickets p99",
        value: ms(t.p99Ms),
        floor: "original: 39 s",
        goal: "< 100 ms",
        met: t.p99Ms < 100,
      },
      {
        figure: "/tickets first view (3 wallet reads)",
        value: ms(t.firstViewMs),
        floor: "",
        goal: "",
        met: undefined,
      },
    );
  }
  for (const [name, x] of [["/", r.homeThroughput], ["/stats", r.statsThroughput]] as const) {
    if (x) {
      out.push({
        figure: `${name} requests/s (bare Hono, same bytes = floor)`,
        value: rps(x.rps),
        floor: rps(x.bareRps),
        goal: "≥ 0.5 × bare",
        met: x.ratio >= 0.5,
      });
    }
  }
  const s = r.signup;
  if (s) {
    out.push({
      figure: `sign-ups/s at bcrypt cost ${s.bcryptCost} (floor: bare hashes/s)`,
      value: rps(s.rps),
      floor: rps(s.bareHashRps),
      goal: "bounded by the hash",
      met: s.rps >= 0.8 * s.bareHashRps,
    });
  }
  const y = r.sync;
  if (y) {
    y.users.forEach((n, i) =>
      out.push({
        figure: `startup sync, ${n} users × 3 wallets`,
        value: `${y.seconds[i].toFixed(1)} s (${y.msPerUser[i].toFixed(2)} ms/user)`,
        floor: "",
        goal: "ms/user flat",
        met: i === 0 ? undefined : y.msPerUser[i] <= 1.5 * y.msPerUser[0],
      })
    );
  }
  return out;
};

const printTable = (table: ReadonlyArray<Row>) => {
  const header: Row = { figure: "figure", value: "value", floor: "floor", goal: "goal", met: undefined };
  const widths = (["figure", "value", "floor", "goal"] as const).map((k) =>
    Math.max(...[header, ...table].map((row) => row[k].length))
  );
  const line = (row: Row, met: string) =>
    [row.figure, row.value, row.floor, row.goal].map((c, i) => c.padEnd(widths[i])).join("  ") + `  ${met}`;
  console.log(line(header, "met"));
  for (const row of table) console.log(line(row, row.met === undefined ? "" : row.met ? "yes" : "NO"));
};

const cpu = (await Deno.readTextFile("/proc/cpuinfo")).match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown";
const results: Results = {
  failed: [],
  machine: {
    nproc: navigator.hardwareConcurrency,
    cpu,
    deno: Deno.version.deno,
    loadAverage: (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" "),
  },
  seconds: 0,
};
const started = performance.now();
for (const b of BENCHMARKS) {
  const start = performance.now();
  console.log(`${b.name} …`);
  try {
    await withDeadline(b.deadlineMs, b.run(results));
    console.log(`${b.name}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
  } catch (e) {
    results.failed.push(b.name);
    console.log(`${b.name}: FAILED after ${((performance.now() - start) / 1000).toFixed(1)} s: ${e}`);
    // Past its deadline it is still running: its processes must not weigh on the next one.
    await stopAllProcesses();
  }
}
results.seconds = (performance.now() - started) / 1000;
console.log(
  `\n${results.machine.nproc} cores (${cpu}), Deno ${Deno.version.deno}, load average at start ${results.machine.loadAverage}; ` +
    `${results.seconds.toFixed(0)} s\n`,
);
printTable(rows(results));
await Deno.writeTextFile(new URL("./results.json", import.meta.url), JSON.stringify(results, null, 2) + "\n");
console.log(
  `\nbench/results.json written${results.failed.length ? `; failed: ${results.failed.join(", ")}` : ""}`,
);
// A benchmark past its deadline may still hold sockets or timers: end the process explicitly.
Deno.exit(results.failed.length === 0 ? 0 : 1);
