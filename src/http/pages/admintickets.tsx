// /admintickets (admins only; behaviour §2.3): add ignored low-fee tickets, remove added ones.
// Every outcome is flashed and the admin is sent back to the page, as the original did.
import { Effect } from "effect";
import { rejected } from "../../accounts/errors.ts";
import { addLowFeeTickets, lowFeeTicketLists, removeLowFeeTickets } from "../../pool/low_fee_admin.ts";
import { AdminTicketsView } from "../../../templates/admin_tickets.tsx";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";

export default page({
  path: "/admintickets",
  access: "admin",
  get: (c) =>
    runPage(c, lowFeeTicketLists, (lists) =>
      render(
        c,
        { title: "Add Low Fee Tickets" },
        <AdminTicketsView csrf={c.get("session").csrfToken()} {...lists} />,
      )),
  post: (c) => {
    const change = { admin: c.get("user")!, ip: c.get("ip"), hashes: c.get("form").getAll("tickets[]") };
    const action = c.get("form").get("action");
    return runPage(
      c,
      action === "Add"
        ? addLowFeeTickets(change)
        : action === "Remove"
        ? removeLowFeeTickets(change)
        : Effect.fail(rejected("invalid or unknown form action type")),
      ({ count, stakepoolds }) => {
        const session = c.get("session");
        session.flash("success", `successfully ${action === "Add" ? "added" : "removed"} ${count} ticket(s)`);
        for (const f of stakepoolds.failed) {
          session.flash("error", `StakepooldUpdateAll error: ${f.host}: ${f.reason}`);
        }
        return c.redirect("/admintickets", 303);
      },
    );
  },
});
