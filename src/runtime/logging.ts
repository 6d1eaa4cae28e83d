// Logging of both programs, as the original's btclog set-up did it: per-subsystem levels from
// `debuglevel` (`info`, or `SUBSYS=level,…`; `show` lists the subsystems), lines written to stderr
// and appended to `<logdir>/<net>/<program>.log` (rotated at 10 MiB, 3 old files kept, as the
// original's rotator). Text lines are logfmt; `logformat=json` gives one JSON object per line.
// A line's subsystem is its "subsystem" annotation (`inSubsystem`); lines without one belong to
// the program's main subsystem. No secret reaches a line: Redacted values print as <redacted>, and
// every configured password or secret is replaced by <redacted> wherever it appears, causes included.
import { dirname } from "node:path";
import {
  Data,
  Effect,
  Either,
  HashMap,
  Layer,
  Logger,
  LogLevel,
  Option,
  Predicate,
  Redacted,
  type Scope,
} from "effect";

export const SUBSYSTEM_ANNOTATION = "subsystem";

export interface Program {
  /** The log file's base name. */
  readonly name: string;
  /** The subsystem of lines that name none. */
  readonly mainSubsystem: string;
  /** Every subsystem with what it covers (`debuglevel=show`). */
  readonly subsystems: Readonly<Record<string, string>>;
}

export const STAKEPOOLD_PROGRAM: Program = {
  name: "stakepoold",
  mainSubsystem: "STPK",
  subsystems: {
    STPK: "start, stop and configuration",
    RPCC: "the hcd and hcwallet JSON-RPC connections",
    FEED: "hcd's notifications (blocks, winners, new and spent tickets)",
    TKTS: "the ticket set: admission, fee checks, resyncs",
    VOTR: "voting the winners",
    CTRL: "the control API and its ticket-event stream",
    DB: "users and low-fee tickets read from the database",
  },
};

export const HCSTAKEPOOL_PROGRAM: Program = {
  name: "hcstakepool",
  mainSubsystem: "HCS",
  subsystems: {
    HCS: "start, stop and configuration",
    HTTP: "pages and the API",
    WLLT: "the voting wallets: commands, consistency, sync, reconciler",
    RPCC: "the hcwallet JSON-RPC connections",
    SPDC: "the stakepoold control clients",
    DB: "the database",
    MAIL: "outgoing mail",
  },
};

/** Tags the logs of an effect (and of the fibers it forks) with a subsystem. */
export const inSubsystem = (subsystem: string) => Effect.annotateLogs(SUBSYSTEM_ANNOTATION, subsystem);

/** Tags the logs of a layer's construction and of the fibers it forks with a subsystem. */
export const layerInSubsystem = (subsystem: string) => Layer.annotateLogs(SUBSYSTEM_ANNOTATION, subsystem);

// ---- debuglevel ----

const LEVELS: Readonly<Record<string, LogLevel.LogLevel>> = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  error: LogLevel.Error,
  critical: LogLevel.Fatal,
  off: LogLevel.None,
};

export interface LogLevels {
  /** For every subsystem not named in `bySubsystem`. */
  readonly base: LogLevel.LogLevel;
  readonly bySubsystem: Readonly<Record<string, LogLevel.LogLevel>>;
}

export const DEFAULT_LOG_LEVELS: LogLevels = { base: LogLevel.Info, bySubsystem: {} };

/** `debuglevel=show`: the caller prints the subsystems and exits 0. */
export class SubsystemsRequested
  extends Data.TaggedError("SubsystemsRequested")<{ readonly program: Program }> {
  override get message() {
    return [
      "Supported subsystems:",
      ...Object.entries(this.program.subsystems).map(([name, what]) => `  ${name.padEnd(5)} ${what}`),
    ].join("\n");
  }
}

/**
 * `debuglevel`: one level for every subsystem, or comma-separated `SUBSYS=level` pairs (a bare
 * level among them sets the others), or `show`. Levels: trace, debug, info, warn, error, critical, off.
 * Left: what is wrong, without the option's name.
 */
