// An API client as a wallet or script uses the pool: bearer token, form or JSON bodies, and every
// answer's HC-Server-Signature checked with @noble/curves against the key the pool publishes; the
// contract fixtures (tests/api/fixtures/contract.json) and a checker for an answer against one.
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { ed25519 } from "@noble/curves/ed25519.js";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { Effect, Option } from "effect";
import { walletRpc } from "../../src/rpc/hc_methods.ts";
import { Users } from "../../src/storage/users.ts";
import { clientFor } from "../sim/helpers.ts";
import { signUpAndSignIn, type TestWebApp, unescapeHtml, type WebClient } from "../http/support.ts";

export const SIGNATURE_HEADER = "hc-server-signature";

export interface ApiAnswer {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // deno-lint-ignore no-explicit-any
  readonly body: any;
}

/** True when `signature` (base64) is `publicKey`'s (base64) ed25519 signature of `body`. */
export const signatureValid = (publicKey: string, body: Uint8Array, signature: string | null) =>
  signature !== null &&
  ed25519.verify(Buffer.from(signature, "base64"), body, Buffer.from(publicKey, "base64"));

export interface CallOptions {
  readonly token?: string;
  /** A urlencoded form body. */
  readonly form?: Record<string, string>;
  /** A JSON body. */
  readonly json?: unknown;
  /** Any body with its own content type. */
  readonly raw?: { readonly body: BodyInit; readonly contentType?: string };
  readonly headers?: Record<string, string>;
}

export class ApiClient {
  /** Every answer so far, each already checked against the published key. */
  readonly answers: Array<ApiAnswer> = [];

  private constructor(readonly baseUrl: string, readonly publicKey: string) {}

  /** Trusts the key the home page shows. */
  static async fromHomePage(baseUrl: string): Promise<ApiClient> {
    const home = await (await fetch(baseUrl + "/")).text();
    const key = /data-signature-pubkey="([A-Za-z0-9+/=]+)"/.exec(home)?.[1];
    assert.ok(key, "the home page shows the API signing key");
    return new ApiClient(baseUrl, key);
  }

  /** fromHomePage, and checks stats publishes the same key. */
  static async connect(baseUrl: string): Promise<ApiClient> {
    const client = await ApiClient.fromHomePage(baseUrl);
    const key = client.publicKey;
    const stats = await client.call("GET", "/api/v1/stats");
    assert.equal(stats.body.data?.SignaturePubKey, key, "stats publishes the key the home page shows");
    return client;
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<ApiAnswer> {
    const headers = new Headers(options.headers);
    if (options.token !== undefined) headers.set("authorization", `Bearer ${options.token}`);
    let body: BodyInit | undefined;
    if (options.form !== undefined) {
      body = new URLSearchParams(options.form).toString();
      headers.set("content-type", "application/x-www-form-urlencoded");
    } else if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers.set("content-type", "application/json");
    } else if (options.raw !== undefined) {
      body = options.raw.body;
      if (options.raw.contentType !== undefined) headers.set("content-type", options.raw.contentType);
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const bytes = new Uint8Array(await response.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    assert.ok(
      signatureValid(this.publicKey, bytes, response.headers.get(SIGNATURE_HEADER)),
      `${method} ${path}: the answer's signature verifies with the published key`,
    );
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      assert.fail(`${method} ${path}: not JSON: ${text.slice(0, 200)}`);
    }
    const answer = { method, path, status: response.status, headers: response.headers, text, body: parsed };
    this.answers.push(answer);
    return answer;
  }
}

const tokenOn = (html: string) =>
  unescapeHtml(/<pre class="token"[^>]*>([^<]+)<\/pre>/.exec(html)?.[1] ?? "");

/** A verified, signed-in user (through the pages) and the API token its settings page shows. */
export const signedUpUser = async (
  web: TestWebApp,
  email: string,
): Promise<{ readonly client: WebClient; readonly token: string; readonly userId: number }> => {
  const client = web.client();
  await signUpAndSignIn(web, client, email, "correct horse battery staple");
  const token = tokenOn((await client.get("/settings")).text);
  assert.ok(token.split(".").length === 3, `a JWT on the settings page of ${email}`);
  const user = await web.run(Effect.flatMap(Users, (u) => u.byEmail(email)));
  return { client, token, userId: Option.getOrThrow(user).UserId };
};

// ---- the contract fixtures ----

type FieldType = "string" | "number" | "integer" | "array" | "object" | "boolean";
export interface ExpectedEnvelope {
  readonly http: number;
  readonly status: "success" | "error";
  readonly code: number;
  readonly message: string;
  readonly data: "absent" | null | Readonly<Record<string, FieldType>>;
}

export const CONTRACT: Readonly<Record<string, Readonly<Record<string, ExpectedEnvelope>>>> = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/contract.json", import.meta.url)),
);

