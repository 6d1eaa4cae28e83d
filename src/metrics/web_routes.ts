// The web app's two monitoring routes, answered before any session is read (app.ts mounts them
// beside the assets): GET /metrics (Prometheus text) and GET /status.json (200 healthy, 503 not).
// Neither shows a host, a secret or a user; the sample nginx config keeps /metrics internal.
import { Effect } from "effect";
import type { Handler } from "hono";
import type { AppEnv } from "../http/context.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./prometheus.ts";
import { poolHealth, webAppMetrics } from "./web_metrics.ts";

const NO_STORE = { "Cache-Control": "no-store" };

export const metricsRoute: Handler<AppEnv> = async (c) => {
  const exit = await c.get("run")(webAppMetrics);
  if (exit._tag === "Success") {
    return c.body(exit.value, 200, { ...NO_STORE, "Content-Type": PROMETHEUS_CONTENT_TYPE });
  }
  await c.get("run")(Effect.logError("/metrics failed", exit.cause));
  return c.text("metrics unavailable (the log says why)", 500, NO_STORE);
};

export const statusJsonRoute: Handler<AppEnv> = async (c) => {
  const exit = await c.get("run")(poolHealth);
  if (exit._tag === "Success") return c.json(exit.value, exit.value.healthy ? 200 : 503, NO_STORE);
  await c.get("run")(Effect.logError("/status.json failed", exit.cause));
  return c.json({ healthy: false, reason: "the status could not be read" }, 503, NO_STORE);
};
