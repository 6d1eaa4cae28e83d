// Rules of the pool pages that need no voting: closepool blocks address submission too (the
// original only blocked sign-up) and stores nothing; the Voting page's agendas per network and
// vote version — mainnet's vote version 0 has none — with the user's choice selected only for
// bits of the current version.
import assert from "node:assert/strict";
import { Context, Effect, Either, Layer, Option } from "effect";
import { hashPassword } from "../../src/accounts/passwords.ts";
import { PoolSettings } from "../../src/accounts/pool_settings.ts";
import { voteBitsFromAgendaFields, votingPreferences } from "../../src/accounts/voting.ts";
import { EmailVerification, User } from "../../src/domain/models.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { AuditLog } from "../../src/storage/audit_log.ts";
import { Users } from "../../src/storage/users.ts";
import { VotingView } from "../../templates/voting.tsx";
import { alertsOf, unescapeHtml } from "./support.ts";
import { userWallet, withPool } from "./pool_support.ts";

const CLOSED = "Closed for maintenance until Monday.";

Deno.test("closepool: the Address page says so, a submitted address is refused with the message and nothing is stored", async () => {
  await withPool({ stakepoolds: false, options: { closepool: "1", closepoolmsg: CLOSED } }, async (pool) => {
    // Sign-up is closed too, so the account is made in the database.
    const password = "alice password 1";
    const created = await pool.run(Effect.gen(function* () {
      const users = yield* Users;
      return yield* users.create({
        email: "alice@example.test",
        passwordHash: yield* hashPassword(password),
        emailToken: "",
        voteBits: 1,
        voteBitsVersion: 7,
        emailVerified: EmailVerification.verified,
      });
    }));
    const alice = pool.client();
    assert.equal((await alice.submit("/signin", { email: "alice@example.test", password })).status, 303);
    const form = await alice.get("/address");
    assert.ok(unescapeHtml(form.text).includes(CLOSED));
    assert.match(form.text, /<button type="submit" class="button button-block" disabled/);

    const posted = await alice.submit("/address", {
      UserPubKeyAddr: await userWallet(pool.sim).newPubKeyAddress(),
    });
    assert.equal(posted.location, "/address");
    const alerts = alertsOf((await alice.follow(posted)).text).map(unescapeHtml);
    assert.ok(alerts.some((a) => a.includes(CLOSED)), alerts.join(" | "));
    const user = Option.getOrThrow(await pool.run(Effect.flatMap(Users, (u) => u.byId(created.UserId))));
    assert.deepEqual([user.MultiSigAddress, user.UserPubKeyAddr], ["", ""]);
    const audit = await pool.run(Effect.flatMap(AuditLog, (a) => a.list({ limit: 10 })));
    assert.equal(audit.filter((e) => e.Action === "address submitted").length, 0);

    // The voting use case on other networks and versions, with this app's configuration.
    const settings = Context.get(pool.app.context, PoolSettings);
    const prefs = (net: keyof typeof NETWORKS, voteVersion: number, bits: number, bitsVersion: number) =>
      Effect.runPromise(
        votingPreferences(new User({ ...created, VoteBits: bits, VoteBitsVersion: bitsVersion })).pipe(
          Effect.provide(Layer.succeed(PoolSettings, { ...settings, net: NETWORKS[net], voteVersion })),
        ),
      );

    const mainnet = await prefs("mainnet", 0, 1, 0);
    assert.deepEqual(mainnet.agendas, []);
    const page = String(VotingView({ csrf: "t", ...mainnet }));
    assert.ok(page.includes("There are no active agendas to vote on currently."), page);
    assert.ok(page.includes("Voting Preferences (v0)"));

    const yes = await prefs("simnet", 7, 5, 7);
    assert.deepEqual(
      yes.agendas.map((a) => [a.id, a.choices.filter((c) => c.selected).map((c) => c.id)]),
      [["maxblocksize", ["yes"]]],
    );
    // Bits chosen for another vote version select nothing of this one's: abstain (zero bits) shows.
    const stale = await prefs("simnet", 7, 5, 6);
    assert.deepEqual(stale.agendas[0].choices.filter((c) => c.selected).map((c) => c.id), ["abstain"]);
    assert.equal(stale.voteBits, 1);

    assert.deepEqual(voteBitsFromAgendaFields(1, () => "4"), Either.right(5));
    assert.deepEqual(voteBitsFromAgendaFields(0, () => "4"), Either.right(1));
    assert.ok(Either.isLeft(voteBitsFromAgendaFields(1, () => "yes")));
    assert.ok(Either.isLeft(voteBitsFromAgendaFields(1, () => "")));
  });
});
