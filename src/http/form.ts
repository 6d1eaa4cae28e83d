// Reads a POSTed form strictly: urlencoded only, at most MAX_FORM_BYTES, valid UTF-8 both before
// and after percent-decoding, no control characters, no field longer than MAX_FIELD_CHARS. A form
// that breaks a rule is refused as a whole with a message saying which rule, before any use case
// sees it, so nothing is stored from it.
import { Data, Either } from "effect";

export const MAX_FORM_BYTES = 16 * 1024;
/**
 * Room for any real input, so its use case answers with its own message: a real hcwallet's
 * post-quantum (BLISS) pubkey address is 1 234 characters, and the address page says "Address is
 * too long" to it.
 */
export const MAX_FIELD_CHARS = 4096;

export class FormRejected extends Data.TaggedError("FormRejected")<{
  readonly status: 400 | 413 | 415;
  readonly message: string;
}> {}

export class Form {
  constructor(private readonly fields: ReadonlyMap<string, ReadonlyArray<string>>) {}
  /** The first value of a field, "" when absent. */
  get(name: string): string {
    return this.fields.get(name)?.[0] ?? "";
  }
  getAll(name: string): ReadonlyArray<string> {
    return this.fields.get(name) ?? [];
  }
  has(name: string): boolean {
    return this.fields.has(name);
  }
  static readonly empty = new Form(new Map());
}

const rejected = (status: FormRejected["status"], message: string) =>
  Either.left(new FormRejected({ status, message }));

const tooLarge = () => rejected(413, `The form is too large (at most ${MAX_FORM_BYTES / 1024} KiB).`);

/** The body, refused once it passes the limit (whatever Content-Length claims). */
const readLimited = async (request: Request): Promise<Uint8Array | undefined> => {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_FORM_BYTES) return undefined;
  if (request.body === null) return new Uint8Array();
  const chunks: Array<Uint8Array> = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
};

// Tab, line feed and carriage return are allowed (a textarea); other C0/C1 controls are not.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

const NOT_UTF8 = "The form contains text that is not valid UTF-8. Please retype it and try again.";

export const readForm = async (request: Request): Promise<Either.Either<Form, FormRejected>> => {
  const type = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    return rejected(415, "Forms must be sent as application/x-www-form-urlencoded.");
  }
  const bytes = await readLimited(request).catch(() => undefined);
  if (bytes === undefined) return tooLarge();
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return rejected(400, NOT_UTF8);
  }
  const fields = new Map<string, Array<string>>();
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    let name: string;
    let value: string;
    try {
      const decode = (s: string) => decodeURIComponent(s.replaceAll("+", " "));
      name = decode(eq < 0 ? pair : pair.slice(0, eq));
      value = eq < 0 ? "" : decode(pair.slice(eq + 1));
    } catch {
      return rejected(400, NOT_UTF8);
    }
    if (CONTROL.test(name) || CONTROL.test(value)) {
      return rejected(400, "The form contains control characters. Please retype it and try again.");
    }
    if ([...value].length > MAX_FIELD_CHARS) {
      return rejected(
        400,
        `The field "${name.slice(0, 40)}" is too long (at most ${MAX_FIELD_CHARS} characters).`,
      );
    }
    fields.set(name, [...(fields.get(name) ?? []), value]);
  }
  return Either.right(new Form(fields));
};
