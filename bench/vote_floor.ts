// The vote-latency floor: a bare client beside one voting node, on the connections stakepoold
// uses (hcd and hcwallet JSON-RPC over websockets, TLS with the pinned certificate, Basic auth),
// doing only what voting needs. The moment hcd's winningtickets arrives it votes as many of its
// own tickets as the pool had winners in that block (the same generatevote + sendrawtransaction
// stakepoold sends, on the same block, all at once; every floor process votes the same tickets,
// as every stakepoold votes the same winners), and prints one JSON line per block:
//   {"height":…,"votes":…,"ms":…}   ms = notification read → last sendrawtransaction answer.
// hcd's mempool takes a vote on a recent block whether or not its ticket won (mempool.go), so the
// work is the pool's work; the votes are never mined.
//   deno run -A bench/vote_floor.ts <node endpoints JSON> <pool tickets file> <floor tickets file>
import WebSocket from "ws";
import type { Endpoint } from "../src/sim/network.ts";

interface Rpc {
  readonly call: (method: string, params: ReadonlyArray<unknown>) => Promise<unknown>;
  readonly onNotification: (f: (method: string, params: ReadonlyArray<unknown>, at: number) => void) => void;
}

const connect = (e: Endpoint): Promise<Rpc> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://${new URL(e.url).host}/ws`, {
      ca: Deno.readTextFileSync(e.cert),
      headers: { Authorization: `Basic ${btoa(`${e.user}:${e.password}`)}` },
      perMessageDeflate: false,
    });
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    let listener: (method: string, params: ReadonlyArray<unknown>, at: number) => void = () => {};
    let nextId = 0;
    ws.on("message", (data: Uint8Array) => {
      const at = performance.now();
      const m = JSON.parse(new TextDecoder().decode(data));
      if (typeof m.id === "number") {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error) p?.reject(new Error(`${m.error.code}: ${m.error.message}`));
        else p?.resolve(m.result);
      } else if (typeof m.method === "string") listener(m.method, m.params ?? [], at);
    });
    ws.once("error", reject);
    ws.once("close", () => {
      console.error(`floor: ${e.url} closed`);
      Deno.exit(1);
    });
    ws.once("open", () =>
      resolve({
        call: (method, params) =>
          new Promise((res, rej) => {
            const id = ++nextId;
            pending.set(id, { resolve: res, reject: rej });
            ws.send(JSON.stringify({ jsonrpc: "1.0", method, params, id }));
          }),
        onNotification: (f) => {
          listener = f;
        },
      }));
  });

if (import.meta.main) {
  const node = JSON.parse(Deno.args[0]) as { hcd: Endpoint; wallet: Endpoint };
  const pool = new Set<string>(JSON.parse(Deno.readTextFileSync(Deno.args[1])));
  const own: ReadonlyArray<string> = JSON.parse(Deno.readTextFileSync(Deno.args[2]));
  const [hcd, wallet] = await Promise.all([connect(node.hcd), connect(node.wallet)]);
  const info = await wallet.call("walletinfo", []) as { votebits: number; votebitsextended: string };
  let next = 0;
  hcd.onNotification((method, params, at) => {
    if (method !== "winningtickets") return;
    const [blockHash, blockHeight, byIndex] = params as [string, number, Record<string, string> | null];
    const winners = Object.values(byIndex ?? {}).filter((t) => pool.has(t)).length;
    const tickets = own.slice(next, next + winners);
    next += winners;
    Promise.all(tickets.map(async (ticket) => {
      const vote = await wallet.call("generatevote", [
        blockHash,
        blockHeight,
        ticket,
        info.votebits,
        info.votebitsextended,
      ]) as { hex: string };
      // Another floor process may have sent the same vote first, as another stakepoold may.
      await hcd.call("sendrawtransaction", [vote.hex, false]).catch((e: Error) => {
        if (!e.message.includes("already have transaction")) throw e;
      });
    })).then(
      () =>
        console.log(
          JSON.stringify({ height: blockHeight, votes: tickets.length, ms: performance.now() - at }),
        ),
      (e) => console.log(JSON.stringify({ height: blockHeight, error: String(e) })),
    );
  });
  await hcd.call("notifywinningtickets", []);
  console.log("ready");
}
