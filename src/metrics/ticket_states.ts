// A stakepoold's tickets by state as a gauge's `state` label: stakepoold's own /metrics and the
// web app's (one series per stakepoold) name the states alike.
import { Effect, Metric } from "effect";
import type { StakepooldStatus } from "../rpc/stakepoold_protocol.ts";

/** Label value → the status count it shows. */
const STATES = [
  ["live", "liveTickets"],
  ["added_low_fee", "addedLowFeeTickets"],
  ["ignored_low_fee", "ignoredLowFeeTickets"],
] as const;

/** The end of the gauge's description. */
export const TICKET_STATES_HELP = `by state (${STATES.map(([label]) => label).join(", ")})`;

export const setTicketsByState = (
  gauge: Metric.Metric.Gauge<number>,
  status: Pick<StakepooldStatus, (typeof STATES)[number][1]>,
): Effect.Effect<void> =>
  Effect.forEach(
    STATES,
    ([label, count]) => Metric.set(Metric.tagged(gauge, "state", label), status[count]),
    {
      discard: true,
    },
  );
