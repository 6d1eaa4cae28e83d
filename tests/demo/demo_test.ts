// Issue 14's "Done when", scripted: `deno task start` runs as its own process on a temp datadir and
// a free port, and a visitor uses nothing but HTTP to the web app and JSON-RPC to the endpoints in
// demo.json — sign up, verify with the printed link, sign in, submit a user-wallet pubkey address,
// read the API token and purchase info, set a vote choice, buy tickets with the user wallet, mine
// blocks, and find on chain a vote for one of its tickets carrying the chosen bits. Then the demo
// shortcuts (a second account), /metrics and /status.json of the web app and a stakepoold moving
// with the vote, the log free of every secret, Ctrl-C, and a second start that resumes the pool.
import assert from "node:assert/strict";
import { Effect, Either, Queue, Stream } from "effect";
import { fromHex } from "../../src/domain/bytes.ts";
import { parseVote } from "../../src/domain/stake.ts";
import { deserializeTx } from "../../src/domain/tx.ts";
import { hcNotifications, nodeRpc, walletRpc } from "../../src/rpc/hc_methods.ts";
import { alertsOf, hiddenField, unescapeHtml, WebClient } from "../http/support.ts";
import { ticketRows } from "../http/pool_support.ts";
import {
  DemoProcess,
  eventually,
  freePort,
  httpsGet,
  metricValue,
  readDemoFile,
  rpcClient,
} from "./support.ts";

/** Bit 0 (the previous block is valid) and maxblocksize "yes" (vote version 7: mask 0x6, yes 0x4). */
const VOTE_BITS = 5;
const PASSWORD = "correct horse battery staple";

const signUpVerifyAndSignIn = async (demo: DemoProcess, email: string) => {
  const client = new WebClient(demo.url, () => undefined);
  const signup = await client.submit("/signup", { email, password: PASSWORD, passwordrepeat: PASSWORD });
  assert.equal(signup.status, 200, `sign-up of ${email}: ${alertsOf(signup.text)}`);
  // Mail is off in the demo: the message, link included, is printed in the log.
  const port = new URL(demo.url).port;
  const [, link] = await demo.waitForOutput(
    new RegExp(`(http://127\\.0\\.0\\.1:${port}/emailverify\\?t=[0-9a-f]+)[^\\n]*to=${email}`),
    `the verification link for ${email}`,
  );
  assert.equal((await client.get(link.replace(demo.url, ""))).status, 200, "the printed link verifies");
  const signin = await client.submit("/signin", { email, password: PASSWORD });
  assert.equal(signin.status, 303, `${email} signs in`);
  return client;
};

