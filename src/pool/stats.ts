// The pool's figures (behaviour §7.9), for the /stats page and the API's `stats` command: the
// voting wallets' getstakeinfo (compared across wallets and cached 5 minutes by VotingWallets, as
// the original cached it), the user counts (cached a few seconds by UserCounts), and what the
// configuration says. Field names are the
// API's Go-cased ones, so both edges show the same record.
import { Effect } from "effect";
import { PoolSettings } from "../accounts/pool_settings.ts";
import { VotingWallets } from "../wallets/voting_wallets.ts";
import { UserCounts } from "./user_counts.ts";

export interface PoolStats {
  readonly AllMempoolTix: number;
  readonly BlockHeight: number;
  /** The next ticket price, coins. */
  readonly Difficulty: number;
  readonly Expired: number;
  readonly Immature: number;
  readonly Live: number;
  readonly Missed: number;
  readonly OwnMempoolTix: number;
  /** The network's live ticket pool. */
  readonly PoolSize: number;
  /** The pool's live tickets as a share of the network's. */
  readonly ProportionLive: number;
  readonly ProportionMissed: number;
  readonly Revoked: number;
  /** Coins earned by the pool's votes. */
  readonly TotalSubsidy: number;
  readonly Voted: number;
  /** The network's name as the original shows it (e.g. "testnet2"). */
  readonly Network: string;
  readonly PoolEmail: string;
  /** Percent. */
  readonly PoolFees: number;
  readonly PoolStatus: "Open" | "Closed";
  readonly UserCount: number;
  /** Users with a ticket address. */
  readonly UserCountActive: number;
}

export const poolStats = Effect.gen(function* () {
  const { config, net } = yield* PoolSettings;
  const info = yield* Effect.flatMap(VotingWallets, (vw) => vw.stakeInfo);
  const counts = yield* Effect.flatMap(UserCounts, (c) => c.get);
  return {
    AllMempoolTix: info.allmempooltix,
    BlockHeight: info.blockheight,
    Difficulty: info.difficulty,
    Expired: info.expired,
    Immature: info.immature,
    Live: info.live,
    Missed: info.missed,
    OwnMempoolTix: info.ownmempooltix,
    PoolSize: info.poolsize,
    ProportionLive: info.proportionlive,
    ProportionMissed: info.proportionmissed,
    Revoked: info.revoked,
    TotalSubsidy: info.totalsubsidy,
    Voted: info.voted,
    Network: net.name,
    PoolEmail: config.poolEmail,
    PoolFees: config.poolFees,
    PoolStatus: config.closePool ? "Closed" : "Open",
    UserCount: counts.users,
    UserCountActive: counts.active,
  } satisfies PoolStats;
  // No span of its own: a span costs some 7 µs of context bookkeeping per call, more than the
  // rest of a cached /stats answer, and the wallets' call below it has one.
});
