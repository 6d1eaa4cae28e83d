// What a user needs to buy tickets the pool votes (the /tickets page's instructions and the API's
// `getpurchaseinfo`): their ticket address and script, their fee address and the pool's fee, and
// their vote bits with the vote version they apply to (the original never filled that one in).
import { Data, Effect } from "effect";
import { PoolSettings } from "../accounts/pool_settings.ts";
import type { User } from "../domain/models.ts";

/** The user has no ticket address yet (the original's "no address submitted"). */
export class NoAddressSubmitted extends Data.TaggedError("NoAddressSubmitted")<{ readonly userId: number }> {
  override get message() {
    return "no address submitted";
  }
}

export interface PurchaseInfo {
  /** The user's pool fee address (coldwalletextpub/0/UserId). */
  readonly PoolAddress: string;
  /** Percent. */
  readonly PoolFees: number;
  /** The 1-of-2 [pool, user] redeem script, hex. */
  readonly Script: string;
  /** Its P2SH address: tickets vote with it. */
  readonly TicketAddress: string;
  readonly VoteBits: number;
  readonly VoteBitsVersion: number;
}

export const purchaseInfo = (user: User) =>
  Effect.flatMap(
    PoolSettings,
    ({ config }) =>
      user.MultiSigAddress === ""
        ? Effect.fail(new NoAddressSubmitted({ userId: user.UserId }))
        : Effect.succeed<PurchaseInfo>({
          PoolAddress: user.UserFeeAddr,
          PoolFees: config.poolFees,
          Script: user.MultiSigScript,
          TicketAddress: user.MultiSigAddress,
          VoteBits: user.VoteBits,
          VoteBitsVersion: user.VoteBitsVersion,
        }),
  );
