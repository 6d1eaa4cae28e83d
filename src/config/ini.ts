// Reads config files the way go-flags does: `key=value` lines, optional `[Section]` headers
// (ignored), `;` and `#` comments, surrounding whitespace trimmed. Later duplicates win.
import { Data, Either } from "effect";

/**
 * A line that is not `option=value`. It is reported by number, and by option name when the line
 * starts with a known one; never by its text, which may hold a password.
 */
export class IniSyntaxError extends Data.TaggedError("IniSyntaxError")<{
  readonly file: string;
  readonly line: number;
  readonly option: string | undefined;
}> {
  override get message() {
    return `${this.file} line ${this.line}: expected "option=value"`;
  }
}

export const parseIni = (
  text: string,
  file: string,
  isOption: (name: string) => boolean,
): Either.Either<Readonly<Record<string, string>>, IniSyntaxError> => {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
    if (line.startsWith("[") && line.endsWith("]")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) {
      const leading = /^[A-Za-z]+/.exec(line)?.[0].toLowerCase();
      return Either.left(
        new IniSyntaxError({ file, line: i + 1, option: leading && isOption(leading) ? leading : undefined }),
      );
    }
    out[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  return Either.right(out);
};
