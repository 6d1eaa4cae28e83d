// The JSON API under /api: /api/v1/:command and /api/v2/:command from the command table, the
// OpenAPI document, and the original's 404 answer for anything else. Every answer — errors, limits
// and crashes included — is signed: HC-Server-Signature is the pool key's ed25519 signature of the
// exact body bytes. No session or cookie is used here: only the bearer token says who asks, and
// it never reaches a log line.
import { Cause, Effect, Either, Exit, Option, Schema } from "effect";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { verifyApiToken } from "../../accounts/api_token.ts";
import type { User } from "../../domain/models.ts";
import { ResponseSigner, SIGNATURE_HEADER } from "../../signing/response_signer.ts";
import type { AppEnv, Ctx } from "../context.ts";
import { MAX_FORM_BYTES } from "../form.ts";
import { RateLimits, type RateRuleName } from "../middleware/rate_limit.ts";
import type { ApiCommand } from "./command.ts";
import address from "./commands/address.ts";
import generateCaptcha from "./commands/generate_captcha.ts";
import purchaseInfo from "./commands/purchase_info.ts";
import stats from "./commands/stats.ts";
import { getVoting, setVoting } from "./commands/voting.ts";
import {
  ApiFailure,
  Code,
  type Envelope,
  errorEnvelope,
  failure,
  goJson,
  INVALID_COMMAND,
  successEnvelope,
} from "./envelope.ts";
import { openApiDocument } from "./openapi.ts";
import { bearerToken, readFields } from "./request.ts";

/** Every command of every version; a new command is a file in commands/ and a line here. */
export const API_COMMANDS: ReadonlyArray<ApiCommand> = [
  purchaseInfo,
  stats,
  generateCaptcha,
  address,
  setVoting,
  getVoting,
];

const CONTENT_TYPE = "application/json; charset=utf-8";

const answer = (c: Ctx, status: number, envelope: Envelope | object, retryAfterSeconds?: number) => {
  if (retryAfterSeconds !== undefined) c.header("Retry-After", String(retryAfterSeconds));
  return c.body(goJson(envelope), status as ContentfulStatusCode, { "Content-Type": CONTENT_TYPE });
};

/** Signs the body bytes the client will receive, after everything else has written them. */
const signAnswers: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const signer = await c.get("run")(ResponseSigner);
  if (Exit.isFailure(signer)) throw new Error("ResponseSigner missing from the web app's services");
  const body = new Uint8Array(await c.res.arrayBuffer());
  c.res = new Response(body, c.res);
  c.res.headers.set(SIGNATURE_HEADER, signer.value.sign(body));
};

/** Takes a point of `rule` for `key`; the refusal as an ApiFailure, or undefined to go on. */
const consume = async (c: Ctx, rule: RateRuleName, key: string, prefix: string) => {
  const exit = await c.get("run")(Effect.flatMap(RateLimits, (limits) => limits.consume(rule, key)));
  if (Exit.isSuccess(exit)) return undefined;
  const limited = Cause.failureOption(exit.cause);
  const seconds = Option.isSome(limited) ? limited.value.retryAfterSeconds : 60;
  return failure(Code.ResourceExhausted, prefix, `too many requests, retry in ${seconds} seconds`, {
    httpStatus: 429,
    retryAfterSeconds: seconds,
  });
};

const internalError = async (c: Ctx, prefix: string, cause: Cause.Cause<unknown>) => {
  // The path only: never the Authorization header (the token).
  await c.get("run")(
    Effect.logError("api command failed", cause).pipe(
      Effect.annotateLogs({ method: c.req.method, path: c.req.path }),
    ),
  );
  return failure(Code.Internal, prefix, "internal error");
};

