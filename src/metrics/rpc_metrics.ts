// Latency and errors of the calls both programs make to hcd, hcwallet and the stakepoolds, taken
// from the spans the clients already open ("RpcClient.call" with its rpc and method,
// "StakepooldControlClient.call" with its host and path): a tracer in front of the current one
// times each such span when it ends. The clients stay free of metrics code.
import {
  Cause,
  Effect,
  Fiber,
  FiberRef,
  Layer,
  Metric,
  MetricBoundaries,
  MetricLabel,
  Option,
  Tracer,
} from "effect";

/** Seconds, 1 ms to about 33 s. */
const LATENCY_BOUNDARIES = MetricBoundaries.exponential({ start: 0.001, factor: 2, count: 16 });

const rpcDuration = Metric.histogram(
  "hcpool_rpc_call_duration_seconds",
  LATENCY_BOUNDARIES,
  "hcd and hcwallet JSON-RPC calls, request to answer (answered errors included)",
);
const rpcErrors = Metric.counter("hcpool_rpc_call_errors_total", {
  description:
    "hcd and hcwallet JSON-RPC calls that failed, by kind: answered (an RPC error), transport, timeout",
});
const controlDuration = Metric.histogram(
  "hcpool_stakepoold_call_duration_seconds",
  LATENCY_BOUNDARIES,
  "the web app's stakepoold control API calls",
);
const controlErrors = Metric.counter("hcpool_stakepoold_call_errors_total", {
  description: "stakepoold control API calls that failed, by error",
});

/** What each measured span is recorded as: its labels from the span's attributes. */
const MEASURED: Readonly<
  Record<string, {
    readonly duration: typeof rpcDuration;
    readonly errors: typeof rpcErrors;
    readonly labels: ReadonlyArray<readonly [label: string, attribute: string]>;
  }>
> = {
  "RpcClient.call": {
    duration: rpcDuration,
    errors: rpcErrors,
    labels: [["rpc", "rpc"], ["method", "method"]],
  },
  "StakepooldControlClient.call": {
    duration: controlDuration,
    errors: controlErrors,
    labels: [["stakepoold", "host"], ["path", "path"]],
  },
};

const ERROR_KINDS: Readonly<Record<string, string>> = {
  RpcCallError: "answered",
  RpcTransportError: "transport",
  RpcTimeout: "timeout",
};

const errorKind = (exit: Parameters<Tracer.Span["end"]>[1]): string | undefined => {
  if (exit._tag === "Success") return undefined;
  if (Cause.isInterruptedOnly(exit.cause)) return "interrupted";
  const failure = Cause.failureOption(exit.cause);
  if (Option.isNone(failure)) return "defect";
  const tag = (failure.value as { readonly _tag?: unknown })._tag;
  return typeof tag === "string" ? ERROR_KINDS[tag] ?? tag : "failure";
};

/** The metric labels of the fiber opening the span (a demo stakepoold's own, say). */
const fiberLabels = (): ReadonlyArray<MetricLabel.MetricLabel> =>
  Option.match(Fiber.getCurrentFiber(), {
    onNone: () => [],
    onSome: (fiber) => fiber.getFiberRef(FiberRef.currentMetricLabels),
  });

const measured = (span: Tracer.Span, spec: (typeof MEASURED)[string]): Tracer.Span => {
  const inherited = fiberLabels();
  // Everything but `end` is the span's own (status, attributes, events stay on it).
  const wrapper: Tracer.Span = Object.create(span);
  Object.defineProperty(wrapper, "end", {
    value: (endTime: bigint, exit: Parameters<Tracer.Span["end"]>[1]) => {
      span.end(endTime, exit);
      const labels = [
        ...inherited,
        ...spec.labels.map(([label, attribute]) =>
          MetricLabel.make(label, String(span.attributes.get(attribute) ?? ""))
        ),
      ];
      const kind = errorKind(exit);
      if (kind === "interrupted") return;
      spec.duration.unsafeUpdate(Number(endTime - span.status.startTime) / 1e9, labels);
      if (kind !== undefined) spec.errors.unsafeUpdate(1, [...labels, MetricLabel.make("kind", kind)]);
    },
  });
  return wrapper;
};

/** Puts the measuring tracer in front of the current one, for everything run with this layer. */
export const rpcMetricsLayer: Layer.Layer<never> = Layer.unwrapEffect(
  Effect.map(Effect.tracer, (base) =>
    Layer.setTracer(Tracer.make({
      span: (name, parent, context, links, startTime, kind, options) => {
        const span = base.span(name, parent, context, links, startTime, kind, options);
        const spec = MEASURED[name];
        return spec === undefined ? span : measured(span, spec);
      },
      context: (f, fiber) => base.context(f, fiber),
    }))),
);
