// The stakepoolds' ticket-event websockets cut mid-block: the web app follows each stakepoold's
// events through a TCP forwarder the test controls; the moment a block draws a user's ticket (the
// stakepoolds voting it) every forwarder is cut, the vote is mined, then they come back. The
// tickets page must end up as the chain is — the drawn ticket voted with the chain's vote
// transaction, the others live — each ticket listed once, none lost.
import assert from "node:assert/strict";
import { Effect, Option, Redacted } from "effect";
import { hashPassword } from "../../src/accounts/passwords.ts";
import { startWebApp } from "../../src/cli/serve.ts";
import { poolConfigFromOptions } from "../../src/config/pool.ts";
import { EmailVerification } from "../../src/domain/models.ts";
import { Users } from "../../src/storage/users.ts";
import { derived } from "../sim/helpers.ts";
import { poolOptions, WebClient } from "../http/support.ts";
import { userWallet } from "../http/pool_support.ts";
import {
  CONTROL_SECRET,
  eventually,
  mineUntilAboutToMature,
  startStakepoolds,
  withStakepooldSetup,
} from "../stakepoold/support.ts";
import { startForwarder } from "./forwarder.ts";
import { freePort } from "../demo/support.ts";

const TICKETS = 3;
const PASSWORD = "event stream password";

/** Occurrences of each ticket row on a tickets page: hash → status of each. */
const rowsOf = (html: string) => {
  const rows = new Map<string, Array<{ status: string; spentBy: string | undefined }>>();
  for (
    const m of html.matchAll(
      /<tr data-ticket="([0-9a-f]{64})" data-status="([a-z]+)"(?: data-spent-by="([0-9a-f]{64})")?/g,
    )
  ) rows.set(m[1], [...(rows.get(m[1]) ?? []), { status: m[2], spentBy: m[3] }]);
  return rows;
};

Deno.test("the stakepoolds' event websockets cut mid-block: the tickets page ends up as the chain is, each ticket once", () =>
  withStakepooldSetup(
    { network: { nodes: 3, backgroundTickets: 8, feeAddressCount: 50 } },
    ({ network, database, dir }) =>
      Effect.gen(function* () {
        const spds = yield* startStakepoolds(network, database, dir);
        const forwarders = spds.map((s) => {
          const [hostname, port] = s.address.split(":");
          return startForwarder({ hostname, port: Number(port) });
        });
        yield* Effect.addFinalizer(() => Effect.promise(() => Promise.all(forwarders.map((f) => f.close()))));
        const port = freePort();
        const config = yield* poolConfigFromOptions(
          {
            ...poolOptions(network, database, port),
            enablestakepoold: "1",
            stakepooldhosts: forwarders.map((f) => `127.0.0.1:${f.port}`).join(","),
            stakepooldcerts: spds.map((s) => `${dir}/stakepoold${s.index}.cert`).join(","),
            controlsecret: Redacted.value(CONTROL_SECRET),
          },
          "",
          dir,
        );
        const app = yield* startWebApp(config, {
          walletTimeoutMs: 30_000,
          // Reconnects are tried soon; no wallet read comes on its own besides the ones asked for.
          tickets: { maxAge: "1 hour", tipInterval: "1 hour", minRefreshInterval: 200 },
        });

        // A verified user, signed in, with a ticket address and tickets of their own.
        const users = yield* Users;
        const row = yield* users.create({
          email: "events@example.test",
          passwordHash: yield* hashPassword(PASSWORD),
          emailToken: "",
          emailVerified: EmailVerification.verified,
          voteBits: 1,
          voteBitsVersion: 7,
        });
        const client = new WebClient(`http://${app.address}`, () => undefined);
        const page = (path: string) => Effect.promise(() => client.get(path));
        const signin = yield* Effect.promise(() =>
          client.submit("/signin", { email: "events@example.test", password: PASSWORD })
        );
        assert.equal(signin.status, 303);
        const wallet = userWallet(network);
        const posted = yield* Effect.promise(async () =>
          client.submit("/address", { UserPubKeyAddr: await wallet.newPubKeyAddress() })
        );
        assert.equal(posted.location, "/tickets");
        const ticketAddress = Option.getOrThrow(yield* users.byId(row.UserId)).MultiSigAddress;
        const feeAddress = derived(network.endpoints.coldWalletXpub, row.UserId).address;
        const mine = new Set(
          yield* Effect.promise(() => wallet.buyTickets(ticketAddress, feeAddress, 7.5, TICKETS)),
        );
        // One block short of live: the block they go live in may already draw one (hcd's lottery
        // takes the tickets maturing at that height), and that draw must happen under the cut too.
        mineUntilAboutToMature(network, [...mine][0]);
        const shown = (check: (rows: ReturnType<typeof rowsOf>) => boolean, what: string) =>
          eventually(
            what,
            Effect.map(page("/tickets"), (p) => p.status === 200 && check(rowsOf(p.text))),
            120_000,
          );
        yield* shown(
          (rows) => [...mine].every((t) => rows.get(t)?.[0]?.status === "immature"),
          "the user's tickets shown immature",
        );

        // A block that draws one of them: cut every event stream while the stakepoolds vote it.
        let drawn: string | undefined;
        for (let i = 0; i < 200 && drawn === undefined; i++) {
          network.control.generate(1);
          drawn = network.control.chainState().winners.find((t) => mine.has(t));
          if (drawn !== undefined) yield* Effect.promise(() => Promise.all(forwarders.map((f) => f.cut())));
        }
        assert.ok(drawn !== undefined, "one of the user's tickets was drawn");
        const votedTicket = drawn;
        yield* eventually(
          "the stakepoolds voted it",
          Effect.sync(() => network.control.votes(votedTicket).some((v) => v.outcome === "accepted")),
        );
        network.control.generate(1);
        const spentBy = network.control.tickets().find((t) => t.ticket === votedTicket)!.spentBy;
        assert.ok(spentBy !== undefined, "its vote is mined");
        for (const f of forwarders) f.restore();

        yield* shown(
          (rows) =>
            rows.get(votedTicket)?.length === 1 && rows.get(votedTicket)![0].status === "voted" &&
            rows.get(votedTicket)![0].spentBy === spentBy,
          "the drawn ticket shown voted with the chain's vote",
        );
        const chainStatus = (t: string) => network.control.tickets().find((x) => x.ticket === t)!.status;
        // The tip the page judges maturity by may come after the vote's row (a poll on reconnect).
        yield* shown(
          (rows) => [...mine].every((t) => rows.get(t)?.[0]?.status === chainStatus(t)),
          "every ticket shown as the chain has it",
        );
        const final = rowsOf((yield* page("/tickets")).text);
        for (const t of mine) {
          assert.equal(final.get(t)?.length, 1, `${t} listed once`);
          assert.equal(final.get(t)![0].status, chainStatus(t), `${t} as the chain has it`);
        }
      }),
  ));
