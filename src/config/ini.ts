// Reads config files the way go-flags does: `key=value` lines, optional `[Section]` headers
// (ignored), `;` and `#` comments, surrounding whitespace trimmed. Later duplicates win.
import { Data, Either } from "effect";

export class IniSyntaxError extends Data.TaggedError("IniSyntaxError")<{
  readonly file: string;
  readonly line: number;
  readonly text: string;
}> {
  override get message() {
    return `${this.file}:${this.line}: expected "option=value", got "${this.text}"`;
  }
}

export const parseIni = (
  text: string,
  file = "config",
): Either.Either<Readonly<Record<string, string>>, IniSyntaxError> => {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
    if (line.startsWith("[") && line.endsWith("]")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return Either.left(new IniSyntaxError({ file, line: i + 1, text: line }));
    out[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return Either.right(out);
};

/** go-flags booleans in INI files: 1/true (case-insensitive) are true, 0/false false. */
export const iniBool = (value: string | undefined): boolean | undefined =>
  value === undefined ? undefined : /^(1|true)$/i.test(value);
