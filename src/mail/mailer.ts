// The Mailer: nodemailer over SMTPS, STARTTLS or plain SMTP as configured, or — without smtphost —
// the log, so a test network or a fresh install still shows every message and its link. A send
// gives up after SEND_TIMEOUT: a slow mail server delays a page by seconds, not minutes.
import nodemailer from "nodemailer";
import type { Transporter } from "nodemailer";
import { Context, Data, Duration, Effect, Layer, Redacted, Ref } from "effect";
import type { PoolConfig } from "../config/pool.ts";

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

export class MailFailed
  extends Data.TaggedError("MailFailed")<{ readonly to: string; readonly reason: string }> {
  override get message() {
    return `mail to ${this.to} failed: ${this.reason}`;
  }
}

export class SmtpCertUnreadable extends Data.TaggedError("SmtpCertUnreadable")<{
  readonly path: string;
  readonly reason: string;
}> {
  override get message() {
    return `smtpcert: cannot read "${this.path}": ${this.reason}`;
  }
}

export interface MailerApi {
  /** False when mail goes to the log (no smtphost): pages tell users mail is off. */
  readonly enabled: boolean;
  readonly send: (message: MailMessage) => Effect.Effect<void, MailFailed>;
}

export const SEND_TIMEOUT = Duration.seconds(20);

export interface SmtpOptions {
  /** host:port; without a port 465 (tls), 587 (starttls) or 25 (none). */
  readonly host: string;
  readonly tls: "tls" | "starttls" | "none";
  readonly from: string;
  readonly username: string;
  readonly password: Redacted.Redacted<string>;
  /** PEM the server's certificate must chain to (a pinned self-signed certificate); else system CAs. */
  readonly certPem?: string;
  /** How long one message may take (default SEND_TIMEOUT). */
  readonly timeout?: Duration.DurationInput;
}

const DEFAULT_PORTS = { tls: 465, starttls: 587, none: 25 } as const;

const splitHost = (host: string, tls: SmtpOptions["tls"]) => {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  return {
    hostname: (m?.[1] ?? host).replace(/^\[(.*)\]$/, "$1"),
    port: m?.[2] === undefined ? DEFAULT_PORTS[tls] : Number(m[2]),
  };
};

export class Mailer extends Context.Tag("hcstakepool/Mailer")<Mailer, MailerApi>() {
  /** No smtphost: each message, link included, is logged for the operator. */
  static readonly console = Layer.succeed(Mailer, {
    enabled: false,
    send: (m) =>
      Effect.logInfo(`mail is off (no smtphost); message not sent:\n${m.text}`).pipe(
        Effect.annotateLogs({ to: m.to, subject: m.subject }),
      ),
  });

  /** Records every message in an outbox the test owns (as if mail were on). */
  static readonly test = (outbox: Ref.Ref<ReadonlyArray<MailMessage>>) =>
    Layer.succeed(Mailer, { enabled: true, send: (m) => Ref.update(outbox, (xs) => [...xs, m]) });

  static readonly smtp = (options: SmtpOptions) =>
    Layer.scoped(
      Mailer,
      Effect.map(
        Effect.acquireRelease(
          Effect.sync(() => makeTransport(options)),
          (transport) => Effect.sync(() => transport.close()),
        ),
        (transport): MailerApi => ({
          enabled: true,
          send: (m) =>
            Effect.tryPromise({
              try: () =>
                transport.sendMail({
                  from: options.from,
                  to: m.to,
                  subject: m.subject,
                  text: m.text,
                  html: m.html,
                }),
              catch: (e) => new MailFailed({ to: m.to, reason: e instanceof Error ? e.message : String(e) }),
            }).pipe(
              Effect.timeoutFail({
                duration: options.timeout ?? SEND_TIMEOUT,
                onTimeout: () =>
                  new MailFailed({
                    to: m.to,
                    reason: `no answer from ${options.host} within ${
                      Duration.format(options.timeout ?? SEND_TIMEOUT)
                    }`,
                  }),
              }),
              Effect.asVoid,
              Effect.withSpan("Mailer.send"),
            ),
        }),
      ),
    );

  /** From hcstakepool.conf: smtphost (empty → console), smtptls, smtpcert, smtpfrom, smtpusername/-password. */
  static readonly fromConfig = (config: PoolConfig) =>
    config.smtpHost === "" ? Mailer.console : Layer.unwrapEffect(
      Effect.map(
        config.smtpCert === "" ? Effect.succeed(undefined) : Effect.tryPromise({
          try: () => Deno.readTextFile(config.smtpCert),
          catch: (e) => new SmtpCertUnreadable({ path: config.smtpCert, reason: String(e) }),
        }),
        (certPem) =>
          Mailer.smtp({
            host: config.smtpHost,
            tls: config.smtpTls,
            from: config.smtpFrom,
            username: config.smtpUsername,
            password: config.smtpPassword,
            ...(certPem === undefined ? {} : { certPem }),
          }),
      ),
    );
}

const makeTransport = (options: SmtpOptions): Transporter => {
  const { hostname, port } = splitHost(options.host, options.tls);
  const seconds = (s: number) => s * 1000;
  return nodemailer.createTransport({
    host: hostname,
    port,
    secure: options.tls === "tls",
    requireTLS: options.tls === "starttls",
    ignoreTLS: options.tls === "none",
    ...(options.username === ""
      ? {}
      : { auth: { user: options.username, pass: Redacted.value(options.password) } }),
    tls: options.certPem === undefined ? {} : { ca: options.certPem },
    connectionTimeout: seconds(10),
    greetingTimeout: seconds(10),
    socketTimeout: seconds(15),
  });
};
