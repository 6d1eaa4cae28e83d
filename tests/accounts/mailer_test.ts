// The Mailer against a real SMTP server (smtp-server, in process): plain SMTP, SMTPS and STARTTLS,
// a pinned self-signed certificate, a server too slow to wait for; mail off writes to the log.
import assert from "node:assert/strict";
import { Effect, Layer, Logger, Redacted } from "effect";
import { Mailer, type MailMessage, type SmtpOptions } from "../../src/mail/mailer.ts";
import { verificationMail } from "../../src/mail/messages.ts";
import { generateCertPair } from "../../src/rpc/tls_cert.ts";
import { type SmtpSinkOptions, startSmtpSink } from "../http/support.ts";
import { testPoolConfig } from "./support.ts";

const MESSAGE = verificationMail(
  "user@example.test",
  "https://pool.example/emailverify?t=0123456789abcdef0123456789abcdef",
);

const send = (options: Omit<SmtpOptions, "host">, sink: { port: number }, message: MailMessage = MESSAGE) =>
  Effect.flatMap(Mailer, (m) => m.send(message)).pipe(
    Effect.provide(Mailer.smtp({ host: `127.0.0.1:${sink.port}`, ...options })),
    Effect.either,
    Effect.runPromise,
  );

const withSink = async (
  options: SmtpSinkOptions,
  f: (sink: Awaited<ReturnType<typeof startSmtpSink>>) => Promise<void>,
) => {
  const sink = await startSmtpSink(options);
  try {
    await f(sink);
  } finally {
    await sink.close();
  }
};

const base = { from: "pool@pool.example", username: "", password: Redacted.make("") } as const;
const pair = generateCertPair({ organization: "smtp test", hosts: [], ips: [] });
const tls = { key: pair.keyPem, cert: pair.certPem };

Deno.test("plain SMTP: text and HTML parts, the original's subject, From smtpfrom", () =>
  withSink({}, async (sink) => {
    const result = await send({ ...base, tls: "none" }, sink);
    assert.equal(result._tag, "Right");
    const [mail] = sink.messages;
    assert.deepEqual(mail.to, ["user@example.test"]);
    assert.equal(mail.subject, "Stake pool email verification");
    assert.match(mail.from, /pool@pool\.example/);
    assert.match(mail.text, /https:\/\/pool\.example\/emailverify\?t=0123456789abcdef0123456789abcdef/);
    assert.match(
      mail.html,
      /<a href="https:\/\/pool\.example\/emailverify\?t=0123456789abcdef0123456789abcdef"/,
    );
  }));

Deno.test("SMTPS with the server's self-signed certificate pinned; refused without it or with another", () =>
  withSink({ tls }, async (sink) => {
    assert.equal((await send({ ...base, tls: "tls", certPem: pair.certPem }, sink))._tag, "Right");
    assert.equal(sink.messages.length, 1);
    const unpinned = await send({ ...base, tls: "tls" }, sink);
    assert.equal(unpinned._tag, "Left");
    const other = generateCertPair({ organization: "someone else", hosts: [], ips: [] }).certPem;
    const wrongPin = await send({ ...base, tls: "tls", certPem: other }, sink);
    assert.equal(wrongPin._tag, "Left");
    assert.equal(sink.messages.length, 1, "nothing sent to an unverified server");
  }));

Deno.test("STARTTLS: upgrades before sending; a server that cannot upgrade gets nothing", async () => {
  await withSink({ tls: { ...tls, starttls: true } }, async (sink) => {
    assert.equal((await send({ ...base, tls: "starttls", certPem: pair.certPem }, sink))._tag, "Right");
    assert.equal(sink.messages.length, 1);
  });
  await withSink({}, async (sink) => {
    const result = await send({ ...base, tls: "starttls" }, sink);
    assert.equal(result._tag, "Left");
    assert.equal(sink.messages.length, 0);
  });
});

Deno.test("a server that does not answer in time fails the send instead of holding the request", () =>
  withSink({ delayMs: 5_000 }, async (sink) => {
    const started = performance.now();
    const result = await send({ ...base, tls: "none", timeout: "300 millis" }, sink);
    assert.equal(result._tag, "Left");
    assert.match(result.left.message, /no answer from 127\.0\.0\.1:\d+ within 300ms/);
    assert.ok(performance.now() - started < 4_000, "well before the server answers");
  }));

Deno.test("mail off: the message and its link are logged, and the Mailer says it is off", async () => {
  const lines: Array<string> = [];
  const logger = Logger.replace(Logger.defaultLogger, Logger.map(Logger.logfmtLogger, (l) => lines.push(l)));
  const enabled = await Effect.flatMap(Mailer, (m) => Effect.as(m.send(MESSAGE), m.enabled)).pipe(
    Effect.provide(Layer.merge(Mailer.console, logger)),
    Effect.runPromise,
  );
  assert.equal(enabled, false);
  assert.equal(lines.length, 1);
  assert.match(lines[0], /emailverify\?t=0123456789abcdef0123456789abcdef/);
  assert.match(lines[0], /to=user@example\.test/);
});

Deno.test("fromConfig: no smtphost is the log; an unreadable smtpcert fails naming the option", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const off = await testPoolConfig(dir);
    assert.equal(
      await Effect.runPromise(
        Effect.map(Mailer, (m) => m.enabled).pipe(Effect.provide(Mailer.fromConfig(off))),
      ),
      false,
    );
    const broken = await testPoolConfig(dir, { smtphost: "127.0.0.1:1", smtpcert: `${dir}/missing.cert` });
    const result = await Effect.runPromise(Effect.either(Effect.provide(Mailer, Mailer.fromConfig(broken))));
    assert.equal(result._tag, "Left");
    assert.match(result.left.message, /^smtpcert: cannot read ".*missing\.cert"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
