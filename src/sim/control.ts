// The sim control endpoint: JSON-RPC over HTTPS with Basic auth (served by the project's RPC
// server on its own port), exposing the in-process SimControl to scripts and other processes.
//   generate [n] → [hash]            reorg → hash          sideblock → hash
//   setfaults [node, {fault: value}] → faults     clearfaults [node?] → null     faults [node] → faults
//   dropwebsockets [node, "hcd"|"wallet"|"both"] → null
//   chainstate → ChainState          votes [ticket?] → [VoteRecord]      tickets → [TicketState]
//   underpaypoolfee [bool] → null
import { RpcCode } from "../rpc/errors.ts";
import type { RpcHandler } from "../rpc/jsonrpc_server.ts";
import { faultPatchProblem, type NodeFaults } from "./faults.ts";
import type { SimControl } from "./network.ts";
import { rpcFail } from "./wallet.ts";

const nodeIndex = (v: unknown): number =>
  Number.isInteger(v) ? v as number : rpcFail(RpcCode.invalidParams, "node must be an integer");

export const controlHandler = (control: SimControl): RpcHandler => async (method, params) => {
  const run = async (): Promise<unknown> => {
    switch (method) {
      case "generate": {
        const n = params[0] ?? 1;
        if (!Number.isInteger(n) || (n as number) < 1) {
          rpcFail(RpcCode.invalidParams, "n must be a positive integer");
        }
        return control.generate(n as number);
      }
      case "reorg":
        return control.reorg();
      case "sideblock":
        return control.sideBlock();
      case "setfaults": {
        const problem = faultPatchProblem(params[1]);
        if (problem) rpcFail(RpcCode.invalidParams, problem);
        return await control.setFaults(nodeIndex(params[0]), params[1] as Partial<NodeFaults>);
      }
      case "clearfaults":
        await control.clearFaults(params[0] === undefined ? undefined : nodeIndex(params[0]));
        return null;
      case "faults":
        return control.faults(nodeIndex(params[0]));
      case "dropwebsockets": {
        const which = params[1] ?? "both";
        if (which !== "hcd" && which !== "wallet" && which !== "both") {
          rpcFail(RpcCode.invalidParams, `which must be "hcd", "wallet" or "both"`);
        }
        control.dropWebsockets(nodeIndex(params[0]), which as "hcd" | "wallet" | "both");
        return null;
      }
      case "chainstate":
        return control.chainState();
      case "votes":
        return control.votes(typeof params[0] === "string" ? params[0] : undefined);
      case "tickets":
        return control.tickets();
      case "underpaypoolfee":
        control.underpayPoolFee(params[0] === true);
        return null;
      default:
        return rpcFail(RpcCode.methodNotFound, "Method not found");
    }
  };
  try {
    return await run();
  } catch (e) {
    // A bad node index is the caller's mistake, not an internal error.
    if (e instanceof RangeError) return rpcFail(RpcCode.invalidParameter, e.message);
    throw e;
  }
};
