// Errors of the JSON-RPC transport (HC-PROTOCOL §8.2). Messages name the host and method, never
// credentials.
import { Data, Schema } from "effect";

/** hcjson error codes the pool, stakepoold and hcsim use. */
export const RpcCode = {
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  parse: -32700,
  misc: -1,
  type: -3,
  wallet: -4,
  invalidAddressOrKey: -5,
  insufficientFunds: -6,
  invalidParameter: -8,
  clientNotConnected: -9,
  unlockNeeded: -13,
  passphraseIncorrect: -14,
  deserialization: -22,
} as const;

/**
 * hcwallet's answer (-4, nothing appended) to rescanwallet from a height above its own best block:
 * it has no block record there to begin at (udb GetMainChainBlockHashForHeight, hcwallet 51a2c09).
 */
export const NO_MAIN_CHAIN_BLOCK = "No main chain block for height";

/** The `error` member of a JSON-RPC response; a server handler fails (or throws) with it. */
export class RpcErrorObject extends Schema.TaggedError<RpcErrorObject>()("RpcErrorObject", {
  code: Schema.Number,
  message: Schema.String,
}) {}

/** The server answered the call with a JSON-RPC error; its code and message are kept. */
export class RpcCallError extends Data.TaggedError("RpcCallError")<{
  readonly host: string;
  readonly method: string;
  readonly code: number;
  readonly message: string;
}> {
  override toString() {
    return `${this.host} ${this.method}: ${this.code}: ${this.message}`;
  }
}

/** The call did not get an answer: unreachable, TLS refused, connection closed, 401. */
export class RpcTransportError extends Data.TaggedError("RpcTransportError")<{
  readonly host: string;
  readonly method: string;
  readonly detail: string;
}> {
  override get message() {
    return `${this.host} ${this.method}: ${this.detail}`;
  }
}

export class RpcTimeout extends Data.TaggedError("RpcTimeout")<{
  readonly host: string;
  readonly method: string;
  readonly ms: number;
}> {
  override get message() {
    return `${this.host} ${this.method}: no answer within ${this.ms} ms`;
  }
}

/** The answer did not have the documented shape. */
export class RpcDecodeError extends Data.TaggedError("RpcDecodeError")<{
  readonly host: string;
  readonly method: string;
  readonly detail: string;
}> {
  override get message() {
    return `${this.host} ${this.method}: unexpected result: ${this.detail}`;
  }
}

export type RpcError = RpcCallError | RpcTransportError | RpcTimeout;
