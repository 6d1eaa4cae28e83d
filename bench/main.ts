// `deno task bench`: the project's speed figures, each beside its floor measured in the same run
// and its goal (issue 15), one benchmark after another, each bounded by a deadline and stopping
// what it started. Prints a table and writes bench/results.json; the keys are stable and
// documented in README.md's Benchmarks section (the committed file is the run the README quotes).
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
  machine: { cores: number; cpu: string; memoryGiB: number; deno: string };
  /** What else ran: the 1-minute load average around the run and the other processes' CPU use during it. */
  load: { averageAtStart: number; averageAtEnd: number; otherCores: number };
  date: string;
  seconds: number;
}

/** Linux reports CPU times in USER_HZ ticks, 100 a second on every architecture Deno runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds spent by the whole machine (busy, not idle or waiting) and by this process with its reaped children. */
const cpuSeconds = async () => {
  const all = (await Deno.readTextFile("/proc/stat")).split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not work.
  const busy = all[0] + all[1] + all[2] + all[5] + all[6] + (all[7] ?? 0);
  // After the ")" closing the name: state is field 3, utime stime cutime cstime fields 14–17.
  const own = (await Deno.readTextFile("/proc/self/stat")).split(") ")[1].split(" ").slice(11, 15).map(
    Number,
  );
  return { busy: busy / TICKS_PER_SECOND, own: own.reduce((a, b) => a + b, 0) / TICKS_PER_SECOND };
};

const loadAverage = async () => Number((await Deno.readTextFile("/proc/loadavg")).split(" ")[0]);

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
    cores: navigator.hardwareConcurrency,
    cpu,
    memoryGiB: Deno.systemMemoryInfo().total / 2 ** 30,
    deno: Deno.version.deno,
  },
  load: { averageAtStart: await loadAverage(), averageAtEnd: 0, otherCores: 0 },
  date: new Date().toISOString(),
  seconds: 0,
};
const cpuAtStart = await cpuSeconds();
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
const cpuAtEnd = await cpuSeconds();
// Every child has exited and been reaped by now, so `own` holds the whole benchmark's CPU time.
results.load.otherCores = Math.max(
  0,
  (cpuAtEnd.busy - cpuAtStart.busy - (cpuAtEnd.own - cpuAtStart.own)) / results.seconds,
);
results.load.averageAtEnd = await loadAverage();
const m = results.machine;
const l = results.load;
console.log(
  `\n${m.cores} cores (${cpu}), ${m.memoryGiB.toFixed(1)} GiB, Deno ${m.deno}; ${
    results.seconds.toFixed(0)
  } s`,
);
console.log(
  `other processes used ${l.otherCores.toFixed(2)} cores on average ` +
    `(load average ${l.averageAtStart} at start, ${l.averageAtEnd} at the end)\n`,
);
printTable(rows(results));
// Three decimals are more than any of these figures can tell apart.
const rounded = (_: string, v: unknown) => typeof v === "number" ? Number(v.toFixed(3)) : v;
await Deno.writeTextFile(
  new URL("./results.json", import.meta.url),
  JSON.stringify(results, rounded, 2) + "\n",
);
console.log(
  `\nbench/results.json written${results.failed.length ? `; failed: ${results.failed.join(", ")}` : ""}`,
);
// A benchmark past its deadline may still hold sockets or timers: end the process explicitly.
Deno.exit(results.failed.length === 0 ? 0 : 1);