export const parseDebugLevel = (
  text: string,
  program: Program,
): Either.Either<LogLevels | SubsystemsRequested, string> => {
  if (text.trim() === "show") return Either.right(new SubsystemsRequested({ program }));
  const names = Object.keys(program.subsystems);
  const levelOf = (name: string) => Option.fromNullable(LEVELS[name.trim().toLowerCase()]);
  let base = LogLevel.Info;
  const bySubsystem: Record<string, LogLevel.LogLevel> = {};
  for (const item of text.split(",")) {
    const [subsystem, level, ...extra] = item.split("=");
    if (level === undefined) {
      const all = levelOf(subsystem);
      if (Option.isNone(all)) {
        return Either.left(`unknown level "${item}" (${Object.keys(LEVELS).join(", ")})`);
      }
      base = all.value;
      continue;
    }
    const name = subsystem.trim().toUpperCase();
    if (!names.includes(name)) {
      return Either.left(`unknown subsystem "${subsystem.trim()}" (supported: ${names.join(", ")})`);
    }
    const one = levelOf(level);
    if (Option.isNone(one) || extra.length > 0) {
      return Either.left(`unknown level "${level}" for ${name} (${Object.keys(LEVELS).join(", ")})`);
    }
    bySubsystem[name] = one.value;
  }
  return Either.right({ base, bySubsystem });
};

// ---- the logger ----

export type LogFormat = "text" | "json";
export const LOG_FORMATS: ReadonlyArray<LogFormat> = ["text", "json"];

export interface LogSettings {
  readonly program: Program;
  /** `<logdir>/<net>/<program>.log`; none: stderr only. */
  readonly file: string | undefined;
  readonly format: LogFormat;
  readonly levels: LogLevels;
  /** Every configured password and secret: never written, wherever it appears. */
  readonly secrets: ReadonlyArray<Redacted.Redacted<string>>;
}

export class LogFileError extends Data.TaggedError("LogFileError")<{
  readonly path: string;
  readonly detail: string;
}> {
  override get message() {
    return `logdir: cannot write the log file ${this.path}: ${this.detail}`;
  }
}

/** The original's rotator: roll at 10 MiB, keep 3 old files (.1 newest). */
const ROTATE_BYTES = 10 * 1024 * 1024;
const KEEP_ROLLED = 3;

interface SyncWriter {
  writeSync(p: Uint8Array): number;
}

/** Where lines go besides the log file; tests capture them. */
export interface LogOutput {
  readonly stderr: SyncWriter;
  /** The log file is rolled over before it would grow beyond this. */
  readonly rotateBytes: number;
}

const DEFAULT_OUTPUT: LogOutput = { stderr: Deno.stderr, rotateBytes: ROTATE_BYTES };

const writeAll = (writer: SyncWriter, bytes: Uint8Array) => {
  for (let at = 0; at < bytes.length;) at += writer.writeSync(bytes.subarray(at));
};

/** Appends lines to a file, rolling it over as it grows. */
const openLogFile = (
  path: string,
  rotateBytes: number,
): Effect.Effect<(line: Uint8Array) => void, LogFileError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        Deno.mkdirSync(dirname(path), { recursive: true });
        const open = () => Deno.openSync(path, { append: true, create: true, mode: 0o640 });
        let file = open();
        let size = file.statSync().size;
        const roll = () => {
          file.close();
          for (let i = KEEP_ROLLED - 1; i >= 1; i--) {
            try {
              Deno.renameSync(`${path}.${i}`, `${path}.${i + 1}`);
            } catch (e) {
              if (!(e instanceof Deno.errors.NotFound)) throw e;
            }
          }
          Deno.renameSync(path, `${path}.1`);
          file = open();
          size = 0;
        };
        return {
          write: (line: Uint8Array) => {
            if (size > 0 && size + line.length > rotateBytes) roll();
            writeAll(file, line);
            size += line.length;
          },
          close: () => file.close(),
        };
      },
      catch: (e) => new LogFileError({ path, detail: e instanceof Error ? e.message : String(e) }),
    }),
    (log) => Effect.sync(() => log.close()),
  ).pipe(Effect.map((log) => log.write));

