// Vote latency against its floor, every part a process of its own: hcsim (bench/vote_sim_host.ts:
// 3 testnet2 nodes, 9 999 pool users, 50 000 pool tickets), three stakepoolds started as an
// operator starts them (`stakepoold.ts -C stakepoold.conf`, the database MariaDB when it answers,
// else the embedded store) before the tickets are mined, so each admits them as they go live
// (each looks every ticket up on hcd either way: minutes against one hcsim for three), and beside
// each one the floor (bench/vote_floor.ts): a bare client on the same kind of connections that
// sends the same generatevote + sendrawtransaction, as many as the pool's winners, the moment the
// notification arrives. Over the measured blocks, per node and block: stakepoold's time from
// winningtickets to the last winner's sendrawtransaction answer (its "vote" log lines'
// durationMs: the voter's clock starts when the notification has been read and decoded), and the
// floor's, from its socket's message to its last answer.
import { Effect, Redacted } from "effect";
import { freePort } from "../tests/demo/support.ts";
import { stakepooldConf } from "../tests/faults/stakepoold_process.ts";
import { postJson, type TlsTarget } from "../src/rpc/transport.ts";
import { ControlApi, type StakepooldStatus } from "../src/rpc/stakepoold_protocol.ts";
import { makeStakepooldControlClient } from "../src/rpc/stakepoold_client.ts";
import type { Endpoint, SimEndpoints } from "../src/sim/network.ts";
import { migrate } from "../src/storage/migrations.ts";
import { MAX_USER_ID } from "../src/storage/users.ts";
import { sqlLayer } from "../src/storage/sql.ts";
import { storeRegisteredUsers, withBenchDatabase } from "./database.ts";
import { percentile } from "./measurement.ts";
import { type ChildProcess, spawnDeno, withProcesses } from "../tests/faults/processes.ts";
import { POOL_FEES, type VoteBenchSetup } from "./vote_sim_host.ts";

export interface VoteBenchSize {
  readonly users: number;
  readonly poolTickets: number;
  readonly measuredBlocks: number;
}

/** The pool's most users (UserId stays below 10 000); a few tickets drawn while the setup matures are missed. */
export const FULL_SIZE: VoteBenchSize = { users: MAX_USER_ID, poolTickets: 50_200, measuredBlocks: 100 };
const WARM_UP_BLOCKS = 5;
const CONTROL_SECRET = "bench-control-secret-0123456789";

export interface VoteLatency {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly floorP50Ms: number;
  readonly floorP99Ms: number;
  readonly ratioP99: number;
  readonly blocks: number;
  readonly samples: number;
  readonly votes: number;
  readonly failedVotes: number;
  readonly firstFailure?: string;
  readonly liveTickets: number;
  readonly users: number;
  readonly store: string;
  readonly simSetupSeconds: number;
  readonly stakepooldReadySeconds: number;
}

/** One JSON-RPC call to hcsim's control endpoint. */
const controlCall = async (control: Endpoint, method: string, params: ReadonlyArray<unknown> = []) => {
  const target: TlsTarget = { url: control.url, certPem: await Deno.readTextFile(control.cert) };
  const answer = await Effect.runPromise(postJson(target, {
    path: "/",
    body: JSON.stringify({ jsonrpc: "1.0", id: 1, method, params }),
    authorization: Redacted.make(`Basic ${btoa(`${control.user}:${control.password}`)}`),
    timeoutMs: 60_000,
  }));
  const body = JSON.parse(answer.body);
  if (body.error) throw new Error(`hcsim ${method}: ${body.error.message}`);
  return body.result;
};

interface VoteLine {
  readonly blockHeight: number;
  readonly durationMs: number;
  readonly outcome: string;
  readonly detail?: string;
}

/** stakepoold's "vote" log lines (logformat=json). */
const voteLine = (line: string): VoteLine | undefined => {
  if (!line.startsWith("{") || !line.includes('"vote"')) return undefined;
  const entry = JSON.parse(line);
  if (entry.message !== "vote") return undefined;
  const a = entry.annotations ?? {};
  return {
    blockHeight: Number(a.blockHeight),
    durationMs: Number(a.durationMs),
    outcome: String(a.outcome),
    ...(a.detail === undefined ? {} : { detail: String(a.detail) }),
  };
};

