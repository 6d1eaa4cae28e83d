// /tickets (behaviour §7.7): the user's purchase information and tickets from the ticket view —
// no wallet call per view. ?section=<live|voted|missed|expired|invalid>&page=N&order=oldest pages
// through one list. /tickets/live is the page's websocket: it sends {"version": n} whenever
// what the page shows changed, and tickets-live.js then fetches the page again.
import { Cause, Effect, Stream } from "effect";
import { demoTicketsForm } from "../../demo/demo_forms.tsx";
import { purchaseInfo } from "../../pool/purchase_info.ts";
import { explorerTxUrl, hcctlCommand } from "../../pool/links.ts";
import { TicketView } from "../../tickets/ticket_view.ts";
import { type Order, type Section, SECTIONS } from "../../tickets/user_tickets.ts";
import { VotingWallets } from "../../wallets/voting_wallets.ts";
import { TicketsView } from "../../../templates/tickets.tsx";
import type { Ctx } from "../context.ts";
import { Forbidden } from "../middleware/forbidden.ts";
import { failurePage, runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";

const sectionOf = (s: string | undefined): Section | undefined => SECTIONS.find((known) => known === s);

export default page({
  path: "/tickets",
  access: "user",
  get: async (c) => {
    const user = c.get("user")!;
    if (user.MultiSigAddress === "") return c.redirect("/address", 303);
    // Only in the demo (deno task start): buy tickets from hcsim's user wallet.
    const demo = await demoTicketsForm(c);
    const net = c.get("settings").net.name;
    const section = sectionOf(c.req.query("section"));
    const order: Order = c.req.query("order") === "oldest" ? "oldest" : "newest";
    return runPage(
      c,
      Effect.all({
        info: purchaseInfo(user),
        tickets: Effect.flatMap(
          TicketView,
          (view) =>
            view.page(user.MultiSigAddress, { section, page: Number(c.req.query("page") ?? "1"), order }),
        ),
        stopped: Effect.flatMap(VotingWallets, (vw) => vw.stopped),
      }),
      ({ info, tickets, stopped }) =>
        render(
          c,
          { title: "Tickets" },
          <>
            {demo}
            <TicketsView
              info={info}
              hcctl={hcctlCommand(net)}
              tickets={tickets}
              section={section}
              order={order}
              txUrl={(txid) => explorerTxUrl(net, txid)}
              walletsStopped={stopped._tag === "Some"}
            />
          </>,
        ),
    );
  },
});

/** Same-site only: a page elsewhere must not open this socket with the user's cookie. */
const sameOrigin = (c: Ctx) => {
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === c.req.header("host");
  } catch {
    return false;
  }
};

export const ticketsLive = page({
  path: "/tickets/live",
  access: "user",
  get: (c) => {
    const user = c.get("user")!;
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return c.text("This address takes websocket connections from the tickets page.", 426);
    }
    if (!sameOrigin(c) || user.MultiSigAddress === "") {
      return failurePage(c, Cause.fail(new Forbidden({ message: "Not for this page." })));
    }
    const { socket, response } = Deno.upgradeWebSocket(c.req.raw);
    const closed = Effect.async<void>((resume) => {
      socket.addEventListener("close", () => resume(Effect.void), { once: true });
    });
    const updates = Effect.flatMap(TicketView, (view) =>
      view.changes(user.MultiSigAddress).pipe(
        Stream.runForEach((version) =>
          Effect.sync(() => {
            if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ version }));
          })
        ),
      ));
    socket.addEventListener("open", () => {
      void c.get("run")(
        Effect.raceFirst(updates, closed).pipe(
          Effect.catchAllCause((cause) =>
            Cause.isInterruptedOnly(cause)
              ? Effect.void
              : Effect.logWarning("live ticket updates ended", cause)
          ),
          // The app is stopping (or the view failed): the page's script reconnects later.
          Effect.ensuring(Effect.sync(() => {
            if (socket.readyState === WebSocket.OPEN) socket.close(1001, "going away");
          })),
        ),
      );
    }, { once: true });
    return response;
  },
});