/** Redacted values as "<redacted>", wherever they sit in a message or annotation. */
const unredact = (value: unknown): unknown => {
  if (Redacted.isRedacted(value)) return "<redacted>";
  if (Array.isArray(value)) return value.map(unredact);
  if (Predicate.isRecord(value) && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unredact(v)]));
  }
  return value;
};

/** Replaces each secret, as written and as JSON would escape it, by <redacted>. */
export const secretScrubber = (secrets: ReadonlyArray<Redacted.Redacted<string>>) => {
  const forms = [
    ...new Set(
      secrets.map(Redacted.value).filter((s) => s !== "").flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]),
    ),
  ].sort((a, b) => b.length - a.length);
  return (line: string) => forms.reduce((out, secret) => out.replaceAll(secret, "<redacted>"), line);
};

/** The one line a log entry becomes, already filtered and scrubbed; undefined: below its subsystem's level. */
export const makeLineFormatter = (settings: LogSettings) => {
  const scrub = secretScrubber(settings.secrets);
  return (options: Logger.Logger.Options<unknown>): string | undefined => {
    const named = HashMap.get(options.annotations, SUBSYSTEM_ANNOTATION);
    const subsystem = Option.isSome(named) ? String(named.value) : settings.program.mainSubsystem;
    const threshold = settings.levels.bySubsystem[subsystem] ?? settings.levels.base;
    if (LogLevel.lessThan(options.logLevel, threshold)) return undefined;
    const others = HashMap.map(HashMap.remove(options.annotations, SUBSYSTEM_ANNOTATION), unredact);
    const message = unredact(options.message);
    if (settings.format === "json") {
      return scrub(Logger.jsonLogger.log({
        ...options,
        message,
        annotations: HashMap.set(others, SUBSYSTEM_ANNOTATION, subsystem),
      }));
    }
    // The subsystem right after the level, where an operator's eye (and grep) finds it.
    const line = Logger.logfmtLogger.log({ ...options, message, annotations: others });
    return scrub(line.replace(/^(timestamp=\S+ level=\S+ )/, `$1subsystem=${subsystem} `));
  };
};

/** The lowest level any subsystem logs at: lines below it are not even built. */
const lowestLevel = (levels: LogLevels) =>
  Object.values(levels.bySubsystem).reduce(
    (low, level) => LogLevel.lessThan(level, low) ? level : low,
    levels.base,
  );

/**
 * The program's logger: replaces Effect's default logger for everything run with this layer; the
 * log file is closed with the layer's scope.
 */
export const loggingLayer = (
  settings: LogSettings,
  output: LogOutput = DEFAULT_OUTPUT,
): Layer.Layer<never, LogFileError> =>
  Layer.merge(
    Logger.replaceScoped(
      Logger.defaultLogger,
      Effect.gen(function* () {
        const toFile = settings.file === undefined
          ? undefined
          : yield* openLogFile(settings.file, output.rotateBytes);
        const format = makeLineFormatter(settings);
        const encoder = new TextEncoder();
        const toStderr = (bytes: Uint8Array) => {
          try {
            writeAll(output.stderr, bytes);
          } catch {
            // stderr closed by whoever started us: the log file still has every line.
          }
        };
        // A full disk must not stop the program; stderr says so once per failing streak.
        let fileFailing = false;
        return Logger.make((options) => {
          const line = format(options);
          if (line === undefined) return;
          const bytes = encoder.encode(`${line}\n`);
          toStderr(bytes);
          if (toFile === undefined) return;
          try {
            toFile(bytes);
            fileFailing = false;
          } catch (e) {
            if (!fileFailing) toStderr(encoder.encode(`cannot append to ${settings.file}: ${e}\n`));
            fileFailing = true;
          }
        });
      }),
    ),
    Logger.minimumLogLevel(lowestLevel(settings.levels)),
  );
