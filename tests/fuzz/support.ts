// The hostile-input suite's common parts: one seed per run (FUZZ_SEED replays it, printed when a
// property fails), bounded runs, and the values an attacker or a broken peer sends: random and
// over-long text, every Unicode plane, lone surrogates, NUL and control characters, markup, SQL,
// numbers that are not numbers, and JSON of any shape.
import { FastCheck as fc } from "effect";

/** The run's seed: FUZZ_SEED when set, else a fresh one. */
export const FUZZ_SEED = Number(Deno.env.get("FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31));

/**
 * Checks `property` over `numRuns` generated cases from the run's seed; a failure names the seed
 * that replays it (with fast-check's counterexample and shrink path).
 */
export const fuzz = async <Ts extends Array<unknown>>(
  property: fc.IAsyncPropertyWithHooks<Ts> | fc.IPropertyWithHooks<Ts>,
  numRuns: number,
): Promise<void> => {
  try {
    await fc.assert(property, { seed: FUZZ_SEED, numRuns, endOnFailure: numRuns > 200 });
  } catch (e) {
    console.error(`fuzz seed ${FUZZ_SEED}: replay with FUZZ_SEED=${FUZZ_SEED}`);
    throw e;
  }
};

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const control = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));

/** Text a form field, a query parameter or an option may carry, hostile or not. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({
    unit: fc.oneof(loneSurrogate, control, fc.constantFrom("\0", "a", "é", "\u202e")),
    maxLength: 30,
  }),
  fc.string({ minLength: 300, maxLength: 5_000 }),
  fc.constantFrom(
    "",
    " ",
    "\0",
    "a\0b@example.test",
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "' OR '1'='1' -- ",
    "%00%0d%0a",
    "../../../../etc/passwd",
    "-1",
    "0",
    "1e309",
    "NaN",
    "0x10",
    "99999999999999999999999",
    "true",
    "null",
    "[]",
    "{}",
    "\r\nSet-Cookie: x=1",
    "😀".repeat(300),
    "x".repeat(70_000),
  ),
);

/** Any JSON value a broken or hostile peer may answer with. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(null, [], {}, [null], "", 0, -1, 1e308, true, "00".repeat(40)),
  fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null)), { maxLength: 8 }),
);
