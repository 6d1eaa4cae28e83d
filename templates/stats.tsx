// The Stats page (behaviour §7.9): the network's and the pool's ticket figures from getstakeinfo,
// the user counts and the pool's terms, with the original's three charts (pool votes, pool
// tickets, the pool's share of the network's live tickets) drawn as SVG.
import type { FC } from "hono/jsx";
import type { PoolStats } from "../src/pool/stats.ts";
import { DonutChart, formatPercent } from "./charts.tsx";
import { type Fact, FactList, PoolStyles } from "./pool_components.tsx";
import { formatCoins as coins, formatCount as n } from "./numbers.ts";

export const StatsView: FC<{ stats: PoolStats }> = ({ stats: s }) => {
  const network: ReadonlyArray<Fact> = [
    { label: "Network", value: s.Network },
    { label: "Block height", value: n(s.BlockHeight) },
    { label: "Ticket price", value: coins(s.Difficulty) },
    { label: "Live tickets (network)", value: n(s.PoolSize) },
    { label: "Tickets in the mempool", value: n(s.AllMempoolTix) },
  ];
  const pool: ReadonlyArray<Fact> = [
    { label: "Immature", value: n(s.Immature) },
    { label: "Live", value: n(s.Live) },
    { label: "Voted", value: n(s.Voted) },
    { label: "Missed", value: n(s.Missed) },
    { label: "Expired", value: n(s.Expired) },
    { label: "Revoked", value: n(s.Revoked) },
    { label: "Pool tickets in the mempool", value: n(s.OwnMempoolTix) },
    { label: "Share of the network's live tickets", value: formatPercent(s.ProportionLive * 100) },
    { label: "Missed (share)", value: formatPercent(s.ProportionMissed * 100) },
    { label: "Vote rewards earned", value: coins(s.TotalSubsidy) },
  ];
  const terms: ReadonlyArray<Fact> = [
    { label: "Pool fee", value: `${s.PoolFees}%` },
    { label: "Pool status", value: s.PoolStatus },
    { label: "Users", value: n(s.UserCount) },
    { label: "Users with a ticket address", value: n(s.UserCountActive) },
    { label: "Contact", value: <a href={`mailto:${s.PoolEmail}`}>{s.PoolEmail}</a> },
  ];
  return (
    <>
      <PoolStyles />
      <h1 class="page-title">Pool Statistics</h1>
      <section class="charts" aria-label="Charts">
        <DonutChart
          id="chart-votes"
          title="Pool Votes"
          slices={[{ label: "Voted", value: s.Voted, tone: "a" }, {
            label: "Missed",
            value: s.Missed,
            tone: "c",
          }]}
        />
        <DonutChart
          id="chart-tickets"
          title="Pool Tickets"
          slices={[{ label: "Live", value: s.Live, tone: "a" }, {
            label: "Immature",
            value: s.Immature,
            tone: "b",
          }]}
        />
        <DonutChart
          id="chart-share"
          title="Stakepool vs Network Proportion"
          slices={[
            { label: "This pool", value: s.Live, tone: "a" },
            { label: "Rest of the network", value: Math.max(0, s.PoolSize - s.Live), tone: "b" },
          ]}
        />
      </section>
      <div class="grid grid-3">
        <section class="card">
          <h2>Network</h2>
          <FactList facts={network} />
        </section>
        <section class="card">
          <h2>Pool tickets</h2>
          <FactList facts={pool} />
        </section>
        <section class="card">
          <h2>Pool</h2>
          <FactList facts={terms} />
        </section>
      </div>
    </>
  );
};
