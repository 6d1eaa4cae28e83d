// Address submission (behaviour §7.5, DESIGN "Key flows"): the pool computes the user's ticket
// address itself, the voting wallets must agree with it, every wallet imports the script, and only
// then is the user row written (one transaction) and the stakepoolds told. A wallet that disagrees
// with the pool's own computation stops wallet commands; nothing half-done is stored.
import type { SqlError } from "@effect/sql/SqlError";
import { Context, Data, Effect, Either, Layer, Option } from "effect";
import { decodeAddressForNet, encodeAddress, scriptHashAddress } from "../domain/address.ts";
import { fromHex, toHex } from "../domain/bytes.ts";
import { deriveAddress, type ExtendedKey } from "../domain/hdkey.ts";
import type { NetParams } from "../domain/params.ts";
import { poolMultisigScript } from "../domain/script.ts";
import type { User } from "../domain/models.ts";
import { RpcCode } from "../rpc/errors.ts";
import { StakepooldClients } from "./stakepoolds.ts";
import { MAX_USER_ID, UserNotFound, Users } from "../storage/users.ts";
import {
  type VotingWallet,
  VotingWallets,
  type VotingWalletsApi,
  type WalletCallFailed,
  type WalletCommandError,
  WalletsDisagree,
} from "./voting_wallets.ts";

/** The user's input was refused; the message is the original's flash text (or the wallets' refusal). */
export class AddressRejected extends Data.TaggedError("AddressRejected")<{ readonly message: string }> {}

/** hcwallet wraps every createmultisig failure as a parse error (HC-PROTOCOL §8.2, §11.2). */
const CREATEMULTISIG_REFUSED = RpcCode.parse;

export const ONE_ADDRESS_PER_ACCOUNT = "Stake pool is currently limited to one address per account";

/** Everything the pool computes locally for a user before asking any wallet. */
export interface LocalRegistration {
  /** P2PKH address of the pool's voting key for this user (votingwalletextpub/0/UserId). */
  readonly poolAddress: string;
  readonly poolPubKey: string;
  readonly poolPubKeyAddr: string;
  readonly userPubKeyAddr: string;
  /** 1-of-2 [pool, user] redeem script, hex. */
  readonly redeemScript: string;
  /** Its P2SH address: the user's ticket address. */
  readonly multisigAddress: string;
  /** coldwalletextpub/0/UserId. */
  readonly feeAddress: string;
}

export interface Registration extends LocalRegistration {
  readonly user: User;
  readonly heightRegistered: number;
}

export interface PoolKeys {
  readonly votingWalletExtPub: ExtendedKey;
  readonly coldWalletExtPub: ExtendedKey;
}

const EXTERNAL_BRANCH = 0;

/** Checks the submitted address and computes the user's pool key, script, ticket and fee addresses. */
export const localRegistration = (
  net: NetParams,
  keys: PoolKeys,
  userId: number,
  userPubKeyAddr: string,
): Either.Either<LocalRegistration, AddressRejected> =>
  Either.gen(function* () {
    const reject = (message: string) => Either.left(new AddressRejected({ message }));
    if (userPubKeyAddr.length < 40) return yield* reject("Address is too short");
    if (userPubKeyAddr.length > 65) return yield* reject("Address is too long");
    const user = yield* Either.mapLeft(
      decodeAddressForNet(userPubKeyAddr, net),
      () => new AddressRejected({ message: "Couldn't decode address" }),
    );
    if (user.kind !== "pubkey" || user.sigType !== "secp256k1") {
      return yield* reject("Incorrect address type");
    }
    const derive = (key: ExtendedKey, message: string) =>
      userId < 0 || userId > MAX_USER_ID
        ? reject(message)
        : Either.mapLeft(deriveAddress(key, EXTERNAL_BRANCH, userId), () => new AddressRejected({ message }));
    const pool = yield* derive(keys.votingWalletExtPub, "Unable to derive ticket address");
    const fee = yield* derive(keys.coldWalletExtPub, "Unable to derive fee address");
    const script = poolMultisigScript(Either.getOrThrow(fromHex(pool.pubKey)), user.pubKey);
    return {
      poolAddress: pool.address,
      poolPubKey: pool.pubKey,
      poolPubKeyAddr: pool.pubKeyAddress,
      userPubKeyAddr,
      redeemScript: toHex(script),
      multisigAddress: encodeAddress(scriptHashAddress(net, script)),
      feeAddress: fee.address,
    };
  });

/**
 * validateaddress and createmultisig on the given wallets, compared with the local result.
 * Fails with a description of the first disagreement; returns the wallets that passed both checks
 * (one that did not answer one of them was not cross-checked).
 */
const compareWithLocal = (
  vw: VotingWalletsApi,
  local: LocalRegistration,
  among: ReadonlyArray<VotingWallet>,
) =>
  Effect.gen(function* () {
    const validated = yield* vw.fanOut("validateaddress", (rpc) =>
      rpc.validateAddress(local.poolAddress), among);
    for (const { wallet, value } of validated.answers) {
      if (!value.isvalid || value.ismine !== true) {
        return yield* new WalletsDisagree({
          method: "validateaddress",
          detail: `${wallet.name} does not own the pool ticket address ${local.poolAddress} ` +
            `(does votingwalletextpub belong to the voting wallets' seed?)`,
        });
      }
      if (value.pubkeyaddr !== local.poolPubKeyAddr || value.pubkey !== local.poolPubKey) {
        return yield* new WalletsDisagree({
          method: "validateaddress",
          detail: `${wallet.name} reports pubkey address ${value.pubkeyaddr} for ${local.poolAddress}, ` +
            `the pool derived ${local.poolPubKeyAddr}`,
        });
      }
    }
    const multisig = yield* vw.fanOut(
      "createmultisig",
      (rpc) =>
        rpc.createMultisig(1, [local.poolPubKeyAddr, local.userPubKeyAddr]),
      validated.answers.map((a) =>
        a.wallet
      ),
    );
    for (const { wallet, value } of multisig.answers) {
      if (value.redeemScript !== local.redeemScript || value.address !== local.multisigAddress) {
        return yield* new WalletsDisagree({
          method: "createmultisig",
          detail: `${wallet.name} returned script ${value.redeemScript} (${value.address}), ` +
            `the pool computed ${local.redeemScript} (${local.multisigAddress})`,
        });
      }
    }
    return multisig.answers.map((a) => a.wallet);
  });

