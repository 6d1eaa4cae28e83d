// The readable API page (/apidocs): every command of v1 and v2 with its token need, request
// fields, answer data and failures, how answers are signed, and the pool's signing key. Also the
// home page's line pointing to it.
import type { FC } from "hono/jsx";

export interface ApiFieldDoc {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
}

export interface ApiCommandDoc {
  readonly method: string;
  readonly name: string;
  readonly paths: ReadonlyArray<string>;
  readonly summary: string;
  readonly auth: boolean;
  readonly fields: ReadonlyArray<ApiFieldDoc>;
  readonly data: ReadonlyArray<ApiFieldDoc>;
  /** How data appears on a failure: absent or null. */
  readonly dataOnError: string;
  readonly successMessage: string | undefined;
  readonly failures: ReadonlyArray<{ readonly code: number; readonly message: string }>;
}

export interface ApiDocsViewProps {
  readonly baseUrl: string;
  readonly publicKey: string;
  readonly signatureHeader: string;
  readonly commands: ReadonlyArray<ApiCommandDoc>;
}

/** The home page's pointer to the API, with the signing key (scripts read it from there too). */
export const ApiKeyNote: FC<{ readonly publicKey: string }> = ({ publicKey }) => (
  <p class="api-note">
    Wallets and scripts can use the pool's{" "}
    <a href="/apidocs">JSON API</a>; every answer is signed with the pool's ed25519 key{" "}
    <code data-signature-pubkey={publicKey}>{publicKey}</code>.
  </p>
);

const FieldTable: FC<{ readonly caption: string; readonly fields: ReadonlyArray<ApiFieldDoc> }> = (p) => (
  <table class="api-fields">
    <caption>{p.caption}</caption>
    <thead>
      <tr>
        <th scope="col">Field</th>
        <th scope="col">Type</th>
        <th scope="col">Meaning</th>
      </tr>
    </thead>
    <tbody>
      {p.fields.map((f) => (
        <tr>
          <td>
            <code>{f.name}</code>
          </td>
          <td>{f.type}</td>
          <td>{f.description ?? ""}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

const Command: FC<{ readonly command: ApiCommandDoc }> = ({ command: c }) => (
  <section class="card api-command" id={`${c.method.toLowerCase()}-${c.name}`}>
    <h2>
      <code>{c.method} {c.paths.join(", ")}</code>
    </h2>
    <p>{c.summary}. {c.auth ? "Needs your API token." : "No token needed."}</p>
    {c.fields.length > 0 && <FieldTable caption="Request fields (form or JSON body)" fields={c.fields} />}
    {c.successMessage !== undefined && (
      <p>
        Success: <code>{c.successMessage}</code>
      </p>
    )}
    {c.data.length > 0
      ? <FieldTable caption="data on success" fields={c.data} />
      : <p>The answer has no data.</p>}
    <p>On a failure, data is {c.dataOnError}; the codes and messages:</p>
    <ul class="api-failures">
      {c.failures.map((f) => (
        <li>
          <code>{f.code}</code> <code>{f.message}</code>
        </li>
      ))}
    </ul>
  </section>
);

export const ApiDocsView: FC<ApiDocsViewProps> = (p) => (
  <>
    <section class="card">
      <h1 class="page-title">JSON API</h1>
      <p>
        The API of the original hcstakepool, versions 1 and 2, at <code>{p.baseUrl}/api/v1/…</code> and{" "}
        <code>{p.baseUrl}/api/v2/…</code>. Commands that act for you need your API token from the{" "}
        <a href="/settings">Settings</a> page in the header <code>Authorization: Bearer &lt;token&gt;</code>
        {" "}
        (never in the address). Making a new token there stops the old one at once.
      </p>
      <p>
        Every answer is JSON <code>{'{"status", "code", "message", "data"}'}</code>: status is{" "}
        <code>success</code> or{" "}
        <code>error</code>, code a gRPC code number (0 OK, 3 invalid argument, 6 already exists, 8 rate
        limited, 9 failed precondition, 13 internal, 14 unavailable, 16 unauthenticated). A known command
        answers HTTP 200 either way (413 and 429 for the body and rate limits); anything else under{" "}
        <code>/api</code> answers 404. The machine-readable description:{" "}
        <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).
      </p>
      <h2>Signed answers</h2>
      <p>
        Every answer carries{" "}
        <code>{p.signatureHeader}</code>: the base64 ed25519 signature of the exact bytes of its body by the
        pool's key below (also in <code>stats</code> as{" "}
        <code>SignaturePubKey</code>). Check it before trusting an address, e.g. with{" "}
        <code>@noble/curves</code>: <code>ed25519.verify(signature, bodyBytes, publicKey)</code>.
      </p>
      <pre class="token" aria-label="The pool's API signing key">{p.publicKey}</pre>
    </section>
    {p.commands.map((c) => <Command key={`${c.method} ${c.name}`} command={c} />)}
  </>
);
