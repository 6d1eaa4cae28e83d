import assert from "node:assert/strict";
import { Either } from "effect";
import { requireApiVersion, semverCompatible } from "../../src/domain/semver.ts";

const v = (major: number, minor: number, patch: number) => ({ major, minor, patch });
const required = v(3, 1, 0);

Deno.test("semverCompatible: the same major version, not older", () => {
  for (const ok of [v(3, 1, 0), v(3, 1, 7), v(3, 2, 0), v(3, 9, 0)]) {
    assert.equal(semverCompatible(required, ok), true, JSON.stringify(ok));
  }
  for (const bad of [v(3, 0, 9), v(2, 9, 9), v(4, 0, 0), v(4, 1, 0)]) {
    assert.equal(semverCompatible(required, bad), false, JSON.stringify(bad));
  }
  // A newer minor does not need a patch at least the required one.
  assert.equal(semverCompatible(v(5, 1, 3), v(5, 2, 0)), true);
  assert.equal(semverCompatible(v(5, 1, 3), v(5, 1, 2)), false);
});

Deno.test("requireApiVersion: picks the API out of a version answer", () => {
  const answer = {
    hcdjsonrpcapi: {
      versionstring: "3.2.1",
      major: 3,
      minor: 2,
      patch: 1,
      prerelease: "",
      buildmetadata: "",
    },
    hcd: { versionstring: "2.0.0", major: 2, minor: 0, patch: 0, prerelease: "", buildmetadata: "" },
  };
  const found = requireApiVersion(answer, "hcdjsonrpcapi", required);
  assert.ok(Either.isRight(found));
  assert.deepEqual([found.right.major, found.right.minor, found.right.patch], [3, 2, 1]);
});

Deno.test("requireApiVersion: an older or missing API is refused with a message naming both versions", () => {
  const old = requireApiVersion({ hcdjsonrpcapi: v(3, 0, 0) }, "hcdjsonrpcapi", required);
  assert.ok(Either.isLeft(old));
  assert.equal(
    old.left.message,
    "hcdjsonrpcapi 3.0.0 is not compatible with 3.1.0 (same major version, not older)",
  );
  const missing = requireApiVersion({ hcd: v(3, 1, 0) }, "hcdjsonrpcapi", required);
  assert.ok(Either.isLeft(missing));
  assert.equal(
    missing.left.message,
    "the version answer lists no hcdjsonrpcapi; compatible with 3.1.0 (same major version, not older) is required",
  );
  // An inherited property is not an answer.
  assert.ok(Either.isLeft(requireApiVersion({}, "toString", required)));
});
