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

export const httpMetrics: MiddlewareHandler = async (c, next) => {
  const started = performance.now();
  try {
    await next();
  } finally {
    const pattern = routePath(c, c.req.routeIndex);
    const route = pattern === "*" || pattern === "/*" ? "unmatched" : pattern;
    const labels = [MetricLabel.make("route", route), MetricLabel.make("method", c.req.method)];
    duration.unsafeUpdate((performance.now() - started) / 1000, labels);
    requests.unsafeUpdate(1, [...labels, MetricLabel.make("status", String(c.res.status))]);
  }
};