const typeOf = (v: unknown): FieldType | "null" =>
  v === null
    ? "null"
    : Array.isArray(v)
    ? "array"
    : typeof v === "number"
    ? (Number.isInteger(v) ? "integer" : "number")
    : (typeof v as FieldType);

/**
 * Checks an answer against its fixture: HTTP status, the raw bytes (the envelope's key order,
 * Go's trailing newline, the content type), status, code, message, and where data is absent,
 * null, or which fields of which types it has, in order. A "number" field may hold an integer.
 */
export const assertContract = (answer: ApiAnswer, command: string, name: string) => {
  const expected = CONTRACT[command]?.[name];
  assert.ok(expected, `fixture ${command} / ${name}`);
  const what = `${command} / ${name}: ${answer.text.slice(0, 300)}`;
  assert.equal(answer.status, expected.http, what);
  assert.equal(answer.headers.get("content-type"), "application/json; charset=utf-8", what);
  assert.ok(
    answer.text.endsWith("}\n") && !answer.text.endsWith("\n\n"),
    `${what}: Go's one trailing newline`,
  );
  const keys = Object.keys(answer.body);
  assert.deepEqual(
    keys,
    expected.data === "absent" ? ["status", "code", "message"] : [
      "status",
      "code",
      "message",
      "data",
    ],
    what,
  );
  assert.equal(answer.body.status, expected.status, what);
  assert.equal(answer.body.code, expected.code, what);
  assert.equal(answer.body.message.replace(/\d+ seconds$/, "N seconds"), expected.message, what);
  if (expected.data === null) assert.equal(answer.body.data, null, what);
  else if (expected.data !== "absent") {
    const data = answer.body.data;
    assert.deepEqual(Object.keys(data), Object.keys(expected.data), `${what}: data fields in order`);
    for (const [field, type] of Object.entries(expected.data)) {
      const actual = typeOf(data[field]);
      assert.ok(
        actual === type || (type === "number" && actual === "integer"),
        `${what}: ${field} is ${type}`,
      );
    }
  }
};

/** A fresh secp256k1 pubkey address of the sim's user wallet (what a user submits). */
export const userPubKeyAddress = (web: TestWebApp): Promise<string> =>
  Effect.runPromise(Effect.scoped(Effect.gen(function* () {
    const wallet = walletRpc(yield* clientFor(web.sim.endpoints.userWallet));
    const info = yield* wallet.validateAddress(yield* wallet.getNewAddress());
    return info.pubkeyaddr!;
  })));

// ---- the OpenAPI document ----

/**
 * The document is valid OpenAPI 3.1, describes every command of every version with its method,
 * and each answer seen matches the schema the document gives for its path, method and status.
 */
export const assertOpenApi = async (
  // deno-lint-ignore no-explicit-any
  document: any,
  commands: ReadonlyArray<
    { readonly method: string; readonly name: string; readonly versions: ReadonlyArray<number> }
  >,
  answers: ReadonlyArray<ApiAnswer>,
) => {
  const result = await new Validator().validate(structuredClone(document));
  assert.ok(result.valid, `the OpenAPI document validates: ${JSON.stringify(result.errors)}`);
  for (const cmd of commands) {
    for (const v of cmd.versions) {
      const op = document.paths[`/api/v${v}/${cmd.name}`]?.[cmd.method.toLowerCase()];
      assert.ok(op?.responses?.["200"], `${cmd.method} /api/v${v}/${cmd.name} is described`);
    }
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(document, "openapi");
  const pointer = (s: string) => s.replaceAll("~", "~0").replaceAll("/", "~1");
  let checked = 0;
  for (const a of answers) {
    const path = a.path.split("?")[0];
    const op = document.paths[path]?.[a.method.toLowerCase()];
    if (op === undefined || op.responses[String(a.status)] === undefined) continue;
    const validate = ajv.getSchema(
      `openapi#/paths/${
        pointer(path)
      }/${a.method.toLowerCase()}/responses/${a.status}/content/application~1json/schema`,
    );
    assert.ok(validate, `a schema for ${a.method} ${path} ${a.status}`);
    assert.ok(
      validate(a.body),
      `${a.method} ${path} ${a.status} matches the document: ${a.text.slice(0, 200)} ${
        JSON.stringify(validate.errors)
      }`,
    );
    checked++;
  }
  return checked;
};
