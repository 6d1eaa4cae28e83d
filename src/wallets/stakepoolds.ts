// The web app's view of its stakepoolds: after a change in the database (users' voting
// preferences, admin-added low-fee tickets) every stakepoold is told, each independently; a
// stakepoold that is down is reported, never fatal (voting goes on in the others).
import { Context, Effect, Layer, type Redacted } from "effect";
import type { NetParams } from "../domain/params.ts";
import { isValidVoteBits } from "../domain/votebits.ts";
import { makeStakepooldControlClient, type StakepooldEndpoint } from "../rpc/stakepoold_client.ts";
import { ControlApi } from "../rpc/stakepoold_protocol.ts";
import { inSubsystem } from "../runtime/logging.ts";
import { LowFeeTickets } from "../storage/low_fee_tickets.ts";
import { Users } from "../storage/users.ts";

export type StakepooldUpdate = "users" | "tickets" | "all";

export interface StakepooldUpdateReport {
  readonly ok: number;
  /** Host and reason for each stakepoold that did not take the update. */
  readonly failed: ReadonlyArray<{ readonly host: string; readonly reason: string }>;
}

export class StakepooldClients extends Context.Tag("hcstakepool/StakepooldClients")<StakepooldClients, {
  /** Reads the current rows from the database and pushes them to every stakepoold. */
  readonly updateAll: (kind: StakepooldUpdate) => Effect.Effect<StakepooldUpdateReport>;
}>() {
  /** No stakepoold configured (enablestakepoold=false). */
  static readonly none = Layer.succeed(StakepooldClients, {
    updateAll: () => Effect.succeed({ ok: 0, failed: [] }),
  });
}

export interface StakepooldClientsOptions {
  readonly endpoints: ReadonlyArray<StakepooldEndpoint>;
  readonly secret: Redacted.Redacted<string>;
  readonly net: NetParams;
  /** The voting wallets' vote version: users' bits that do not fit it are reset before a push. */
  readonly voteVersion: number;
  readonly timeoutMs?: number;
}

/**
 * updateAll for real stakepoolds (behaviour §6.1 StakepooldUpdateAll): users → reset bits that no
 * longer fit the vote version, then SetUserVotingPrefs with every user that has a multisig;
 * tickets → SetAddedLowFeeTickets with the votable LowFeeTicket rows. Each stakepoold is told
 * independently and concurrently.
 */
export const stakepooldClientsLive = (options: StakepooldClientsOptions) =>
  Layer.effect(
    StakepooldClients,
    Effect.gen(function* () {
      const users = yield* Users;
      const lowFee = yield* LowFeeTickets;
      const clients = options.endpoints.map((endpoint) =>
        makeStakepooldControlClient({ endpoint, secret: options.secret, timeoutMs: options.timeoutMs })
      );
      const userPrefs = Effect.gen(function* () {
        yield* users.resetVoteBits(
          options.voteVersion,
          (bits) => isValidVoteBits(options.net, options.voteVersion, bits),
        );
        return (yield* users.votingConfigs).map((u) => ({
          UserId: u.UserId,
          MultiSigAddress: u.MultiSigAddress,
          VoteBits: u.VoteBits,
          VoteBitsVersion: u.VoteBitsVersion,
        }));
      });
      const addedTickets = Effect.map(
        lowFee.votable,
        (rows) => rows.map((t) => ({ TicketAddress: t.TicketAddress, TicketHash: t.TicketHash })),
      );
      return {
        updateAll: (kind) =>
          Effect.gen(function* () {
            const pushUsers = kind !== "tickets";
            const pushTickets = kind !== "users";
            const userVotingConfig = pushUsers ? yield* userPrefs : [];
            const tickets = pushTickets ? yield* addedTickets : [];
            const results = yield* Effect.forEach(clients, (client) =>
              Effect.all([
                pushUsers ? client.call(ControlApi.setUserVotingPrefs, { userVotingConfig }) : Effect.void,
                pushTickets ? client.call(ControlApi.setAddedLowFeeTickets, { tickets }) : Effect.void,
              ]).pipe(
                Effect.as(undefined),
                Effect.catchAll((e) => Effect.succeed({ host: client.host, reason: e.message })),
              ), { concurrency: "unbounded" });
            const failed = results.filter((r) => r !== undefined);
            for (const f of failed) {
              yield* Effect.logWarning("stakepoold did not take the update").pipe(
                Effect.annotateLogs({ host: f.host, kind, reason: f.reason }),
              );
            }
            if (clients.length > 0 && failed.length === clients.length) {
              yield* Effect.logWarning("no stakepoold connections alive/working?");
            }
            return { ok: clients.length - failed.length, failed };
          }).pipe(
            Effect.catchAll((e) =>
              Effect.succeed({
                ok: 0,
                failed: clients.map((c) => ({ host: c.host, reason: `reading the database: ${e.message}` })),
              })
            ),
            inSubsystem("SPDC"),
            Effect.withSpan("StakepooldClients.updateAll", { attributes: { kind } }),
          ),
      };
    }),
  );