/** The token's user: None for a missing, malformed, forged, revoked or orphaned token. */
const authenticate = async (c: Ctx, prefix: string): Promise<User | ApiFailure> => {
  const token = bearerToken(c.req.header("authorization"));
  if (token === undefined) return failure(Code.Unauthenticated, prefix, "invalid api token");
  const exit = await c.get("run")(verifyApiToken(token));
  if (Exit.isFailure(exit)) return internalError(c, prefix, exit.cause);
  if (Option.isSome(exit.value)) return exit.value.value;
  // Forged, revoked or another pool's: worth an operator's eye, the token itself never.
  await c.get("run")(
    Effect.logInfo("api token refused").pipe(Effect.annotateLogs({ path: c.req.path, ip: c.get("ip") })),
  );
  return failure(Code.Unauthenticated, prefix, "invalid api token");
};

const serve = (cmd: ApiCommand) => async (c: Ctx): Promise<Response> => {
  const prefix = cmd.errorPrefix;
  const refuse = (f: ApiFailure) =>
    answer(c, f.httpStatus, errorEnvelope(f, cmd.dataOnError), f.retryAfterSeconds);
  if (cmd.limits.ip !== undefined) {
    const limited = await consume(c, cmd.limits.ip, c.get("ip"), prefix);
    if (limited) return refuse(limited);
  }
  let user: User | undefined;
  if (cmd.auth) {
    const found = await authenticate(c, prefix);
    if (found instanceof ApiFailure) return refuse(found);
    user = found;
    if (cmd.limits.user !== undefined) {
      const limited = await consume(c, cmd.limits.user, String(user.UserId), prefix);
      if (limited) return refuse(limited);
    }
  }
  let fields: unknown = {};
  if (cmd.fields !== undefined) {
    const read = await readFields(c, cmd.fields);
    if (Either.isLeft(read)) {
      return refuse(
        read.left === "too large"
          ? failure(Code.InvalidArgument, prefix, "request body too large", { httpStatus: 413 })
          : failure(Code.InvalidArgument, prefix, "malformed request body"),
      );
    }
    fields = read.right;
  }
  const exit = await c.get("run")(
    Effect.flatMap(
      cmd.run({ user: user!, fields, ip: c.get("ip"), settings: c.get("settings") }),
      (data) =>
        cmd.data === undefined
          ? Effect.succeed(successEnvelope(cmd.successMessage))
          : Effect.map(Schema.encode(cmd.data)(data), (encoded) =>
            successEnvelope(cmd.successMessage, encoded)),
    ),
  );
  if (Exit.isSuccess(exit)) return answer(c, 200, exit.value);
  const failed = Cause.failureOption(exit.cause);
  if (Option.isSome(failed) && failed.value instanceof ApiFailure) return refuse(failed.value);
  return refuse(await internalError(c, prefix, exit.cause));
};

const tooLarge = (c: Ctx) => {
  const cmd = API_COMMANDS.find((k) => k.method === c.req.method && c.req.path.endsWith(`/${k.name}`));
  const f = failure(Code.InvalidArgument, cmd?.errorPrefix ?? "api error", "request body too large", {
    httpStatus: 413,
  });
  return answer(c, 413, errorEnvelope(f, cmd?.dataOnError ?? "absent"));
};

/** The /api sub-app; app.ts mounts it before the session middleware. */
export const apiRoutes = (): Hono<AppEnv> => {
  const api = new Hono<AppEnv>();
  api.use("*", signAnswers);
  api.use("*", bodyLimit({ maxSize: MAX_FORM_BYTES, onError: tooLarge }));
  const document = goJson(openApiDocument(API_COMMANDS));
  api.get("/openapi.json", (c) => c.body(document, 200, { "Content-Type": CONTENT_TYPE }));
  for (const cmd of API_COMMANDS) {
    for (const version of cmd.versions) api.on(cmd.method, `/v${version}/${cmd.name}`, serve(cmd));
  }
  api.all("*", (c) => answer(c, 404, INVALID_COMMAND));
  api.onError(async (error, c) => {
    const f = await internalError(c, "api error", Cause.die(error));
    return answer(c, 500, errorEnvelope(f, "absent"));
  });
  return api;
};
