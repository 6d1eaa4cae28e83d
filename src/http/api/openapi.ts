// /api/openapi.json: an OpenAPI 3.1 document made from the command table — the same Schemas that
// decode the request fields and encode the answers' data, turned into JSON Schema by Effect's
// JSONSchema, so the document cannot drift from what the server does.
import { JSONSchema } from "effect";
import type * as AST from "effect/SchemaAST";
import { SIGNATURE_HEADER } from "../../signing/response_signer.ts";
import type { ApiCommand, DocumentedFailure } from "./command.ts";
import { Code, envelopeSchemas } from "./envelope.ts";

const DEFINITIONS = "#/components/schemas/";

/** The failures every command may answer with besides its own. */
export const commonFailures = (cmd: ApiCommand): ReadonlyArray<DocumentedFailure> => [
  ...(cmd.auth ? [{ code: Code.Unauthenticated, message: `${cmd.errorPrefix} - invalid api token` }] : []),
  ...cmd.failures,
  ...(cmd.fields === undefined ? [] : [
    { code: Code.InvalidArgument, message: `${cmd.errorPrefix} - malformed request body` },
    { code: Code.InvalidArgument, message: `${cmd.errorPrefix} - request body too large` },
  ]),
  ...(cmd.limits.ip === undefined && cmd.limits.user === undefined ? [] : [{
    code: Code.ResourceExhausted,
    message: `${cmd.errorPrefix} - too many requests, retry in N seconds`,
  }]),
  { code: Code.Internal, message: `${cmd.errorPrefix} - internal error` },
];

/** The request path of a command in one version. */
export const commandPath = (version: number, cmd: ApiCommand) => `/api/v${version}/${cmd.name}`;

export const openApiDocument = (commands: ReadonlyArray<ApiCommand>) => {
  const definitions: Record<string, JSONSchema.JsonSchema7> = {};
  const jsonSchema = (schema: { readonly ast: AST.AST }) =>
    JSONSchema.fromAST(schema.ast, { definitions, definitionPath: DEFINITIONS, target: "openApi3.1" });
  const signatureHeader = {
    [SIGNATURE_HEADER]: {
      description: "Base64 ed25519 signature of the exact body bytes by the key in stats' SignaturePubKey.",
      schema: { type: "string" },
    },
  };
  const operation = (version: number, cmd: ApiCommand) => {
    const envelope = envelopeSchemas(cmd.data, cmd.dataOnError);
    const failures = commonFailures(cmd);
    const errorOnly = (description: string) => ({
      description,
      headers: signatureHeader,
      content: { "application/json": { schema: jsonSchema(envelope.error) } },
    });
    return {
      operationId: `v${version}_${cmd.method.toLowerCase()}_${cmd.name}`,
      summary: cmd.summary,
      description: [
        cmd.auth
          ? "Needs the user's API token (Settings page) as `Authorization: Bearer <token>`."
          : "Public.",
        'Failures answer `status: "error"` with these codes and messages:',
        ...failures.map((f) => `- ${f.code}: ${f.message}`),
      ].join("\n"),
      security: cmd.auth ? [{ apiToken: [] }] : [],
      ...(cmd.fields === undefined ? {} : {
        requestBody: {
          required: true,
          content: Object.fromEntries(
            ["application/x-www-form-urlencoded", "multipart/form-data", "application/json"].map((type) => [
              type,
              { schema: jsonSchema(cmd.fields!) },
            ]),
          ),
        },
      }),
      responses: {
        "200": {
          description:
            "The answer envelope (HTTP 200 whether the command succeeded or failed, as the original).",
          headers: signatureHeader,
          content: {
            "application/json": {
              schema: { oneOf: [jsonSchema(envelope.success), jsonSchema(envelope.error)] },
            },
          },
        },
        ...(cmd.fields === undefined ? {} : { "413": errorOnly("The body is larger than 16 KiB.") }),
        ...(cmd.limits.ip === undefined && cmd.limits.user === undefined ? {} : {
          "429": errorOnly("Rate limited; Retry-After says when to try again."),
        }),
      },
    };
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const cmd of commands) {
    for (const version of cmd.versions) {
      const path = commandPath(version, cmd);
      paths[path] = { ...paths[path], [cmd.method.toLowerCase()]: operation(version, cmd) };
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "hcstakepool API",
      version: "2",
      description: "The stake pool's JSON API, versions 1 and 2 (the original hcstakepool's contract). " +
        'Any other path under /api answers HTTP 404 with code 3 "invalid API command or version".',
    },
    paths,
    components: {
      schemas: definitions,
      securitySchemes: { apiToken: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
    },
  };
};

type Json = Record<string, any>;

/** A JSON Schema's type in words ("integer 0–65535", "array of VoteChoice", "\"Open\" or \"Closed\""). */
const typeInWords = (s: Json, defs: Json): string => {
  if (typeof s.$ref === "string") {
    const name = s.$ref.slice(s.$ref.lastIndexOf("/") + 1);
    const target = defs[name] ?? {};
    return target.type === "object" ? name : typeInWords(target, defs);
  }
  if (Array.isArray(s.enum)) return s.enum.map((v: unknown) => JSON.stringify(v)).join(" or ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.type === "array") return `array of ${typeInWords(s.items ?? {}, defs)}`;
  if (s.type === "integer" && s.minimum !== undefined && s.maximum !== undefined) {
    return `integer ${s.minimum}–${s.maximum}`;
  }
  return String(s.type ?? "any");
};

/** The top-level fields of a struct Schema in order, with their types and descriptions (the API page). */
export const describeFields = (
  schema: { readonly ast: AST.AST },
): ReadonlyArray<{ readonly name: string; readonly type: string; readonly description?: string }> => {
  const defs: Record<string, JSONSchema.JsonSchema7> = {};
  const root = JSONSchema.fromAST(schema.ast, {
    definitions: defs,
    topLevelReferenceStrategy: "skip",
  }) as Json;
  return Object.entries((root.properties ?? {}) as Record<string, Json>).map(([name, s]) => {
    const own: string | undefined = s.description;
    // Effect describes its own refinements ("an integer", "a number between 0 and 65535"): the type says it.
    const description = own !== undefined && !/^(an integer|a number between -?\d+ and -?\d+)$/.test(own)
      ? own
      : undefined;
    return { name, type: typeInWords(s, defs), ...(description === undefined ? {} : { description }) };
  });
};