export const voteLatencyBenchmark = (size: VoteBenchSize = FULL_SIZE): Promise<VoteLatency> =>
  withBenchDatabase(async (database, store) => {
    const dir = await Deno.makeTempDir({ prefix: "hcs_bench_votes_" });
    try {
      return await withProcesses(async (start) => {
        const sim = start(spawnDeno("hcsim", [
          "bench/vote_sim_host.ts",
          `${dir}/sim`,
          String(size.users),
          String(size.poolTickets),
          String(6 * (WARM_UP_BLOCKS + size.measuredBlocks)),
        ]));
        await sim.waitForLine((l) => l.startsWith("users "), "its users", 300_000);
        await Effect.runPromise(migrate().pipe(Effect.provide(sqlLayer(database))));
        await storeRegisteredUsers(database, JSON.parse(await Deno.readTextFile(`${dir}/sim/users.json`)), 7);
        await sim.waitForLine((l) => l.startsWith("ready"), "ready", 420_000);
        const setup: VoteBenchSetup = JSON.parse(await Deno.readTextFile(`${dir}/sim/setup.json`));
        const endpoints: SimEndpoints = JSON.parse(await Deno.readTextFile(setup.endpointsFile));
        const control: Endpoint = JSON.parse(await Deno.readTextFile(setup.controlFile));

        const readyStarted = performance.now();
        const stakepoolds = endpoints.nodes.map((node, i) => {
          const spdDir = `${dir}/stakepoold${i}`;
          Deno.mkdirSync(spdDir, { recursive: true });
          const port = freePort();
          Deno.writeTextFileSync(
            `${spdDir}/stakepoold.conf`,
            stakepooldConf({
              dir: spdDir,
              node,
              net: endpoints.net,
              coldWalletXpub: endpoints.coldWalletXpub,
              poolFees: POOL_FEES,
              database,
              port,
              controlSecret: CONTROL_SECRET,
            }),
          );
          return {
            process: start(
              spawnDeno(`stakepoold ${i}`, ["stakepoold.ts", "-C", `${spdDir}/stakepoold.conf`]),
            ),
            port,
            certFile: `${spdDir}/rpc.cert`,
          };
        });
        const clients = await Promise.all(stakepoolds.map(async (s) => {
          await s.process.waitForLine((l) => l.includes("control API listening"), "its control API", 180_000);
          return makeStakepooldControlClient({
            endpoint: { host: `127.0.0.1:${s.port}`, certPem: await Deno.readTextFile(s.certFile) },
            secret: Redacted.make(CONTROL_SECRET),
            timeoutMs: 30_000,
          });
        }));
        const statusOf = (c: (typeof clients)[number]): Promise<StakepooldStatus> =>
          Effect.runPromise(c.call(ControlApi.status, {}));
        const lastReport: Array<number> = [];
        /** Polls every stakepoold until `ready` holds for it, saying every 30 s how far each is. */
        const allReady = (what: string, ready: (s: StakepooldStatus) => boolean, timeoutMs: number) =>
          Promise.all(clients.map(async (c, i) => {
            const deadline = performance.now() + timeoutMs;
            while (true) {
              const status = await statusOf(c);
              if (ready(status)) return status;
              if (performance.now() > (lastReport[i] ?? 0) + 30_000) {
                lastReport[i] = performance.now();
                console.error(
                  `stakepoold ${i}: ${status.liveTickets} live, height ${status.bestBlockHeight}, waiting for ${what}`,
                );
              }
              if (performance.now() > deadline) {
                throw new Error(
                  `stakepoold ${i}: no ${what} within ${timeoutMs / 1000} s: ${JSON.stringify(status)}`,
                );
              }
              await new Promise((r) => setTimeout(r, 500));
            }
          }));
        await allReady("users", (s) => s.userVotingConfigs === size.users, 60_000);
        // The setup's tickets are mined now; each stakepoold admits them as hcd announces them live.
        for (let i = 0; i < setup.setupBlocks; i++) await controlCall(control, "generate", [1]);
        const statuses = await allReady(
          `${setup.poolTickets.length} live tickets`,
          (s) => s.liveTickets + s.votes.voted + s.votes.duplicate >= setup.poolTickets.length - 100,
          300_000,
        );
        const stakepooldReadySeconds = (performance.now() - readyStarted) / 1000;

        await Deno.writeTextFile(`${dir}/pool.json`, JSON.stringify(setup.poolTickets));
        await Deno.writeTextFile(`${dir}/floor.json`, JSON.stringify(setup.floorTickets));
        const floors = endpoints.nodes.map((node, i) =>
          start(spawnDeno(`floor ${i}`, [
            "bench/vote_floor.ts",
            JSON.stringify(node),
            `${dir}/pool.json`,
            `${dir}/floor.json`,
          ]))
        );
        await Promise.all(floors.map((f) => f.waitForLine((l) => l === "ready", "ready", 60_000)));

        const pool = new Set(setup.poolTickets);
        const poolLatencies: Array<number> = [];
        const floorLatencies: Array<number> = [];
        let votes = 0;
        const failures: Array<string> = [];
        const byHeight = (p: ChildProcess, height: number) =>
          p.lines.map(voteLine).filter((v): v is VoteLine => v?.blockHeight === height);
        for (let block = 0; block < WARM_UP_BLOCKS + size.measuredBlocks; block++) {
          await controlCall(control, "generate", [1]);
          const state = await controlCall(control, "chainstate");
          const winners = (state.winners as ReadonlyArray<string>).filter((t) => pool.has(t)).length;
          if (winners === 0) continue;
          const height = state.height as number;
          const floorLines = await Promise.all(
            floors.map((f) =>
              f.waitForLine((l) => l.startsWith(`{"height":${height},`), `block ${height}`, 30_000)
            ),
          );
          const spdLines = await Promise.all(stakepoolds.map(async ({ process }) => {
            await process.waitForLine(
              () => byHeight(process, height).length >= winners,
              `${winners} votes at ${height}`,
              30_000,
            );
            return byHeight(process, height);
          }));
          if (block < WARM_UP_BLOCKS) continue;
          for (const line of floorLines) {
            const f = JSON.parse(line);
            if (f.error) throw new Error(`floor at ${height}: ${f.error}`);
            floorLatencies.push(f.ms);
          }
          for (const lines of spdLines) {
            // A failed vote is an answer too (counted, and reported with hcd's or the wallet's words).
            for (const l of lines) if (l.outcome === "failed") failures.push(`${height}: ${l.detail}`);
            poolLatencies.push(Math.max(...lines.map((l) => l.durationMs)));
            votes += lines.length;
          }
        }
        if (poolLatencies.length === 0) throw new Error("no pool ticket was drawn");
        const p99 = percentile(poolLatencies, 99);
        const floorP99 = percentile(floorLatencies, 99);
        return {
          p50Ms: percentile(poolLatencies, 50),
          p99Ms: p99,
          floorP50Ms: percentile(floorLatencies, 50),
          floorP99Ms: floorP99,
          ratioP99: p99 / floorP99,
          blocks: size.measuredBlocks,
          samples: poolLatencies.length,
          votes,
          failedVotes: failures.length,
          ...(failures.length > 0 ? { firstFailure: failures[0] } : {}),
          liveTickets: Math.min(...statuses.map((s) => s.liveTickets)),
          users: size.users,
          store,
          simSetupSeconds: setup.setupSeconds,
          stakepooldReadySeconds,
        };
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

// deno run -A bench/vote_latency_bench.ts [users poolTickets measuredBlocks]: a smaller run to try changes.
if (import.meta.main) {
  const [users, poolTickets, measuredBlocks] = Deno.args.map(Number);
  console.log(await voteLatencyBenchmark(users ? { users, poolTickets, measuredBlocks } : FULL_SIZE));
}
