// The demo's stand-in for a visitor's own wallet: hcsim's user wallet, reached over its JSON-RPC
// endpoint as `hcctl --wallet` would reach it. Only the demo composition provides it; the pages
// offer its two shortcuts (a fresh public key address, tickets bought with the purchase
// information) only when it is there, so a real pool never shows them.
import { Context, Data, Effect, Layer, Option } from "effect";
import { makeRpcClient } from "../rpc/jsonrpc_client.ts";
import { walletRpc } from "../rpc/hc_methods.ts";
import type { RpcEndpoint } from "../rpc/transport.ts";

export class DemoWalletFailed extends Data.TaggedError("DemoWalletFailed")<{
  readonly action: string;
  readonly detail: string;
}> {
  override get message() {
    return `the demo wallet could not ${this.action}: ${this.detail}`;
  }
}

/** A demo-only route asked of a pool that is not the demo: the 404 page. */
export class NotADemo extends Data.TaggedError("NotFound")<Record<never, never>> {
  override get message() {
    return "There is no such page on this pool.";
  }
}

export interface TicketOrder {
  readonly ticketAddress: string;
  readonly poolAddress: string;
  readonly poolFees: number;
  readonly count: number;
}

export class DemoWallet extends Context.Tag("hcstakepool/DemoWallet")<DemoWallet, {
  /** getnewaddress, then validateaddress's pubkeyaddr: what a visitor pastes on /address. */
  readonly newPubKeyAddress: Effect.Effect<string, DemoWalletFailed>;
  /** purchaseticket with the user's purchase information; the new tickets' hashes. */
  readonly buyTickets: (order: TicketOrder) => Effect.Effect<ReadonlyArray<string>, DemoWalletFailed>;
  /** Spendable coins left. */
  readonly balance: Effect.Effect<number, DemoWalletFailed>;
}>() {
  static readonly layer = (endpoint: RpcEndpoint) =>
    Layer.scoped(
      DemoWallet,
      Effect.map(
        makeRpcClient({ ...endpoint, name: "demo user wallet", transport: "post", timeoutMs: 15_000 }),
        (client) => {
          const wallet = walletRpc(client);
          const failed = (action: string) => (e: { readonly message: string }) =>
            new DemoWalletFailed({ action, detail: e.message });
          return {
            newPubKeyAddress: wallet.getNewAddress().pipe(
              Effect.flatMap((a) => wallet.validateAddress(a)),
              Effect.flatMap((v) =>
                v.pubkeyaddr === undefined
                  ? Effect.fail({ message: "validateaddress gave no pubkeyaddr" })
                  : Effect.succeed(v.pubkeyaddr)
              ),
              Effect.mapError(failed("make an address")),
            ),
            buyTickets: (o) =>
              // purchaseticket "default" <spend limit> <minconf> <ticket address> <count> <fee address> <fee %>
              wallet.purchaseTicket(["default", 1000, 1, o.ticketAddress, o.count, o.poolAddress, o.poolFees])
                .pipe(Effect.mapError(failed("buy tickets"))),
            balance: wallet.getBalance().pipe(
              Effect.map((b) => b.totalspendable ?? 0),
              Effect.mapError(failed("read its balance")),
            ),
          };
        },
      ),
    );
}

/** The demo wallet when the demo composition provides one. */
export const demoWallet: Effect.Effect<Option.Option<Context.Tag.Service<DemoWallet>>> = Effect.serviceOption(
  DemoWallet,
);
