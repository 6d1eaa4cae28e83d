// Address submission, for the /address page and the API's `address` command (behaviour §7.5):
// the pool computes the ticket address itself and the wallets must agree before anything is
// stored (AddressRegistration). Unlike the original, `closepool` blocks it too. A wallet that
// disagreed or failed an import has stopped wallet commands by the time this fails; the caller
// then gets WalletsStopped (maintenance), as every request after it does.
import { Data, Effect, Option } from "effect";
import type { User } from "../domain/models.ts";
import { AddressRegistration } from "../wallets/address_registration.ts";
import {
  VotingWallets,
  type WalletCallFailed,
  type WalletsDisagree,
  type WalletsStopped,
} from "../wallets/voting_wallets.ts";
import { audit } from "./audit.ts";
import { PoolSettings } from "./pool_settings.ts";

/** closepool is set: no new ticket addresses. The message is the operator's closepoolmsg. */
export class PoolClosed extends Data.TaggedError("PoolClosed")<{ readonly closePoolMsg: string }> {
  override get message() {
    return `The stake pool is closed: no new addresses are accepted right now. ${this.closePoolMsg}`;
  }
}

export interface AddressSubmission {
  readonly user: User;
  /** The UserPubKeyAddr field: a secp256k1 pay-to-pubkey address of this network. */
  readonly userPubKeyAddr: string;
  readonly ip: string;
}

/** The wallet failure, or the stop it caused (what the user should be shown). */
const stopOr = (e: WalletsDisagree | WalletCallFailed) =>
  Effect.flatMap(
    Effect.flatMap(VotingWallets, (vw) => vw.stopped),
    (stopped): Effect.Effect<never, WalletsDisagree | WalletCallFailed | WalletsStopped> =>
      Option.isSome(stopped) ? Effect.fail(stopped.value) : Effect.fail(e),
  );

export const submitAddress = (r: AddressSubmission) =>
  Effect.gen(function* () {
    const { config } = yield* PoolSettings;
    if (config.closePool) return yield* new PoolClosed({ closePoolMsg: config.closePoolMsg });
    const registration = yield* Effect.flatMap(
      AddressRegistration,
      (ar) => ar.register(r.user.UserId, r.userPubKeyAddr.trim()),
    ).pipe(Effect.catchTags({ WalletsDisagree: stopOr, WalletCallFailed: stopOr }));
    yield* audit({
      userId: r.user.UserId,
      ip: r.ip,
      action: "address submitted",
      detail: `ticket address ${registration.multisigAddress}`,
    });
    return registration;
  }).pipe(Effect.withSpan("submitAddress"));
