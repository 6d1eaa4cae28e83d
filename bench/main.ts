// `deno task bench`: every benchmark of the project's speed goals, one after another (loopback
// only, each cleaning up after itself and bounded by a deadline), one line per measurement.
import { domainBenchmarks } from "./domain_bench.ts";
import { formatMeasurement, type Measurement } from "./measurement.ts";
import { signupBenchmarks } from "./signup_bench.ts";
import { simWalletLoad } from "./sim_load_bench.ts";
import { startupSyncBenchmarks } from "./startup_sync_bench.ts";
import { voteLatencyBenchmarks } from "./vote_latency_bench.ts";

interface Benchmark {
  readonly name: string;
  readonly deadlineMs: number;
  readonly run: () => ReadonlyArray<Measurement> | Promise<ReadonlyArray<Measurement>>;
}

const BENCHMARKS: ReadonlyArray<Benchmark> = [
  { name: "hcsim wallet load", deadlineMs: 120_000, run: () => simWalletLoad() },
  { name: "domain", deadlineMs: 60_000, run: domainBenchmarks },
  { name: "vote latency", deadlineMs: 180_000, run: voteLatencyBenchmarks },
  { name: "startup sync", deadlineMs: 180_000, run: startupSyncBenchmarks },
  { name: "storage sign-ups", deadlineMs: 60_000, run: signupBenchmarks },
];

const withDeadline = <A>(ms: number, work: Promise<A>): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no result within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
};

const failed: Array<string> = [];
let measurements = 0;
const started = performance.now();
for (const b of BENCHMARKS) {
  const start = performance.now();
  try {
    for (const m of await withDeadline(b.deadlineMs, Promise.resolve().then(b.run))) {
      console.log(formatMeasurement(m));
      measurements++;
    }
  } catch (e) {
    failed.push(b.name);
    console.log(`${b.name}: FAILED after ${((performance.now() - start) / 1000).toFixed(1)} s: ${e}`);
  }
}
console.log(
  `\n${measurements} measurements from ${
    BENCHMARKS.length - failed.length
  }/${BENCHMARKS.length} benchmarks ` +
    `in ${((performance.now() - started) / 1000).toFixed(1)} s` +
    (failed.length === 0 ? "" : `; failed: ${failed.join(", ")}`),
);
// A benchmark past its deadline may still hold sockets or timers: end the process explicitly.
Deno.exit(failed.length === 0 ? 0 : 1);
