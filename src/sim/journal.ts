// hcsim's memory across restarts: a journal file of everything that changed the network from
// outside — the hcd/hcwallet/control calls that change state, in the order they came, and every
// block mined, reorganized or put on a side chain — replayed at start over the same seed. The
// simulation is deterministic given its seed and its inputs (block times come from the chain's own
// clock), so the replay gives back the same chain, wallets, tickets and votes. Not kept: faults,
// wallet lock state, RPC credentials and ports (new at each start). One JSON object per line; a
// last line cut short by a crash is ignored.
import type { NetName } from "../domain/params.ts";
import type { RpcHandler, RpcRequestContext } from "../rpc/jsonrpc_server.ts";
import type { SimChain } from "./chain.ts";

export type JournalServer = "hcd" | "wallet" | "control";

/** The calls that change the simulation; every other method only reads. */
const STATE_CHANGING: Readonly<Record<JournalServer, ReadonlySet<string>>> = {
  hcd: new Set(["sendrawtransaction"]),
  wallet: new Set([
    "sendrawtransaction",
    "getnewaddress",
    "importscript",
    "accountsyncaddressindex",
    "addticket",
    "rescanwallet",
    "generatevote",
    "setvotechoice",
    "setticketfee",
    "purchaseticket",
  ]),
  // generate, reorg and sideblock are journaled as the blocks they make.
  control: new Set(["underpaypoolfee"]),
};

/** What the journal was started for; a later start must ask for the same network. */
export interface JournalHeader {
  readonly hcsimJournal: 1;
  readonly seed: string;
  readonly net: NetName;
  readonly nodes: number;
}

type Entry =
  | { readonly block: "mine" | "reorg" | "side" }
  | {
    /** Node index; -1 is the user wallet, control calls have none. */
    readonly node: number;
    readonly server: JournalServer;
    readonly method: string;
    readonly params: ReadonlyArray<unknown>;
  };

export class JournalMismatch extends Error {
  constructor(path: string, detail: string) {
    super(`hcsim journal ${path}: ${detail}; start with another datadir or remove the file`);
  }
}

const REPLAY_CONTEXT: RpcRequestContext = { connectionId: "journal-replay", notify: () => {} };

export class SimJournal {
  private file: Deno.FsFile | undefined;
  private recording = false;
  private readonly encoder = new TextEncoder();

  private constructor(
    readonly path: string,
    readonly header: JournalHeader,
    private readonly entries: ReadonlyArray<Entry>,
  ) {}

  /**
   * The journal at `path`: its header and entries when it exists (its network must be the one
   * asked for), else a new one for `want` with `seed` (a fresh one when absent).
   */
  static open(
    path: string,
    want: { readonly seed: string | undefined; readonly net: NetName; readonly nodes: number },
    newSeed: () => string,
  ): SimJournal {
    let text: string | undefined;
    try {
      text = Deno.readTextFileSync(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (text === undefined || text.trim() === "") {
      const header: JournalHeader = {
        hcsimJournal: 1,
        seed: want.seed ?? newSeed(),
        net: want.net,
        nodes: want.nodes,
      };
      Deno.writeTextFileSync(path, `${JSON.stringify(header)}\n`, { mode: 0o600 });
      return new SimJournal(path, header, []);
    }
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    const parse = (line: string, i: number): unknown => {
      try {
        return JSON.parse(line);
      } catch {
        // Only the last line can be a write cut short.
        if (i === lines.length - 1) return undefined;
        throw new JournalMismatch(path, `line ${i + 1} is not JSON`);
      }
    };
    const header = parse(lines[0], 0) as JournalHeader | undefined;
    if (header?.hcsimJournal !== 1) throw new JournalMismatch(path, "not an hcsim journal");
    const differs = [
      header.net !== want.net ? `net ${header.net}, not ${want.net}` : undefined,
      header.nodes !== want.nodes ? `${header.nodes} nodes, not ${want.nodes}` : undefined,
      want.seed !== undefined && want.seed !== header.seed ? `another seed (${header.seed})` : undefined,
    ].filter((d) => d !== undefined);
    if (differs.length > 0) throw new JournalMismatch(path, `it was written for ${differs.join(", ")}`);
    const entries = lines.slice(1).flatMap((l, i) => {
      const e = parse(l, i + 1);
      return e === undefined ? [] : [e as Entry];
    });
    return new SimJournal(path, header, entries);
  }

  get blocks(): number {
    return this.entries.filter((e) => "block" in e).length;
  }

  /** `handler` that journals each state-changing call before it runs (while recording). */
  wrap(node: number | undefined, server: JournalServer, handler: RpcHandler): RpcHandler {
    return (method, params, ctx) => {
      if (this.recording && STATE_CHANGING[server].has(method)) {
        this.append({ node: node ?? 0, server, method, params });
      }
      return handler(method, params, ctx);
    };
  }

  /**
   * Replays the entries on the freshly built network (each call's own failure is the failure it
   * had the first time), then records from here on: blocks from the chain's events, calls through
   * the wrapped handlers.
   */
  async replayThenRecord(
    chain: SimChain,
    handlerOf: (node: number, server: JournalServer) => RpcHandler,
  ): Promise<void> {
    for (const e of this.entries) {
      if ("block" in e) {
        if (e.block === "mine") chain.mine();
        else if (e.block === "reorg") chain.reorganize();
        else chain.sideBlock();
        continue;
      }
      try {
        await handlerOf(e.node, e.server)(e.method, e.params, REPLAY_CONTEXT);
      } catch {
        // It failed the same way when it was first made.
      }
    }
    this.file = Deno.openSync(this.path, { append: true });
    // A reorganization arrives as reorganization, disconnected, connected: one journal entry.
    let partOfReorg = 0;
    chain.onEvent((event) => {
      if (partOfReorg > 0) {
        partOfReorg--;
        return;
      }
      if (event.kind === "reorganization") {
        partOfReorg = 2;
        this.append({ block: "reorg" });
      } else if (event.kind === "connected") this.append({ block: "mine" });
      else if (event.kind === "side") this.append({ block: "side" });
    });
    this.recording = true;
  }

  close() {
    this.recording = false;
    this.file?.close();
    this.file = undefined;
  }

  private append(entry: Entry) {
    const bytes = this.encoder.encode(`${JSON.stringify(entry)}\n`);
    for (let at = 0; at < bytes.length;) at += this.file!.writeSync(bytes.subarray(at));
  }
}
