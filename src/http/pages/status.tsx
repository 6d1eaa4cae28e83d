// /status (admins only; behaviour §2.3): the pool's wallets, stakepoolds and wallet manager —
// answered with 500 while wallet commands are stopped, as the original did, so a monitor sees it.
// POST action=resume: "resume after check".
import { Effect } from "effect";
import { rejected } from "../../accounts/errors.ts";
import { poolStatus, resumeWallets } from "../../pool/status.ts";
import { AdminStatusView } from "../../../templates/status.tsx";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";

export default page({
  path: "/status",
  access: "admin",
  get: (c) =>
    runPage(c, poolStatus, (status) =>
      render(
        c,
        { title: "Status", status: status.wallets.stopped === undefined ? 200 : 500 },
        <AdminStatusView
          csrf={c.get("session").csrfToken()}
          status={status}
          stakepooldsEnabled={c.get("settings").config.enableStakepoold}
        />,
      )),
  post: (c) =>
    runPage(
      c,
      c.get("form").get("action") === "resume"
        ? resumeWallets({ admin: c.get("user")!, ip: c.get("ip") }).pipe(
          Effect.catchTag("ResumeRefused", (e) => Effect.fail(rejected(e.message))),
        )
        : Effect.fail(rejected("invalid or unknown form action type")),
      (wasStopped) => {
        c.get("session").flash(
          wasStopped ? "success" : "info",
          wasStopped
            ? "The checks passed: wallet commands are running again."
            : "Wallet commands were not stopped.",
        );
        return c.redirect("/status", 303);
      },
    ),
});
