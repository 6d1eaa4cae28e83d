// /error?r=<path>&rl=1: the original's generic error page (reverse proxies send rate-limited
// requests here with rl=1). `r` becomes a "re-try" link only when it is a path on this site.
import { Effect, Option } from "effect";
import { MAINTENANCE_TEXT, StatusView } from "../../../templates/error.tsx";
import { VotingWallets } from "../../wallets/voting_wallets.ts";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";

const sameSitePath = (r: string | undefined) => (r !== undefined && /^\/(?![/\\])/.test(r) ? r : undefined);

export default page({
  path: "/error",
  access: "public",
  get: (c) => {
    const retry = sameSitePath(c.req.query("r"));
    if (c.req.query("rl")) {
      return render(
        c,
        { title: "Rate Limited", status: 429 },
        <StatusView
          title="Rate Limited"
          message="Too many requests came from your address. Please wait a minute and try again."
          retry={retry}
        />,
      );
    }
    return runPage(c, Effect.flatMap(VotingWallets, (vw) => vw.stopped), (stopped) =>
      render(
        c,
        { title: "Error" },
        Option.isSome(stopped)
          ? <StatusView title="Error" message={MAINTENANCE_TEXT} retry={retry} />
          : (
            <StatusView
              title="Temporary Error"
              message="The stake pool could not finish your request just now. This is usually temporary."
              retry={retry}
            />
          ),
      ));
  },
});
