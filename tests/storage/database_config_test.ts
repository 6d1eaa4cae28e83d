import { Effect, Either, Redacted } from "effect";
import assert from "node:assert/strict";
import { databaseConfigFromOptions, embeddedDatabaseFile } from "../../src/config/database.ts";
import { loadDatabaseArgs } from "../../src/config/pool.ts";

const loadDatabaseConfig = (argv: ReadonlyArray<string>) =>
  Effect.map(loadDatabaseArgs(argv), ({ database }) => database);

Deno.test("database options: flags override the config file; no dbhost means the embedded store", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const conf = `${dir}/hcstakepool.conf`;
    await Deno.writeTextFile(
      conf,
      "[Application Options]\ndbhost=db.internal\ndbuser=pool\ndbpassword=s3cret\n; x\n",
    );
    const config = await Effect.runPromise(
      loadDatabaseConfig(["-C", conf, "--dbport=3307", "--dbname", "hc"]),
    );
    assert.deepEqual({ ...config, dbpassword: Redacted.value(config.dbpassword!) }, {
      dbhost: "db.internal",
      dbport: 3307,
      dbname: "hc",
      dbuser: "pool",
      dbpassword: "s3cret",
      datadir: config.datadir,
    });
    assert.ok(!String(config.dbpassword).includes("s3cret"));
    const embedded = Either.getOrThrow(databaseConfigFromOptions({ datadir: dir }));
    assert.equal(embedded.dbhost, undefined);
    assert.equal(embeddedDatabaseFile(embedded), `${dir}/hcstakepool.sqlite`);
    const unknown = await Effect.runPromise(Effect.flip(loadDatabaseConfig(["-C", conf, "--dbhots", "x"])));
    assert.equal(unknown.message, "dbhots: unknown option");
    const missing = await Effect.runPromise(Effect.flip(loadDatabaseConfig(["-C", `${dir}/none.conf`])));
    assert.match(missing.message, /^configfile: cannot read/);
    const port = databaseConfigFromOptions({ dbport: "70000" });
    assert.ok(
      Either.isLeft(port) && port.left.message === 'dbport: expected a port number 1-65535, got "70000"',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
