// The web app's /metrics and /status.json. Besides the counters kept as things happen (requests,
// RPC calls), /metrics reads the pool's state when it is scraped: the wallet manager and each
// voting wallet, each stakepoold's tickets by state as its control API reports them, and the
// users. /status.json is for monitors: 200 while the wallet manager takes commands with at least
// minservers usable wallets, else 503, with the reason.
import { Duration, Effect, Either, Metric, Option } from "effect";
import { Users } from "../storage/users.ts";
import { StakepooldWatch } from "../tickets/stakepoold_watch.ts";
import { VotingWallets, type VotingWalletsStatus } from "../wallets/voting_wallets.ts";
import { scrapeMetrics } from "./prometheus.ts";
import { setTicketsByState, TICKET_STATES_HELP } from "./ticket_states.ts";

/** A scrape or a monitor's poll answers within this even when a wallet does not. */
const STATUS_TIMEOUT = Duration.seconds(10);

const walletManagerRunning = Metric.gauge("hcpool_wallet_manager_running", {
  description: "1 while the wallet manager takes commands, 0 while it is stopped (see /status)",
});
const walletsUsable = Metric.gauge("hcpool_wallets_usable", {
  description: "voting wallets connected, on the pool's network, daemon connected and unlocked",
});
const walletsConfigured = Metric.gauge("hcpool_wallets_configured", {
  description: "voting wallets configured",
});
const walletsMinimum = Metric.gauge("hcpool_wallets_minservers", {
  description: "minservers: fewer usable wallets make the pool unavailable",
});
const walletConnected = Metric.gauge("hcpool_wallet_connected", {
  description: "1 when the voting wallet answered walletinfo at the last scrape",
});
const stakepooldUp = Metric.gauge("hcpool_stakepoold_up", {
  description: "1 when the stakepoold's control API answered status at the last scrape",
});
const stakepooldTickets = Metric.gauge("hcpool_stakepoold_tickets", {
  description: `tickets a stakepoold holds, ${TICKET_STATES_HELP}`,
});
const users = Metric.gauge("hcpool_users", { description: "user accounts" });

export interface PoolHealth {
  readonly healthy: boolean;
  readonly reason?: string;
  readonly walletManager: "running" | "stopped";
  readonly wallets: { readonly usable: number; readonly configured: number; readonly minServers: number };
}

/** Healthy: wallet commands not stopped and at least minservers usable wallets. */
export const healthOf = (status: VotingWalletsStatus): PoolHealth => {
  const wallets = { usable: status.usable, configured: status.total, minServers: status.minServers };
  if (status.stopped !== undefined) {
    return {
      healthy: false,
      reason: `wallet commands stopped since ${status.stopped.since.toISOString()}: ${status.stopped.reason}`,
      walletManager: "stopped",
      wallets,
    };
  }
  if (status.usable < status.minServers) {
    return {
      healthy: false,
      reason: `${status.usable} usable voting wallets, fewer than minservers (${status.minServers})`,
      walletManager: "running",
      wallets,
    };
  }
  return { healthy: true, walletManager: "running", wallets };
};

const walletsStatus = Effect.flatMap(VotingWallets, (vw) => vw.status).pipe(
  Effect.timeoutFail({
    duration: STATUS_TIMEOUT,
    onTimeout: () => `the voting wallets' status took longer than ${Duration.format(STATUS_TIMEOUT)}`,
  }),
);

/** What /status.json answers, and with which status code. */
export const poolHealth: Effect.Effect<PoolHealth, never, VotingWallets> = walletsStatus.pipe(
  Effect.map(healthOf),
  Effect.catchAll((reason) =>
    Effect.succeed<PoolHealth>({
      healthy: false,
      reason,
      walletManager: "running",
      wallets: { usable: 0, configured: 0, minServers: 0 },
    })
  ),
  Effect.withSpan("poolHealth"),
);

const setGauges = Effect.gen(function* () {
  const status = yield* Effect.either(walletsStatus);
  if (Either.isRight(status)) {
    const s = status.right;
    yield* Metric.set(walletManagerRunning, s.stopped === undefined ? 1 : 0);
    yield* Metric.set(walletsUsable, s.usable);
    yield* Metric.set(walletsConfigured, s.total);
    yield* Metric.set(walletsMinimum, s.minServers);
    for (const w of s.wallets) {
      yield* Metric.set(Metric.tagged(walletConnected, "wallet", w.name), w.connected ? 1 : 0);
    }
  } else {
    yield* Effect.logWarning(`metrics: ${status.left}`);
  }
  for (const report of yield* Effect.flatMap(StakepooldWatch, (w) => w.reports)) {
    const host = report.feed.host;
    yield* Metric.set(Metric.tagged(stakepooldUp, "stakepoold", host), Either.isRight(report.status) ? 1 : 0);
    if (Either.isRight(report.status)) {
      yield* setTicketsByState(Metric.tagged(stakepooldTickets, "stakepoold", host), report.status.right);
    }
  }
  const userCount = yield* Effect.option(Effect.flatMap(Users, (u) => u.count));
  if (Option.isSome(userCount)) yield* Metric.set(users, userCount.value);
});

/** /metrics of the web app. */
export const webAppMetrics: Effect.Effect<string, never, VotingWallets | StakepooldWatch | Users> = Effect
  .zipRight(setGauges, scrapeMetrics).pipe(Effect.withSpan("webAppMetrics"));