/**
 * Under the wallets' permit: compare, then import on every wallet that agreed. Returns the
 * registration height. Wallets skipped here get the script from the reconciler (the stored row).
 */
const registerOnWallets = (vw: VotingWalletsApi, local: LocalRegistration) =>
  Effect.gen(function* () {
    const ready = yield* vw.ready;
    const wallets = yield* compareWithLocal(vw, local, ready.wallets).pipe(
      Effect.tapErrorTag("WalletsDisagree", (e) =>
        vw.stop(
          e.message,
          Effect.flatMap(vw.ready, (r) => compareWithLocal(vw, local, r.wallets)).pipe(
            Effect.mapError((again) => again.message),
          ),
        )),
      Effect.tapErrorTag("WalletCallFailed", (e) =>
        Effect.logWarning("a voting wallet refused the address check; nothing was imported").pipe(
          Effect.annotateLogs({ wallet: e.wallet, method: e.method, code: e.code, detail: e.detail }),
        )),
      // A wallet that cannot build the script refuses the address; nothing differs and nothing
      // was imported, so wallet commands go on.
      Effect.catchIf(
        (e): e is WalletCallFailed =>
          e._tag === "WalletCallFailed" && e.method === "createmultisig" && e.code === CREATEMULTISIG_REFUSED,
        (e) =>
          new AddressRejected({
            message:
              `The voting wallets could not make a ticket address from this address (${e.wallet}: ${e.detail})`,
          }),
      ),
    );
    const best = yield* vw.fanOut("getbestblock", (rpc) =>
      rpc.getBestBlock(), wallets);
    // The lowest tip: rescanning from a little early is harmless, from too late misses tickets.
    const height = Math.min(...best.answers.map((a) =>
      a.value.height
    ));
    yield* vw.fanOut("importscript", (rpc) => rpc.importScript(local.redeemScript, true, height), wallets)
      .pipe(
        Effect.tapErrorTag("WalletCallFailed", (e) => vw.stop(`importscript failed: ${e.message}`)),
      );
    return height;
  });

export type RegistrationError = AddressRejected | WalletCommandError | UserNotFound | SqlError;

export class AddressRegistration extends Context.Tag("hcstakepool/AddressRegistration")<AddressRegistration, {
  /** Registers the user's secp256k1 pubkey address and gives them their ticket and fee addresses. */
  readonly register: (
    userId: number,
    userPubKeyAddr: string,
  ) => Effect.Effect<Registration, RegistrationError>;
}>() {
  static readonly layer = (keys: PoolKeys) =>
    Layer.effect(
      AddressRegistration,
      Effect.gen(function* () {
        const vw = yield* VotingWallets;
        const users = yield* Users;
        const stakepoolds = yield* StakepooldClients;
        return {
          register: (userId, userPubKeyAddr) =>
            Effect.gen(function* () {
              const unregistered = Effect.gen(function* () {
                const found = yield* users.byId(userId);
                if (Option.isNone(found)) return yield* new UserNotFound({ userId });
                if (found.value.UserPubKeyAddr !== "" || found.value.MultiSigAddress !== "") {
                  return yield* new AddressRejected({ message: ONE_ADDRESS_PER_ACCOUNT });
                }
              });
              yield* unregistered;
              const local = yield* localRegistration(vw.net, keys, userId, userPubKeyAddr);
              // Checked again and stored under the permit: a second submission for the same user
              // waiting behind this one must find the row written, not import its script again.
              const { user, heightRegistered } = yield* vw.exclusive(Effect.gen(function* () {
                yield* unregistered;
                const heightRegistered = yield* registerOnWallets(vw, local);
                const user = yield* users.setMultisig(userId, {
                  MultiSigAddress: local.multisigAddress,
                  MultiSigScript: local.redeemScript,
                  PoolPubKeyAddr: local.poolPubKeyAddr,
                  UserPubKeyAddr: local.userPubKeyAddr,
                  UserFeeAddr: local.feeAddress,
                  HeightRegistered: heightRegistered,
                }).pipe(
                  Effect.catchTag(
                    "AddressAlreadySet",
                    () => new AddressRejected({ message: ONE_ADDRESS_PER_ACCOUNT }),
                  ),
                );
                return { user, heightRegistered };
              }));
              const pushed = yield* stakepoolds.updateAll("users");
              for (const f of pushed.failed) {
                yield* Effect.logWarning("stakepoold did not take the new user").pipe(
                  Effect.annotateLogs({ stakepoold: f.host, reason: f.reason }),
                );
              }
              yield* Effect.logInfo("address registered").pipe(
                Effect.annotateLogs({
                  userId,
                  ticketAddress: local.multisigAddress,
                  height: heightRegistered,
                }),
              );
              return { ...local, user, heightRegistered };
            }).pipe(Effect.withSpan("AddressRegistration.register", { attributes: { userId } })),
        };
      }),
    );
}
