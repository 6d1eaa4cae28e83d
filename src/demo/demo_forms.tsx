// The demo's two shortcuts, shown only when the demo composition provides a DemoWallet: on
// /address a form that submits a fresh public key address of hcsim's user wallet through the
// page's own POST, and on /tickets a form that buys simnet tickets with the user's purchase
// information (POST /demo/tickets). A real pool renders neither and answers 404 there.
import { Effect, Option } from "effect";
import type { Child } from "hono/jsx";
import { rejected } from "../accounts/errors.ts";
import type { Ctx } from "../http/context.ts";
import { runPage } from "../http/outcomes.tsx";
import { page } from "../http/page.ts";
import { purchaseInfo } from "../pool/purchase_info.ts";
import { Card, CsrfField, Field, Notice } from "../../templates/components.tsx";
import { demoWallet, NotADemo } from "./demo_wallet.ts";

/** Tickets one click may buy. */
const MAX_TICKETS = 20;
const DEFAULT_TICKETS = 5;

const DemoCard = (p: { readonly children: Child }) => (
  <Card title="Simnet demo">
    {p.children}
    <p>
      <small>This box exists only in the demo (deno task start); a real pool never holds your wallet.</small>
    </p>
  </Card>
);

/** /address: a ready-made public key address of the demo wallet, submitted with one click. */
export const demoAddressForm = async (c: Ctx): Promise<Child | undefined> => {
  if (c.get("user")?.UserPubKeyAddr !== "") return undefined;
  const exit = await c.get("run")(
    Effect.flatMap(demoWallet, (wallet) =>
      Option.match(wallet, {
        onNone: () => Effect.succeed(undefined),
        onSome: (w) =>
          w.newPubKeyAddress.pipe(
            Effect.map((address) => ({ address })),
            Effect.catchAll((e) => Effect.as(Effect.logWarning(e.message), { problem: e.message })),
          ),
      })),
  );
  if (exit._tag === "Failure" || exit.value === undefined) return undefined;
  const found = exit.value;
  return (
    <DemoCard>
      {"problem" in found
        ? <Notice kind="warning">{found.problem}</Notice>
        : (
          <form method="post" action="/address" class="form">
            <CsrfField token={c.get("session").csrfToken()} />
            <input type="hidden" name="UserPubKeyAddr" value={found.address} />
            <p>
              hcsim's user wallet plays your wallet here. Its new public key address is{" "}
              <code>{found.address}</code>.
            </p>
            <button type="submit" class="button">Use a demo wallet address</button>
          </form>
        )}
    </DemoCard>
  );
};

/** /tickets: buy simnet tickets from the demo wallet with this user's purchase information. */
export const demoTicketsForm = async (c: Ctx): Promise<Child | undefined> => {
  const exit = await c.get("run")(Effect.map(demoWallet, Option.isSome));
  if (exit._tag === "Failure" || !exit.value) return undefined;
  return (
    <DemoCard>
      <form method="post" action="/demo/tickets" class="form">
        <CsrfField token={c.get("session").csrfToken()} />
        <p>
          Buy tickets from hcsim's user wallet, exactly as the instructions below say. New blocks come every
          few seconds: a ticket is immature for 16 blocks, then live until the lottery picks it, then voted
          with your choices.
        </p>
        <Field
          id="demo-count"
          label={`Tickets to buy (1 to ${MAX_TICKETS})`}
          name="count"
          value={String(DEFAULT_TICKETS)}
          inputMode="numeric"
          maxLength={String(MAX_TICKETS).length}
        />
        <button type="submit" class="button">Buy simnet tickets</button>
      </form>
    </DemoCard>
  );
};

export const demoTickets = page({
  path: "/demo/tickets",
  access: "user",
  post: (c) => {
    const user = c.get("user")!;
    const count = Number(c.get("form").get("count") || DEFAULT_TICKETS);
    return runPage(
      c,
      Effect.gen(function* () {
        const wallet = yield* Effect.flatMap(
          demoWallet,
          Option.match({
            onNone: () => Effect.fail(new NotADemo()),
            onSome: Effect.succeed,
          }),
        );
        if (!Number.isInteger(count) || count < 1 || count > MAX_TICKETS) {
          return yield* Effect.fail(rejected(`Choose from 1 to ${MAX_TICKETS} tickets.`));
        }
        const info = yield* purchaseInfo(user).pipe(
          Effect.catchTag("NoAddressSubmitted", () => Effect.fail(rejected("Submit an address first."))),
        );
        return yield* wallet.buyTickets({
          ticketAddress: info.TicketAddress,
          poolAddress: info.PoolAddress,
          poolFees: info.PoolFees,
          count,
        }).pipe(Effect.catchTag("DemoWalletFailed", (e) => Effect.fail(rejected(e.message))));
      }),
      (tickets) => {
        c.get("session").flash(
          "success",
          `Bought ${tickets.length} simnet ticket${tickets.length === 1 ? "" : "s"}; ` +
            "they appear here once the next block holds them.",
        );
        return c.redirect("/tickets", 303);
      },
    );
  },
});
