// The Prometheus text of Effect's metrics: each type's lines, labels escaped and sorted, histogram
// buckets cumulative and in order, and a program's view limited to its own metric labels.
import assert from "node:assert/strict";
import { Effect, Metric, MetricBoundaries, MetricLabel } from "effect";
import { prometheusText, scrapeMetrics } from "../../src/metrics/prometheus.ts";

const linesOf = (text: string, name: string) => text.split("\n").filter((l) => l.startsWith(name));

Deno.test("counters, gauges and histograms in Prometheus text", async () => {
  const requests = Metric.counter("test_prom_requests_total", { description: "requests\nby route" });
  const depth = Metric.gauge("test_prom_depth");
  const latency = Metric.histogram(
    "test_prom_latency",
    MetricBoundaries.fromIterable([0.1, 1, 10]),
    "latency",
  );
  const text = await Effect.runPromise(Effect.gen(function* () {
    yield* Metric.increment(Metric.tagged(requests, "route", '/a"b\\c'));
    yield* Metric.incrementBy(Metric.tagged(requests, "route", "/x"), 2);
    yield* Metric.set(depth, 7);
    for (const v of [0.05, 0.5, 0.5, 5, 50]) yield* Metric.update(latency, v);
    return prometheusText(yield* Metric.snapshot);
  }));
  assert.ok(text.includes("# HELP test_prom_requests_total requests\\nby route\n"), "HELP escapes newlines");
  assert.ok(text.includes("# TYPE test_prom_requests_total counter\n"));
  assert.deepEqual(linesOf(text, "test_prom_requests_total{"), [
    'test_prom_requests_total{route="/a\\"b\\\\c"} 1',
    'test_prom_requests_total{route="/x"} 2',
  ]);
  assert.deepEqual(linesOf(text, "test_prom_depth"), ["test_prom_depth 7"]);
  assert.ok(text.includes("# TYPE test_prom_latency histogram\n"));
  assert.deepEqual(linesOf(text, "test_prom_latency"), [
    'test_prom_latency_bucket{le="0.1"} 1',
    'test_prom_latency_bucket{le="1"} 3',
    'test_prom_latency_bucket{le="10"} 4',
    'test_prom_latency_bucket{le="+Inf"} 5',
    "test_prom_latency_sum 56.05",
    "test_prom_latency_count 5",
  ]);
  // One family per name: the TYPE line once, right after its HELP.
  assert.equal(text.split("# TYPE test_prom_requests_total").length, 2);
});

Deno.test("a program sees only the metrics carrying its own metric labels", async () => {
  const votes = Metric.counter("test_prom_votes_total");
  const [first, second, everything] = await Effect.runPromise(Effect.gen(function* () {
    yield* Metric.increment(votes).pipe(Effect.tagMetrics("stakepoold", "0"));
    yield* Metric.incrementBy(votes, 3).pipe(Effect.tagMetrics("stakepoold", "1"));
    return yield* Effect.all([
      scrapeMetrics.pipe(Effect.tagMetrics("stakepoold", "0")),
      scrapeMetrics.pipe(Effect.tagMetrics("stakepoold", "1")),
      scrapeMetrics,
    ]);
  }));
  assert.deepEqual(linesOf(first, "test_prom_votes_total{"), ['test_prom_votes_total{stakepoold="0"} 1']);
  assert.deepEqual(linesOf(second, "test_prom_votes_total{"), ['test_prom_votes_total{stakepoold="1"} 3']);
  assert.equal(linesOf(everything, "test_prom_votes_total{").length, 2, "a program of its own sees all");
  assert.equal(
    prometheusText([], [MetricLabel.make("stakepoold", "0")]),
    "",
    "nothing to show is an empty text",
  );
});
