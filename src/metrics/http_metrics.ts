// The web app's requests by route, method and status, and how long each took to answer: one Hono
// middleware, first in app.ts. The route is the pattern that answered ("/api/v1/:command" or
// "/tickets", never the path with its ids), so the label set stays small; a request no route took
// is "unmatched".
import { Metric, MetricBoundaries, MetricLabel } from "effect";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";

const requests = Metric.counter("hcpool_http_requests_total", {
  description: "HTTP requests answered, by route pattern, method and status",
});
const duration = Metric.histogram(
  "hcpool_http_request_duration_seconds",
  MetricBoundaries.exponential({ start: 0.001, factor: 2, count: 14 }),
  "time to answer an HTTP request (to the response headers), by route pattern and method",
);

interface RouteLabels {
  readonly labels: ReadonlyArray<MetricLabel.MetricLabel>;
  readonly byStatus: Map<number, ReadonlyArray<MetricLabel.MetricLabel>>;
}

// Label arrays made once per route, method and status: Effect finds a metric's hook by the
// array's identity, so a request costs map lookups instead of new labels and a registry search.
const byRoute = new Map<string, Map<string, RouteLabels>>();

const routeLabels = (pattern: string, method: string): RouteLabels => {
  let methods = byRoute.get(pattern);
  if (methods === undefined) byRoute.set(pattern, methods = new Map());
  let found = methods.get(method);
  if (found === undefined) {
    const route = pattern === "*" || pattern === "/*" ? "unmatched" : pattern;
    const labels = [MetricLabel.make("route", route), MetricLabel.make("method", method)];
    methods.set(method, found = { labels, byStatus: new Map() });
  }
  return found;
};

const statusLabels = (route: RouteLabels, status: number) => {
  let labels = route.byStatus.get(status);
  if (labels === undefined) {
    route.byStatus.set(status, labels = [...route.labels, MetricLabel.make("status", String(status))]);
  }
  return labels;
};

export const httpMetrics: MiddlewareHandler = async (c, next) => {
  const started = performance.now();
  try {
    await next();
  } finally {
    const route = routeLabels(routePath(c, c.req.routeIndex), c.req.method);
    duration.unsafeUpdate((performance.now() - started) / 1000, route.labels);
    requests.unsafeUpdate(1, statusLabels(route, c.res.status));
  }
};
