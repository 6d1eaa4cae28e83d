// MariaDB going away under load and coming back, seen by the web app through a TCP forwarder
// the test cuts (the shared server is never stopped): while it is away the pages that need it
// answer 503 — never a 500 — and say so; once it is back they work again without a restart; and
// every sign-up either stored a whole user or none.
import assert from "node:assert/strict";
import { Effect } from "effect";
import * as SqlClient from "@effect/sql/SqlClient";
import { sqlLayer } from "../../src/storage/sql.ts";
import { mysqlIgnored } from "../support/mysql.ts";
import { RATE_RULES, type RateRuleName } from "../../src/http/middleware/rate_limit.ts";
import { type TestWebApp, withWebApp } from "../http/support.ts";
import { startForwarder } from "./forwarder.ts";

const UNLIMITED = Object.fromEntries(
  Object.keys(RATE_RULES).map((k) => [k, { points: 1_000_000, seconds: 1 }]),
) as Record<RateRuleName, { points: number; seconds: number }>;

const server = new URL(Deno.env.get("HCPOOL_TEST_MYSQL") ?? "mysql://root@127.0.0.1:3306");

interface Answer {
  readonly what: string;
  readonly status: number;
  readonly phase: "before" | "cut" | "after";
}

/** One visitor: the home page, the stats page, then a sign-up through the form. */
const visit = async (
  web: TestWebApp,
  email: string,
  phase: () => Answer["phase"],
  answers: Array<Answer>,
) => {
  const client = web.client();
  const seen = (what: string, status: number, at: Answer["phase"]) => {
    answers.push({ what, status, phase: at });
    return status;
  };
  for (const path of ["/", "/stats"]) {
    const at = phase();
    seen(`GET ${path}`, (await client.get(path)).status, at);
  }
  const at = phase();
  const form = await client.get("/signup");
  if (seen("GET /signup", form.status, at) !== 200) return false;
  const csrf = /name="csrf_token" value="([^"]*)"/.exec(form.text)?.[1] ?? "";
  const posted = await client.post("/signup", {
    csrf_token: csrf,
    email,
    password: "outage password 1",
    passwordrepeat: "outage password 1",
  });
  // A refused sign-up goes back to the form (303) with the reason; a stored one answers 200.
  return seen("POST /signup", posted.status, at) === 200;
};

Deno.test({
  name: "MariaDB cut under load: pages answer 503 meanwhile, recover without a restart, no half-written user",
  ignore: mysqlIgnored(),
  fn: async () => {
    const forwarder = startForwarder({ hostname: server.hostname, port: Number(server.port || 3306) });
    try {
      await withWebApp({
        store: "mysql",
        options: { nocaptcha: "1", dbhost: "127.0.0.1", dbport: String(forwarder.port) },
        rateRules: UNLIMITED,
        mail: "console",
      }, async (web) => {
        let phase: Answer["phase"] = "before";
        const answers: Array<Answer> = [];
        const signedUp: Array<string> = [];
        let stop = false;
        let n = 0;
        const worker = async (w: number) => {
          while (!stop) {
            const email = `outage${w}-${n++}@example.test`;
            if (await visit(web, email, () => phase, answers)) signedUp.push(email);
          }
        };
        const tally = () => {
          const counts: Record<string, number> = {};
          for (const a of answers) {
            counts[`${a.phase} ${a.what} ${a.status}`] = (counts[`${a.phase} ${a.what} ${a.status}`] ?? 0) +
              1;
          }
          return JSON.stringify(counts);
        };
        const until = async (what: string, holds: () => boolean, timeoutMs: number) => {
          const deadline = Date.now() + timeoutMs;
          while (!holds()) {
            if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; answers: ${tally()}`);
            await new Promise((r) => setTimeout(r, 50));
          }
        };
        const workers = Promise.all([0, 1, 2].map(worker));
        try {
          await until("sign-ups before the cut", () => signedUp.length >= 3, 60_000);
          await forwarder.cut();
          phase = "cut";
          const cutAt = answers.length;
          await until(
            "pages answering while the database is away",
            () => answers.slice(cutAt).filter((a) => a.status === 503).length >= 5,
            60_000,
          );
          forwarder.restore();
          phase = "after";
          const before = signedUp.length;
          await until("a sign-up once the database is back", () => signedUp.length > before + 2, 90_000);
        } finally {
          stop = true;
          await workers;
        }

        const errors = answers.filter((a) => a.status >= 500 && a.status !== 503);
        assert.deepEqual(
          errors,
          [],
          `no 500 while the database went and came back; why:\n${
            web.logs.filter((l) => l.includes(`message="request failed" `)).join("\n")
          }`,
        );
        const cut = answers.filter((a) => a.phase === "cut" && a.what !== "GET /");
        assert.ok(cut.some((a) => a.status === 503), "a page that needs the database answered 503");
        assert.ok(answers.some((a) => a.phase === "after" && a.what === "POST /signup" && a.status === 200));

        // Every stored user is whole, and every sign-up that was confirmed is stored.
        const rows = await Effect.runPromise(
          Effect.flatMap(
            SqlClient.SqlClient,
            (sql) =>
              sql<
                { Email: string; Password: string; EmailToken: string }
              >`SELECT Email, Password, EmailToken FROM Users`,
          ).pipe(Effect.provide(sqlLayer(web.database))),
        );
        for (const r of rows) {
          assert.match(r.Email, /@example\.test$/);
          const hash = typeof r.Password === "string" ? r.Password : new TextDecoder().decode(r.Password);
          assert.match(hash, /^\$2[aby]\$12\$.{53}$/, `${r.Email}: a whole password hash`);
          assert.notEqual(r.EmailToken, "", `${r.Email}: its verification token`);
        }
        const stored = new Set(rows.map((r) => r.Email));
        for (const email of signedUp) assert.ok(stored.has(email), `${email} was confirmed but not stored`);
        assert.equal(new Set(rows.map((r) => r.Email)).size, rows.length, "no user stored twice");
      });
    } finally {
      await forwarder.close();
    }
  },
});
