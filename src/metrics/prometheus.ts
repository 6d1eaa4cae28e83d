// Effect's metric registry as Prometheus text (exposition format 0.0.4): counters, gauges,
// histograms (cumulative buckets, _sum, _count), summaries and frequencies, one family per name
// with its HELP and TYPE lines. Each program shows the metrics carrying its fiber's metric labels:
// all of them in a program of its own, one stakepoold's in the demo, which runs three in a process.
import { Effect, FiberRef, Metric, type MetricLabel, type MetricPair, MetricState } from "effect";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

type Labels = ReadonlyArray<readonly [string, string]>;

interface Family {
  readonly type: "counter" | "gauge" | "histogram" | "summary";
  readonly help: string | undefined;
  readonly samples: Array<string>;
}

/** Prometheus names: [a-zA-Z_:][a-zA-Z0-9_:]*. */
const metricName = (name: string) => name.replace(/[^a-zA-Z0-9_:]/g, "_").replace(/^([0-9])/, "_$1");
const labelName = (name: string) => name.replace(/[^a-zA-Z0-9_]/g, "_").replace(/^([0-9])/, "_$1");
const labelValue = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

const sampleValue = (n: number | bigint) =>
  typeof n === "bigint"
    ? n.toString()
    : Number.isNaN(n)
    ? "NaN"
    : n === Infinity
    ? "+Inf"
    : n === -Infinity
    ? "-Inf"
    : String(n);

const sample = (name: string, labels: Labels, value: number | bigint) =>
  `${name}${
    labels.length === 0 ? "" : `{${labels.map(([k, v]) => `${labelName(k)}="${labelValue(v)}"`).join(",")}}`
  } ${sampleValue(value)}`;

/**
 * The text of every pair whose labels include all of `only` (a program's own metrics in a
 * process that runs several, as the demo does); families sorted by name, samples in the order of their labels.
 */
export const prometheusText = (
  pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>,
  only: ReadonlyArray<MetricLabel.MetricLabel> = [],
): string => {
  const families = new Map<string, Family>();
  const family = (name: string, type: Family["type"], help: string | undefined) => {
    let f = families.get(name);
    if (f === undefined) families.set(name, f = { type, help, samples: [] });
    return f;
  };
  const labelled = pairs.map((pair) => ({
    pair,
    labels: pair.metricKey.tags.map((t) => [t.key, t.value] as const).sort(([a], [b]) => a.localeCompare(b)),
  })).sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
  for (const { pair: { metricKey: key, metricState: state }, labels } of labelled) {
    if (!only.every((o) => labels.some(([k, v]) => k === o.key && v === o.value))) continue;
    const name = metricName(key.name);
    const help = key.description._tag === "Some" ? key.description.value : undefined;
    if (MetricState.isCounterState(state)) {
      family(name, "counter", help).samples.push(sample(name, labels, state.count));
    } else if (MetricState.isGaugeState(state)) {
      family(name, "gauge", help).samples.push(sample(name, labels, state.value));
    } else if (MetricState.isHistogramState(state)) {
      const f = family(name, "histogram", help);
      for (const [bound, count] of state.buckets) {
        f.samples.push(sample(`${name}_bucket`, [...labels, ["le", sampleValue(bound)]], count));
      }
      if (!state.buckets.some(([bound]) => bound === Infinity)) {
        f.samples.push(sample(`${name}_bucket`, [...labels, ["le", "+Inf"]], state.count));
      }
      f.samples.push(sample(`${name}_sum`, labels, state.sum), sample(`${name}_count`, labels, state.count));
    } else if (MetricState.isSummaryState(state)) {
      const f = family(name, "summary", help);
      for (const [quantile, value] of state.quantiles) {
        if (value._tag === "Some") {
          f.samples.push(sample(name, [...labels, ["quantile", String(quantile)]], value.value));
        }
      }
      f.samples.push(sample(`${name}_sum`, labels, state.sum), sample(`${name}_count`, labels, state.count));
    } else if (MetricState.isFrequencyState(state)) {
      const f = family(name, "counter", help);
      for (const [value, count] of state.occurrences) {
        f.samples.push(sample(name, [...labels, ["value", value]], count));
      }
    }
  }
  return [...families.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([name, f]) => [
      ...(f.help === undefined
        ? []
        : [`# HELP ${name} ${f.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`]),
      `# TYPE ${name} ${f.type}`,
      ...f.samples,
    ])
    .map((line) => `${line}\n`)
    .join("");
};

/**
 * The registry as Prometheus text, limited to the metrics that carry this fiber's metric labels.
 * Effect's own fiber metrics (effect_fiber_*: runtime internals, 30 buckets per label set) are left out.
 */
export const scrapeMetrics: Effect.Effect<string> = Effect.gen(function* () {
  const own = yield* FiberRef.get(FiberRef.currentMetricLabels);
  const pairs = yield* Metric.snapshot;
  return prometheusText(pairs.filter((p) => !p.metricKey.name.startsWith("effect_")), own);
});
