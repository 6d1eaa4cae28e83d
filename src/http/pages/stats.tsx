// /stats (behaviour §7.9): everyone may look. While wallet commands are stopped: the maintenance
// page; wallets that answer differently or with an error: the error page with a retry link, as
// the original sent it to /error?r=/stats.
import { Effect, Option } from "effect";
import { poolStats } from "../../pool/stats.ts";
import { StatsView } from "../../../templates/stats.tsx";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { memoView, render } from "../render.tsx";

export default page({
  path: "/stats",
  access: "public",
  get: (c) =>
    runPage(
      c,
      poolStats.pipe(
        Effect.asSome,
        Effect.catchTags({
          // VotingWallets has logged the disagreement; the page just cannot show one answer.
          StakeInfoMismatch: () => Effect.succeedNone,
          WalletCallFailed: (e) =>
            Effect.zipRight(Effect.logWarning(`stats: ${e.message}`), Effect.succeedNone),
        }),
      ),
      (stats) =>
        Option.isNone(stats)
          ? c.redirect("/error?r=/stats", 303)
          : render(c, { title: "Stats" }, memoView(StatsView, { stats: stats.value })),
    ),
});
