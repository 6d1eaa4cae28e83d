// Tagged errors shared across the domain. Module-specific errors live beside their module.
import { Data } from "effect";

export class InvalidHex extends Data.TaggedError("InvalidHex")<{ readonly input: string }> {
  override get message() {
    return `invalid hex string: ${this.input}`;
  }
}
