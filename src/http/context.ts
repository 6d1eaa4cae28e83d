// What every handler sees: the services it may run use cases against (WebServices), and the
// request's own state set by the middleware (Hono's typed Variables), read with c.get("name"):
// Hono's c.var copies every variable into a new object at each use.
import type { Context as HonoContext } from "hono";
import type { Effect, Exit } from "effect";
import type { PoolSettings, PoolSettingsApi } from "../accounts/pool_settings.ts";
import type { Captcha } from "../captcha/captcha.ts";
import type { User } from "../domain/models.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { UserCounts } from "../pool/user_counts.ts";
import type { ResponseSigner } from "../signing/response_signer.ts";
import type { AuditLog } from "../storage/audit_log.ts";
import type { EmailChanges } from "../storage/email_changes.ts";
import type { LowFeeTickets } from "../storage/low_fee_tickets.ts";
import type { PasswordResets } from "../storage/password_resets.ts";
import type { Sessions } from "../storage/sessions.ts";
import type { Users } from "../storage/users.ts";
import type { StakepooldWatch } from "../tickets/stakepoold_watch.ts";
import type { TicketView } from "../tickets/ticket_view.ts";
import type { AddressRegistration } from "../wallets/address_registration.ts";
import type { Reconciler } from "../wallets/reconciler.ts";
import type { StakepooldClients } from "../wallets/stakepoolds.ts";
import type { VotingWallets } from "../wallets/voting_wallets.ts";
import type { RateLimits } from "./middleware/rate_limit.ts";
import type { SessionState } from "./middleware/session.ts";
import type { Form } from "./form.ts";

/** Every service a page or API command may use (through use cases). */
export type WebServices =
  | PoolSettings
  | Users
  | UserCounts
  | Sessions
  | EmailChanges
  | PasswordResets
  | AuditLog
  | LowFeeTickets
  | VotingWallets
  | StakepooldClients
  | Reconciler
  | AddressRegistration
  | Mailer
  | Captcha
  | RateLimits
  | ResponseSigner
  | TicketView
  | StakepooldWatch;

/** Runs an effect on the web app's runtime (captured once by the server layer). */
export type Runner = <A, E>(effect: Effect.Effect<A, E, WebServices>) => Promise<Exit.Exit<A, E>>;

export interface AppEnv {
  Bindings: {
    /** The peer of the connection (Deno.serve's info); absent for a unix socket. */
    readonly remoteAddr?: Deno.Addr;
  };
  Variables: {
    readonly run: Runner;
    /** The pool's configuration and what start-up learned (plain values, for display). */
    readonly settings: PoolSettingsApi;
    /** The client's IP (realipheader when configured, else the connection's peer). */
    readonly ip: string;
    readonly session: SessionState;
    /** The signed-in user, if any. */
    readonly user: User | undefined;
    /** The signed-in user is an admin and asks from an admin IP. */
    readonly isAdmin: boolean;
    /** The POSTed form, read once (strictly) by the CSRF middleware. */
    readonly form: Form;
  };
}

export type Ctx = HonoContext<AppEnv>;
