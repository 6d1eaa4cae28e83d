import { Data } from "effect";

/** The request is not allowed for this user or address (403). */
export class Forbidden extends Data.TaggedError("Forbidden")<{ readonly message: string }> {}
