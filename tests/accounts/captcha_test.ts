// The captcha: six digits as a 240×60 PNG (written by our own encoder), one answer per challenge,
// gone after 10 minutes, at most `capacity` pending; nocaptcha accepts anything.
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { Effect, Option, TestClock, TestContext } from "effect";
import { Captcha, CAPTCHA_DIGITS, captchaForApi } from "../../src/captcha/captcha.ts";
import { CAPTCHA_HEIGHT, CAPTCHA_WIDTH, drawCaptcha } from "../../src/captcha/image.ts";
import { crc32, encodeRgbPng } from "../../src/captcha/png.ts";

/** Checks the chunk CRCs and returns IHDR's fields and the inflated image data. */
const readPng = (png: Uint8Array) => {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const chunks: Array<{ type: string; data: Uint8Array }> = [];
  for (let at = 8; at < png.length;) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(png.subarray(at + 4, at + 8));
    const data = png.subarray(at + 8, at + 8 + length);
    assert.equal(
      view.getUint32(at + 8 + length),
      crc32(png.subarray(at + 4, at + 8 + length)),
      `${type} CRC`,
    );
    chunks.push({ type, data });
    at += 12 + length;
  }
  assert.deepEqual(chunks.map((c) => c.type), ["IHDR", "IDAT", "IEND"]);
  const ihdr = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset, 13);
  return {
    width: ihdr.getUint32(0),
    height: ihdr.getUint32(4),
    depthAndType: [chunks[0].data[8], chunks[0].data[9]],
    rows: new Uint8Array(inflateSync(chunks[1].data)),
  };
};

Deno.test("crc32 matches the PNG specification's check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

Deno.test("encodeRgbPng writes every pixel behind filter bytes, readable back", () => {
  const rgb = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => i * 7);
  const { width, height, depthAndType, rows } = readPng(encodeRgbPng(3, 2, rgb));
  assert.deepEqual([width, height], [3, 2]);
  assert.deepEqual(depthAndType, [8, 2]);
  assert.deepEqual([...rows], [0, ...rgb.subarray(0, 9), 0, ...rgb.subarray(9)]);
});

Deno.test("a captcha image is a 240×60 PNG with ink on it, different every time", () => {
  const a = drawCaptcha("123456", Math.random);
  const { width, height, rows } = readPng(a);
  assert.deepEqual([width, height], [CAPTCHA_WIDTH, CAPTCHA_HEIGHT]);
  const dark = rows.filter((v, i) => i % (1 + width * 3) !== 0 && v < 120).length;
  assert.ok(dark > 1500, `strokes drawn (${dark} dark samples)`);
  assert.notDeepEqual(drawCaptcha("123456", Math.random), a);
});

const withCaptcha = <A>(
  options: Parameters<typeof Captcha.layer>[0],
  f: (issued: Map<string, string>) => Effect.Effect<A, unknown, Captcha>,
) => {
  const issued = new Map<string, string>();
  return Effect.runPromise(
    f(issued).pipe(
      Effect.provide(Captcha.layer({ ...options, onIssued: (id, digits) => issued.set(id, digits) })),
      Effect.provide(TestContext.TestContext),
    ),
  );
};

Deno.test("an answer is accepted once; a wrong answer spends the challenge too", () =>
  withCaptcha({}, (issued) =>
    Effect.gen(function* () {
      const captcha = yield* Captcha;
      const a = yield* captcha.issue;
      const digits = issued.get(a.id)!;
      assert.match(digits, new RegExp(`^\\d{${CAPTCHA_DIGITS}}$`));
      assert.ok(Option.isSome(yield* captcha.image(a.id)));
      yield* captcha.verify(a.id, ` ${digits} `);
      assert.equal((yield* Effect.flip(captcha.verify(a.id, digits))).message, "verify value is invalid");
      assert.ok(Option.isNone(yield* captcha.image(a.id)), "no image once answered");

      const b = yield* captcha.issue;
      const wrong = issued.get(b.id) === "000000" ? "111111" : "000000";
      yield* Effect.flip(captcha.verify(b.id, wrong));
      yield* Effect.flip(captcha.verify(b.id, issued.get(b.id)!));
      yield* Effect.flip(captcha.verify("unknown", "123456"));
    })));

Deno.test("challenges expire after their lifetime; the oldest go when the store is full", () =>
  withCaptcha({ lifetime: "10 minutes", capacity: 3 }, (issued) =>
    Effect.gen(function* () {
      const captcha = yield* Captcha;
      const old = yield* captcha.issue;
      yield* TestClock.adjust("10 minutes");
      yield* Effect.flip(captcha.verify(old.id, issued.get(old.id)!));

      const ids = [];
      for (let i = 0; i < 4; i++) ids.push((yield* captcha.issue).id);
      yield* Effect.flip(captcha.verify(ids[0], issued.get(ids[0])!));
      for (const id of ids.slice(1)) yield* captcha.verify(id, issued.get(id)!);
    })));

Deno.test("nocaptcha: nothing is required; generatecaptcha's answer is a PNG data URL", () =>
  Effect.gen(function* () {
    const captcha = yield* Captcha;
    assert.equal(captcha.enabled, false);
    yield* captcha.verify("", "");
    const api = captchaForApi(yield* captcha.issue);
    assert.match(api.CaptchaId, /^[\w-]{20}$/);
    assert.match(api.ImageBlob, /^data:image\/png;base64,iVBORw0KGgo/);
  }).pipe(Effect.provide(Captcha.disabled), Effect.runPromise));
