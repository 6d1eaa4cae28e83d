// The account use cases on their real services without the web: a fresh embedded store (migrated),
// a PoolConfig read from options as an operator writes them (keys and certificates generated for
// the test), mail into an outbox, and the captcha with its digits visible to the test.
import { Effect, Either, Layer, Ref } from "effect";
import { PoolSettings } from "../../src/accounts/pool_settings.ts";
import { Captcha } from "../../src/captcha/captcha.ts";
import { type PoolConfig, poolConfigFromOptions } from "../../src/config/pool.ts";
import { masterFromSeed, neuter, serializeExtendedKey } from "../../src/domain/hdkey.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { Mailer, type MailMessage } from "../../src/mail/mailer.ts";
import { generateCertPair } from "../../src/rpc/tls_cert.ts";
import { AuditLog } from "../../src/storage/audit_log.ts";
import { databaseLayer } from "../../src/storage/database.ts";
import { EmailChanges } from "../../src/storage/email_changes.ts";
import { PasswordResets } from "../../src/storage/password_resets.ts";
import { Sessions } from "../../src/storage/sessions.ts";
import { Users } from "../../src/storage/users.ts";
import { withEmbeddedDatabase } from "../storage/support.ts";

const xpub = (seedByte: number) =>
  serializeExtendedKey(
    neuter(Either.getOrThrow(masterFromSeed(new Uint8Array(32).fill(seedByte), NETWORKS.simnet))),
  );

/** A simnet hcstakepool.conf's options with `overrides`, read by the pool's own reader. */
export const testPoolConfig = async (
  dir: string,
  overrides: Record<string, string> = {},
): Promise<PoolConfig> => {
  const cert = `${dir}/wallet.cert`;
  await Deno.writeTextFile(cert, generateCertPair({ organization: "test", hosts: [], ips: [] }).certPem);
  return Effect.runPromise(poolConfigFromOptions(
    {
      simnet: "1",
      datadir: dir,
      logdir: `${dir}/logs`,
      apisecret: "unit-test-api-secret",
      cookiesecret: "unit-test-cookie-secret",
      baseurl: "https://pool.example",
      coldwalletextpub: xpub(1),
      votingwalletextpub: xpub(2),
      adminips: "127.0.0.1",
      adminuserids: "1",
      wallethosts: "127.0.0.1:1,127.0.0.1:2",
      walletusers: "u,u",
      walletpasswords: "p,p",
      walletcerts: `${cert},${cert}`,
      ...overrides,
    },
    "",
    dir,
  ));
};

export interface Accounts {
  readonly config: PoolConfig;
  readonly outbox: Ref.Ref<ReadonlyArray<MailMessage>>;
  readonly captchas: Map<string, string>;
  readonly layer: Layer.Layer<
    PoolSettings | Users | Sessions | AuditLog | EmailChanges | PasswordResets | Mailer | Captcha,
    unknown
  >;
}

export const withAccounts = (f: (a: Accounts) => Promise<void>, overrides: Record<string, string> = {}) =>
  withEmbeddedDatabase(async (database) => {
    const config = await testPoolConfig(database.datadir, overrides);
    const outbox = Ref.unsafeMake<ReadonlyArray<MailMessage>>([]);
    const captchas = new Map<string, string>();
    const layer = Layer.mergeAll(EmailChanges.layer, PasswordResets.layer).pipe(
      Layer.provideMerge(Layer.mergeAll(Users.layer, Sessions.layer, AuditLog.layer)),
      Layer.provideMerge(databaseLayer(database)),
      Layer.merge(
        Layer.mergeAll(
          PoolSettings.layer(config, 7),
          Mailer.test(outbox),
          Captcha.layer({ onIssued: (id, digits) => captchas.set(id, digits) }),
        ),
      ),
    );
    await f({ config, outbox, captchas, layer });
  });
