// One API command: its route, whether it needs a token, the Schemas of its request fields and of
// its answer's data, the failures it documents, and the use case it runs. The router serves it,
// the OpenAPI document and the API page describe it, all from this one definition.
import { type Effect, Schema } from "effect";
import type { PoolSettingsApi } from "../../accounts/pool_settings.ts";
import type { User } from "../../domain/models.ts";
import type { WebServices } from "../context.ts";
import type { RateRuleName } from "../middleware/rate_limit.ts";
import type { Code, DataOnError } from "./envelope.ts";

export type ApiVersion = 1 | 2;

export interface CommandInput<F> {
  /** The token's user; always set for a command with `auth`. */
  readonly user: User;
  readonly fields: F;
  readonly ip: string;
  readonly settings: PoolSettingsApi;
}

/** A failure the command can answer with, as the API page and OpenAPI document list it. */
export interface DocumentedFailure {
  readonly code: Code;
  readonly message: string;
}

export interface ApiCommand {
  readonly name: string;
  readonly method: "GET" | "POST";
  readonly versions: ReadonlyArray<ApiVersion>;
  readonly summary: string;
  /** Needs `Authorization: Bearer <API token>`; without a valid one it answers code 16. */
  readonly auth: boolean;
  /** The success answer's message. */
  readonly successMessage: string;
  /** The start of its error messages ("purchaseinfo error"). */
  readonly errorPrefix: string;
  /** Request fields (form or JSON body); every value is text, as Go's FormValue gives it. */
  readonly fields: Schema.Struct<any> | undefined;
  /** The success answer's data; undefined: the answer has no data. */
  readonly data: Schema.Schema<any, any> | undefined;
  readonly dataOnError: DataOnError;
  readonly failures: ReadonlyArray<DocumentedFailure>;
  /** Rate rules consumed per client IP before anything else, and per user once the token is known. */
  readonly limits: { readonly ip?: RateRuleName; readonly user?: RateRuleName };
  /** The data (undefined without); ApiFailure is answered as it is, any other failure logged and answered as code 13. */
  readonly run: (input: CommandInput<any>) => Effect.Effect<unknown, unknown, WebServices>;
}

/** An ApiCommand as written: its field Schemas bare, its use case typed by them. */
interface CommandDefinition<F extends Record<string, typeof Schema.String>, D>
  extends Omit<ApiCommand, "fields" | "data" | "limits" | "run"> {
  readonly fields?: F;
  readonly data?: Schema.Schema<D, any>;
  readonly limits?: ApiCommand["limits"];
  readonly run: (
    input: CommandInput<Schema.Struct.Type<F>>,
  ) => Effect.Effect<D, unknown, WebServices>;
}

/** Types a command's use case against its own Schemas; the table keeps them as ApiCommand. */
export const command = <F extends Record<string, typeof Schema.String> = Record<never, never>, D = undefined>(
  d: CommandDefinition<F, D>,
): ApiCommand => ({
  ...d,
  fields: d.fields === undefined ? undefined : Schema.Struct(d.fields),
  data: d.data,
  limits: d.limits ?? {},
});

/** Go's integer field types, so the OpenAPI document states their ranges. */
export const Uint16 = Schema.Int.pipe(Schema.between(0, 0xffff)).annotations({ identifier: "Uint16" });
export const Uint32 = Schema.Int.pipe(Schema.between(0, 0xffffffff)).annotations({ identifier: "Uint32" });
