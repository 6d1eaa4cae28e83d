// readForm: the one reader of POSTed forms. Urlencoded UTF-8 only, bounded, no control characters.
import assert from "node:assert/strict";
import { Either } from "effect";
import { MAX_FIELD_CHARS, MAX_FORM_BYTES, readForm } from "../../src/http/form.ts";

const post = (
  body: BodyInit,
  type = "application/x-www-form-urlencoded",
  headers: Record<string, string> = {},
) =>
  readForm(new Request("http://x/", { method: "POST", body, headers: { "content-type": type, ...headers } }));

Deno.test("a urlencoded form: fields decoded (+ as space, UTF-8 escapes), repeats kept in order", async () => {
  const form = Either.getOrThrow(await post("email=a%2Bb%40x.test&name=J%C3%BCrgen+M&t=1&t=2&flag"));
  assert.equal(form.get("email"), "a+b@x.test");
  assert.equal(form.get("name"), "Jürgen M");
  assert.deepEqual(form.getAll("t"), ["1", "2"]);
  assert.equal(form.get("flag"), "");
  assert.equal(form.has("flag"), true);
  assert.equal(form.get("missing"), "");
});

Deno.test("refused whole: other encodings, too large, bad UTF-8, control characters, over-long fields", async () => {
  const refusal = async (p: ReturnType<typeof post>) => {
    const r = await p;
    assert.ok(Either.isLeft(r), "refused");
    return r.left;
  };
  assert.equal((await refusal(post("{}", "application/json"))).status, 415);
  assert.equal((await refusal(post(`a=${"x".repeat(MAX_FORM_BYTES)}`))).status, 413);
  // A body larger than it claims is cut off at the limit all the same.
  const stream = new ReadableStream({
    start(c) {
      for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode("x".repeat(1024)));
      c.close();
    },
  });
  assert.equal((await refusal(post(stream))).status, 413);
  assert.match((await refusal(post("a=%FF"))).message, /not valid UTF-8/);
  assert.match((await refusal(post("a=%ED%A0%80"))).message, /not valid UTF-8/, "a lone surrogate");
  assert.match((await refusal(post(new Uint8Array([0x61, 0x3d, 0xc3, 0x28])))).message, /not valid UTF-8/);
  assert.match((await refusal(post("a=%E0%A4"))).message, /not valid UTF-8/, "a cut sequence");
  assert.match((await refusal(post("a=x%00y"))).message, /control characters/);
  assert.match((await refusal(post("a%1B=1"))).message, /control characters/);
  assert.match(
    (await refusal(post(`email=${"é".repeat(MAX_FIELD_CHARS + 1)}`))).message,
    new RegExp(`"email" is too long \\(at most ${MAX_FIELD_CHARS} characters\\)`),
  );
  assert.ok(
    Either.isRight(await post(`email=${"é".repeat(MAX_FIELD_CHARS)}`)),
    "the limit counts characters",
  );
  assert.ok(Either.isRight(await post("note=line%0D%0Anext%09tab")), "line breaks and tabs are text");
  // A real hcwallet's post-quantum pubkey address is 1 234 characters: the address use case refuses
  // it with its own message, so the form reader must let it through.
  const postQuantum = "Sk" + "9".repeat(1232);
  assert.equal(
    Either.getOrThrow(await post(`UserPubKeyAddr=${postQuantum}`)).get("UserPubKeyAddr"),
    postQuantum,
  );
});
