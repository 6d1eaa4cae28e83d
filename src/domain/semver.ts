// JSON-RPC API versions as hcd and hcwallet report them (`version`, behaviour §5.2): a program
// built against one API version works with a server whose API has the same major version and is
// not older.
import { Data, Either } from "effect";

export interface Semver {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export const formatSemver = (v: Semver): string => `${v.major}.${v.minor}.${v.patch}`;

/** Same major; minor not lower; patch not lower when the minor is equal. */
export const semverCompatible = (required: Semver, actual: Semver): boolean =>
  actual.major === required.major &&
  (actual.minor > required.minor || (actual.minor === required.minor && actual.patch >= required.patch));

export class IncompatibleApiVersion extends Data.TaggedError("IncompatibleApiVersion")<{
  /** The API's key in the `version` answer, e.g. hcdjsonrpcapi. */
  readonly api: string;
  readonly required: Semver;
  /** Absent when the answer does not list the API. */
  readonly actual?: Semver;
}> {
  override get message() {
    const needed = `compatible with ${formatSemver(this.required)} (same major version, not older)`;
    return this.actual === undefined
      ? `the version answer lists no ${this.api}; ${needed} is required`
      : `${this.api} ${formatSemver(this.actual)} is not ${needed}`;
  }
}

/** Picks `api` out of a `version` answer and checks it against the required version. */
export const requireApiVersion = (
  versions: Readonly<Record<string, Semver>>,
  api: string,
  required: Semver,
): Either.Either<Semver, IncompatibleApiVersion> => {
  const actual = Object.hasOwn(versions, api) ? versions[api] : undefined;
  return actual !== undefined && semverCompatible(required, actual)
    ? Either.right(actual)
    : Either.left(new IncompatibleApiVersion({ api, required, ...(actual ? { actual } : {}) }));
};
