// The original's answer envelope (behaviour §2.4): {status, code, message, data} with gRPC code
// numbers, written as Go's json.Encoder writes it (HTML-safe escapes, a trailing newline), so an
// existing client reads the same bytes. `data` is absent or null exactly where the original left
// it so: absent on answers of commands without data (address, voting), null on the error answers
// of getpurchaseinfo and stats (a typed nil pointer in Go).
import { Schema } from "effect";

/** The gRPC code numbers the original answers with (plus ResourceExhausted for our rate limits). */
export const Code = {
  OK: 0,
  InvalidArgument: 3,
  AlreadyExists: 6,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Internal: 13,
  Unavailable: 14,
  Unauthenticated: 16,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

/** A command's refusal, as it crosses the wire: message is "<prefix> - <reason>" as the original's. */
export class ApiFailure extends Schema.TaggedError<ApiFailure>()("ApiFailure", {
  code: Schema.Int,
  message: Schema.String,
  /** HTTP status: 200 as the original for everything it answered; 413/429 for our new limits. */
  httpStatus: Schema.optionalWith(Schema.Int, { default: () => 200 }),
  retryAfterSeconds: Schema.optional(Schema.Int),
}) {}

export const failure = (
  code: Code,
  prefix: string,
  reason: string,
  extra: { readonly httpStatus?: number; readonly retryAfterSeconds?: number } = {},
) => new ApiFailure({ code, message: `${prefix} - ${reason}`, ...extra });

/** What data an error answer carries: none, or null (getpurchaseinfo, stats). */
export type DataOnError = "absent" | "null";

export interface Envelope {
  readonly status: "success" | "error";
  readonly code: number;
  readonly message: string;
  /** Present only when the answer carries it (an encoded value, or null). */
  readonly data?: unknown;
}

export const successEnvelope = (message: string, data?: unknown): Envelope =>
  data === undefined
    ? { status: "success", code: Code.OK, message }
    : { status: "success", code: Code.OK, message, data };

export const errorEnvelope = (failed: ApiFailure, dataOnError: DataOnError): Envelope =>
  dataOnError === "null"
    ? { status: "error", code: failed.code, message: failed.message, data: null }
    : { status: "error", code: failed.code, message: failed.message };

/** Anything outside /api/v1 and /api/v2 commands (HTTP 404), word for word the original's. */
export const INVALID_COMMAND: Envelope = {
  status: "error",
  code: Code.InvalidArgument,
  message: "invalid API command or version",
};

const GO_ESCAPES = /[<>&\u2028\u2029]/g;

/**
 * Go's json.Encoder output: JSON.stringify's text (the same number and string forms) with <, >, &,
 * U+2028 and U+2029 escaped as \u00xx, and a newline at the end.
 */
export const goJson = (value: unknown): string =>
  JSON.stringify(value).replace(GO_ESCAPES, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`) +
  "\n";

/** The envelope's schemas, for the OpenAPI document. */
export const envelopeSchemas = (data: Schema.Schema.Any | undefined, dataOnError: DataOnError) => {
  const success: Schema.Struct.Fields = {
    status: Schema.Literal("success"),
    code: Schema.Literal(Code.OK),
    message: Schema.String,
  };
  const error: Schema.Struct.Fields = {
    status: Schema.Literal("error"),
    code: Schema.Int,
    message: Schema.String,
  };
  return {
    success: Schema.Struct(data === undefined ? success : { ...success, data }),
    error: Schema.Struct(dataOnError === "null" ? { ...error, data: Schema.Null } : error),
  };
};
