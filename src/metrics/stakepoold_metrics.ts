// stakepoold's /metrics (on its control API, behind the same secret): the votes by outcome and the
// vote latency the voter counts as it votes, the hcd/hcwallet RPC calls, and, read when scraped,
// the ticket set by state, the users whose preferences are loaded, the connections, the database
// and the background loops.
import { Effect, Metric } from "effect";
import type { LocalNode } from "../stakepoold/local_node.ts";
import { stakepooldStatus } from "../stakepoold/status.ts";
import type { TicketKeeper } from "../stakepoold/ticket_keeper.ts";
import type { Voter } from "../stakepoold/voter.ts";
import type { VotingPrefs } from "../stakepoold/voting_prefs.ts";
import type { Supervisor } from "../runtime/supervisor.ts";
import { scrapeMetrics } from "./prometheus.ts";
import { setTicketsByState, TICKET_STATES_HELP } from "./ticket_states.ts";

const tickets = Metric.gauge("stakepoold_tickets", {
  description: `pool tickets held, ${TICKET_STATES_HELP}`,
});
const userConfigs = Metric.gauge("stakepoold_user_voting_configs", {
  description: "users whose voting preferences are loaded",
});
const connected = Metric.gauge("stakepoold_connected", {
  description: "1 while the connection to hcd or hcwallet is up",
});
const bestBlock = Metric.gauge("stakepoold_best_block_height", {
  description: "height of the last block hcd announced or the ticket set was rebuilt at",
});
const databaseAnswering = Metric.gauge("stakepoold_database_answering", {
  description: "1 when the database answered the last read of users and low-fee tickets",
});
const loopRestarts = Metric.gauge("stakepoold_loop_restarts", {
  description: "restarts of a background loop since start",
});

export const stakepooldMetrics: Effect.Effect<
  string,
  never,
  TicketKeeper | Voter | VotingPrefs | LocalNode | Supervisor
> = Effect.gen(function* () {
  const s = yield* stakepooldStatus;
  yield* setTicketsByState(tickets, s);
  yield* Metric.set(userConfigs, s.userVotingConfigs);
  yield* Metric.set(Metric.tagged(connected, "peer", "hcd"), s.hcdConnected ? 1 : 0);
  yield* Metric.set(Metric.tagged(connected, "peer", "hcwallet"), s.walletConnected ? 1 : 0);
  if (s.bestBlockHeight !== undefined) yield* Metric.set(bestBlock, s.bestBlockHeight);
  yield* Metric.set(databaseAnswering, s.database === "answering" ? 1 : 0);
  for (const loop of s.loops) {
    yield* Metric.set(Metric.tagged(loopRestarts, "loop", loop.name), loop.restarts);
  }
  return yield* scrapeMetrics;
}).pipe(Effect.withSpan("stakepooldMetrics"));