const apiCall = async (demo: DemoProcess, token: string, path: string, form?: Record<string, string>) => {
  const response = await fetch(`${demo.url}${path}`, {
    method: form === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${token}` },
    ...(form === undefined ? {} : { body: new URLSearchParams(form) }),
  });
  const body = await response.json();
  assert.equal(body.status, "success", `${path}: ${JSON.stringify(body)}`);
  return body.data;
};

const tokenOn = (html: string) =>
  unescapeHtml(/<pre class="token"[^>]*>([^<]+)<\/pre>/.exec(html)?.[1] ?? "");

Deno.test("deno task start: a visitor signs up, registers, buys tickets and finds its vote on chain; the demo resumes after Ctrl-C", async () => {
  const datadir = await Deno.makeTempDir({ prefix: "hcs_demo_" });
  const port = freePort();
  let demo = DemoProcess.task(datadir, port, ["--nocaptcha", "--blockinterval", "0"]);
  try {
    const servedAfter = await demo.servesHome();
    console.log(`deno task start served / after ${(servedAfter / 1000).toFixed(1)} s`);
    assert.match(demo.output, new RegExp(`web app\\s+${demo.url}`), "it prints the URL");
    assert.match(demo.output, /verification link is printed/, "and what to do next");
    const endpoints = await readDemoFile(datadir);
    assert.equal(endpoints.web, demo.url);

    const alice = "alice@example.test";
    const client = await signUpVerifyAndSignIn(demo, alice);

    const chain = await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const user = walletRpc(yield* rpcClient(endpoints.userWallet));
      const pubKeyAddr = (yield* user.validateAddress(yield* user.getNewAddress())).pubkeyaddr!;
      const submitted = yield* Effect.promise(() =>
        client.submit("/address", { UserPubKeyAddr: pubKeyAddr })
      );
      assert.equal(submitted.location, "/tickets", `address accepted: ${alertsOf(submitted.text)}`);

      const token = tokenOn((yield* Effect.promise(() => client.get("/settings"))).text);
      assert.equal(token.split(".").length, 3, "the settings page shows the API token");
      const info = yield* Effect.promise(() => apiCall(demo, token, "/api/v1/getpurchaseinfo"));
      yield* Effect.promise(() => apiCall(demo, token, "/api/v1/voting", { VoteBits: String(VOTE_BITS) }));

      const hcdClient = yield* rpcClient(endpoints.nodes[0].hcd, "ws");
      const hcd = nodeRpc(hcdClient);
      const winners = yield* Queue.unbounded<
        { readonly blockHash: string; readonly tickets: ReadonlyArray<string> }
      >();
      yield* Effect.forkScoped(
        Stream.runForEach(
          hcNotifications(hcdClient),
          (n) => n._tag === "winningtickets" ? Queue.offer(winners, n) : Effect.void,
        ),
      );
      yield* hcd.notifyWinningTickets();
      const generate = (n: number) =>
        hcdClient.call("generate", [n]).pipe(Effect.map((hashes) => hashes as ReadonlyArray<string>));

      const metricsBefore = yield* Effect.promise(() => fetch(`${demo.url}/metrics`).then((r) => r.text()));
      const bought = yield* user.purchaseTicket([
        "default",
        1000,
        1,
        info.TicketAddress,
        10,
        info.PoolAddress,
        info.PoolFees,
      ]);
      assert.equal(bought.length, 10);
      const [mined] = yield* generate(1);
      const minedHeight = (yield* hcd.getBestBlock()).height;
      // The tickets page shows them immature, then live.
      yield* Effect.promise(() =>
        eventually("the bought tickets immature on /tickets", async () => {
          const rows = ticketRows((await client.get("/tickets")).text);
          return bought.every((t) => rows.get(t)?.status === "immature") ? true : undefined;
        })
      );
      // Up to the block before they mature; from there on one block at a time, each winner of ours
      // voted before the next block (as hcd needs: "generate 1, then a pause").
      yield* generate(15);
      let voted: { ticket: string; vote: string; block: string } | undefined;
      for (let i = 0; i < 400 && voted === undefined; i++) {
        const [hash] = yield* generate(1);
        const { tickets: drawn } = yield* Effect.repeat(Queue.take(winners), {
          until: (n) => n.blockHash === hash,
        });
        for (const ticket of drawn.filter((t) => bought.includes(t))) {
          const vote = yield* Effect.promise(() =>
            eventually(`the pool's vote for ${ticket} in hcd's mempool`, () =>
              Effect.runPromise(
                Effect.gen(function* () {
                  const pool = (yield* hcdClient.call("getrawmempool", [false, "votes"])) as ReadonlyArray<
                    string
                  >;
                  for (const txid of pool) {
                    const tx = deserializeTx(
                      Either.getOrThrow(fromHex(yield* hcd.getRawTransactionHex(txid))),
                    );
                    const v = Either.getOrUndefined(Either.flatMap(tx, parseVote));
                    if (v?.ticketHash === ticket && v.blockHash === hash) return txid;
                  }
                  return undefined;
                }).pipe(Effect.orDie),
              ), 20_000)
          );
          voted = { ticket, vote, block: hash };
        }
      }
      assert.ok(voted, "one of the 10 tickets was drawn within 400 blocks and the pool voted it");
      const [next] = yield* generate(1);
      const block = yield* hcd.getBlock(next);
      assert.ok(block.stx?.includes(voted.vote), "the vote is mined in the next block");
      const onChain = Either.getOrThrow(
        Either.flatMap(
          deserializeTx(Either.getOrThrow(fromHex(yield* hcd.getRawTransactionHex(voted.vote)))),
          parseVote,
        ),
      );
      assert.equal(onChain.ticketHash, voted.ticket);
      assert.equal(onChain.voteBits, VOTE_BITS, "the vote carries the bits chosen through the API");
      assert.equal(onChain.voteVersion, 7);

      // The pool's own view of it: the tickets page shows it voted by that transaction.
      yield* Effect.promise(() =>
        eventually("the voted ticket on /tickets", async () => {
          const row = ticketRows((await client.get("/tickets?section=voted")).text).get(voted!.ticket);
          return row?.status === "voted" && row.spentBy === voted!.vote ? true : undefined;
        })
      );

      // /metrics moved with the purchase and the vote; /status.json says healthy.
      const metricsAfter = yield* Effect.promise(() => fetch(`${demo.url}/metrics`).then((r) => r.text()));
      const votes = (text: string) =>
        metricValue(text, "stakepoold_votes_total", { outcome: "voted" }) +
        metricValue(text, "stakepoold_votes_total", { outcome: "duplicate" });
      assert.ok(votes(metricsAfter) >= votes(metricsBefore) + 3, "every stakepoold counted the vote");
      assert.ok(
        metricValue(metricsAfter, "hcpool_http_requests_total", { route: "/tickets", status: "200" }) >
          metricValue(metricsBefore, "hcpool_http_requests_total", { route: "/tickets", status: "200" }),
      );
      assert.ok(metricValue(metricsAfter, "hcpool_rpc_call_duration_seconds_count", { rpc: "wallet 1" }) > 0);
      assert.equal(metricValue(metricsAfter, "hcpool_wallet_manager_running"), 1);
      assert.ok(
        metricValue(metricsAfter, "hcpool_stakepoold_tickets", { state: "live" }) >= 3,
        "live pool tickets",
      );
      const status = yield* Effect.promise(() => fetch(`${demo.url}/status.json`));
      assert.equal(status.status, 200);
      assert.equal((yield* Effect.promise(() => status.json())).healthy, true);
      // stakepoold 0's own /metrics, on its control API (the demo's secret and certificate).
      const control = /addresses=(127\.0\.0\.1:\d+) stakepoold=0/.exec(demo.output)?.[1];
      assert.ok(control, "stakepoold 0 logged its control API address");
      const secrets = JSON.parse(
        yield* Effect.promise(() => Deno.readTextFile(`${datadir}/demo-secrets.json`)),
      );
      const cert = yield* Effect.promise(() => Deno.readTextFile(`${datadir}/stakepoold0/rpc.cert`));
      const own = yield* Effect.promise(() =>
        httpsGet(`https://${control}/metrics`, cert, { authorization: `Bearer ${secrets.controlSecret}` })
      );
      assert.equal(own.status, 200);
      assert.ok(
        votes(own.body) >= 1,
        "stakepoold 0 counted the vote (voted, or a duplicate of another node's)",
      );
      assert.ok(metricValue(own.body, "stakepoold_vote_duration_ms_count") >= 1);
      assert.equal(metricValue(own.body, "stakepoold_connected", { peer: "hcd" }), 1);
      for (const state of ["live", "added_low_fee", "ignored_low_fee"]) {
        const series = (text: string, name: string) =>
          text.split("\n").some((line) => line.startsWith(`${name}{`) && line.includes(`state="${state}"`));
        assert.ok(series(own.body, "stakepoold_tickets"), `stakepoold 0's tickets ${state}`);
        assert.ok(series(metricsAfter, "hcpool_stakepoold_tickets"), `the web app's tickets ${state}`);
      }
      assert.ok(!own.body.includes('stakepoold="1"'), "nor another stakepoold's figures");
      const refused = yield* Effect.promise(() => httpsGet(`https://${control}/metrics`, cert));
      assert.equal(refused.status, 401, "stakepoold's /metrics needs the control secret");

      // The demo shortcuts, for a second visitor: a demo wallet address, then tickets bought from it.
      const bob = yield* Effect.promise(() => signUpVerifyAndSignIn(demo, "bob@example.test"));
      const form = yield* Effect.promise(() => bob.get("/address"));
      assert.match(form.text, /Use a demo wallet address/);
      const demoAddress = hiddenField(form.text, "UserPubKeyAddr");
      assert.ok(demoAddress?.startsWith("Sk"), "a simnet public key address of the user wallet");
      const registered = yield* Effect.promise(() =>
        bob.submit("/address", { UserPubKeyAddr: demoAddress! })
      );
      assert.equal(registered.location, "/tickets");
      assert.match((yield* Effect.promise(() => bob.get("/tickets"))).text, /Buy simnet tickets/);
      const buy = yield* Effect.promise(() => bob.submit("/tickets", { count: "2" }, "/demo/tickets"));
      assert.equal(buy.location, "/tickets");
      assert.match(
        alertsOf((yield* Effect.promise(() => bob.follow(buy))).text).join(" "),
        /Bought 2 simnet tickets/,
      );
      yield* generate(1);
      yield* Effect.promise(() =>
        // Reloaded once a second, as a person would: the view is read again from the wallets once
        // it is older than the demo's maxAge.
        eventually(
          "bob's 2 tickets on /tickets",
          async () => {
            const rows = [...ticketRows((await bob.get("/tickets")).text).values()];
            return rows.filter((r) => r.status === "immature").length === 2 ? true : undefined;
          },
          30_000,
          1000,
        )
      );
      return { mined, minedHeight, tip: yield* hcd.getBestBlock(), voted };
    })));

    assert.equal(await demo.stop(), 0, "Ctrl-C stops the demo cleanly");

    // Nothing secret in what it printed or logged.
    const log = await Deno.readTextFile(`${datadir}/logs/simnet/hcstakepool.log`);
    assert.match(log, /message=vote /, "the log file has the run's lines");
    const secrets = [
      ...Object.values(JSON.parse(await Deno.readTextFile(`${datadir}/demo-secrets.json`))) as string[],
      endpoints.userWallet.password,
      endpoints.control.password,
      ...endpoints.nodes.flatMap((n) => [n.hcd.password, n.wallet.password]),
    ];
    for (const secret of secrets) {
      assert.ok(!log.includes(secret), "no secret in the log file");
      assert.ok(!demo.output.includes(secret), "no secret on stdout or stderr");
    }

    // A second start on the same datadir resumes the same pool: same users, same chain.
    demo = DemoProcess.task(datadir, port, ["--nocaptcha", "--blockinterval", "0"]);
    await demo.servesHome();
    assert.match(demo.output, /resumed in/);
    const again = new WebClient(demo.url, () => undefined);
    assert.equal((await again.submit("/signin", { email: alice, password: PASSWORD })).status, 303);
    await eventually("alice's voted ticket after the restart", async () => {
      const row = ticketRows((await again.get("/tickets?section=voted")).text).get(chain.voted.ticket);
      return row?.status === "voted" ? true : undefined;
    });
    const resumed = await readDemoFile(datadir);
    await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const hcd = nodeRpc(yield* rpcClient(resumed.nodes[0].hcd));
      assert.deepEqual(yield* hcd.getBestBlock(), chain.tip, "the chain goes on from where it stopped");
      assert.equal((yield* hcd.getBlock(chain.mined)).height, chain.minedHeight, "the same blocks");
    })));
    assert.equal(await demo.stop(), 0);
  } catch (e) {
    // What the demo said last is where a failure shows its cause.
    console.error(`demo output (last 6000 characters):\n${demo.output.slice(-6000)}`);
    throw e;
  } finally {
    await demo.stop();
    await Deno.remove(datadir, { recursive: true });
  }
});
