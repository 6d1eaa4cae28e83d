import assert from "node:assert/strict";
import { Cause } from "effect";
import { isDatabaseUnreachable } from "../../src/storage/unreachable.ts";

const withCode = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`failed: ${code}`), { code, ...extra });

Deno.test("a lost or refused connection is unreachable, through causes and Effect Causes", () => {
  for (const code of ["ECONNREFUSED", "PROTOCOL_CONNECTION_LOST", "ER_SERVER_SHUTDOWN", "SQLITE_BUSY"]) {
    assert.ok(isDatabaseUnreachable(withCode(code)), code);
  }
  const wrapped = new Error("SqlError: failed to execute", { cause: withCode("ECONNRESET") });
  assert.ok(isDatabaseUnreachable(new Error("sign-up failed", { cause: wrapped })));
  assert.ok(isDatabaseUnreachable(Cause.die(wrapped)));
  assert.ok(isDatabaseUnreachable(Cause.sequential(Cause.fail("other"), Cause.fail(wrapped))));
  // mysql2 on a statement sent after the connection was lost: fatal, no code.
  assert.ok(isDatabaseUnreachable(
    Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true }),
  ));
});

Deno.test("a refusal that retrying will not mend is not unreachable", () => {
  assert.equal(isDatabaseUnreachable(withCode("ER_ACCESS_DENIED_ERROR", { fatal: true })), false);
  assert.equal(isDatabaseUnreachable(withCode("ER_BAD_DB_ERROR")), false);
  assert.equal(isDatabaseUnreachable(new Error("syntax", { cause: withCode("ER_PARSE_ERROR") })), false);
  assert.equal(isDatabaseUnreachable(Cause.fail("not found")), false);
  assert.equal(isDatabaseUnreachable(undefined), false);
});
