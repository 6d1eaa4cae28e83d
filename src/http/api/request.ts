// What a command reads from a request: the bearer token (only from the Authorization header, as
// the original; never a query string) and the POST fields from a urlencoded, multipart or JSON
// body. A body in any other type gives no fields, as Go's FormValue did. Every field is text: a
// missing one is "", a JSON number is its decimal text.
import { Either, Schema } from "effect";
import type { Context as HonoContext } from "hono";
import { type Form, readForm } from "../form.ts";

/** Longer is no token of ours (ours are ~200 characters). */
const MAX_TOKEN_CHARS = 4096;

/** The token of `Authorization: Bearer <token>` (the original's exact prefix), else undefined. */
export const bearerToken = (authorization: string | undefined): string | undefined => {
  if (authorization === undefined || !authorization.startsWith("Bearer ")) return undefined;
  const token = authorization.slice("Bearer ".length).trim();
  return token === "" || token.length > MAX_TOKEN_CHARS ? undefined : token;
};

export type BodyRejected = "too large" | "malformed";

const fieldsOfForm = (form: Form, names: ReadonlyArray<string>) =>
  Object.fromEntries(names.map((n) => [n, form.get(n)]));

const fieldsOfJson = (text: string, names: ReadonlyArray<string>) => {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = (body as Record<string, unknown>)[name];
    if (value === undefined || value === null) out[name] = "";
    else if (typeof value === "string") out[name] = value;
    else if (typeof value === "number" && Number.isFinite(value)) out[name] = String(value);
    else return undefined;
  }
  return out;
};

/** The command's fields, decoded with its Schema. */
export const readFields = async (
  c: HonoContext,
  schema: Schema.Struct<Record<string, Schema.Schema<string>>>,
): Promise<Either.Either<Readonly<Record<string, string>>, BodyRejected>> => {
  const names = Object.keys(schema.fields);
  const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
  let raw: Record<string, string> | undefined;
  switch (type) {
    case "application/x-www-form-urlencoded": {
      const form = await readForm(c.req.raw);
      if (Either.isLeft(form)) return Either.left(form.left.status === 413 ? "too large" : "malformed");
      raw = fieldsOfForm(form.right, names);
      break;
    }
    case "multipart/form-data": {
      const body = await c.req.formData().catch(() => undefined);
      if (body === undefined) return Either.left("malformed");
      raw = Object.fromEntries(names.map((n) => {
        const v = body.get(n);
        return [n, typeof v === "string" ? v : ""];
      }));
      break;
    }
    case "application/json":
      raw = fieldsOfJson(await c.req.text(), names);
      break;
    default:
      raw = Object.fromEntries(names.map((n) => [n, ""]));
  }
  if (raw === undefined) return Either.left("malformed");
  return Either.mapLeft(Schema.decodeUnknownEither(schema)(raw), (): BodyRejected => "malformed");
};
