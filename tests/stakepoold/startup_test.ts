import assert from "node:assert/strict";
import { Cause, Duration, Effect, Exit, Fiber, Layer, Logger, LogLevel, Option, Redacted } from "effect";
import { ControlApi } from "../../src/rpc/stakepoold_protocol.ts";
import { RpcCode } from "../../src/rpc/errors.ts";
import type { StakepooldConfig } from "../../src/config/stakepoold.ts";
import { startSimNetwork } from "../../src/sim/network.ts";
import { IncompatibleNode, WrongNetwork } from "../../src/stakepoold/local_node.ts";
import { stakepooldLayer } from "../../stakepoold.ts";
import {
  eventually,
  logLinesInto,
  stakepooldConfigFor,
  startStakepoolds,
  TEST_FEE_ADDRESSES,
  withStakepooldSetup,
} from "./support.ts";

const versionRefused = (server: "hcd" | "wallet") => ({
  methodErrors: { version: { code: RpcCode.methodNotFound, message: "Method not found", server } },
});

Deno.test("stakepoold refuses to start when hcd does not report a compatible hcdjsonrpcapi", () =>
  withStakepooldSetup({ network: { nodes: 1 } }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      yield* Effect.promise(() => network.control.setFaults(0, versionRefused("hcd")));
      const config = stakepooldConfigFor(network, database, dir, 0);
      const exit = yield* Effect.exit(
        Effect.scoped(Layer.build(stakepooldLayer(config, { feeAddressCount: TEST_FEE_ADDRESSES }))),
      );
      assert.ok(Exit.isFailure(exit));
      const failure = Option.getOrThrow(Cause.failureOption(exit.cause));
      assert.ok(failure instanceof IncompatibleNode, String(failure));
      assert.equal(failure.host, new URL(network.endpoints.nodes[0].hcd.url).host);
      assert.match(
        failure.message,
        /^hcd .* cannot be used: version failed: -32601: Method not found; hcdjsonrpcapi compatible with 3\.1\.0 is required$/,
      );
    })));

Deno.test("stakepoold starts with a warning when the wallet's API version cannot be confirmed", () =>
  withStakepooldSetup({ network: { nodes: 1 } }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      const warnings: string[] = [];
      yield* Effect.promise(() => network.control.setFaults(0, versionRefused("wallet")));
      yield* Effect.scoped(Effect.gen(function* () {
        const [spd] = yield* startStakepoolds(network, database, dir);
        assert.deepEqual(yield* spd.control.call(ControlApi.ping, {}), {});
      })).pipe(Effect.provide(logLinesInto(warnings, LogLevel.Warning)));
      const walletWarnings = warnings.filter((w) => w.includes("hcwallet"));
      assert.equal(walletWarnings.length, 1, warnings.join("\n"));
      assert.match(walletWarnings[0], /may not work as expected: version failed: -32601: Method not found/);
    })));

Deno.test("stakepoold starts without a wallet warning against hcwallet's own API version (4.1.0)", () =>
  withStakepooldSetup({ network: { nodes: 1 } }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      const warnings: string[] = [];
      yield* Effect.scoped(Effect.gen(function* () {
        const [spd] = yield* startStakepoolds(network, database, dir);
        assert.deepEqual(yield* spd.control.call(ControlApi.ping, {}), {});
      })).pipe(Effect.provide(logLinesInto(warnings, LogLevel.Warning)));
      assert.deepEqual(warnings.filter((w) => w.includes("hcwallet")), []);
    })));

/** The refusal stakepoold's layers fail with, as a WrongNetwork. */
const refusedAsWrongNetwork = (config: StakepooldConfig) =>
  Effect.gen(function* () {
    const exit = yield* Effect.exit(
      Effect.scoped(Layer.build(stakepooldLayer(config, { feeAddressCount: TEST_FEE_ADDRESSES }))),
    );
    assert.ok(Exit.isFailure(exit), "stakepoold started");
    const failure = Option.getOrThrow(Cause.failureOption(exit.cause));
    assert.ok(failure instanceof WrongNetwork, String(failure));
    return failure;
  });

Deno.test("stakepoold refuses an hcd on another network than the configured one (getcurrentnet)", () =>
  withStakepooldSetup(
    { network: { nodes: 1, net: "testnet2" } },
    ({ network, database, dir }) =>
      Effect.gen(function* () {
        const config = { ...stakepooldConfigFor(network, database, dir, 0), network: "simnet" as const };
        const failure = yield* refusedAsWrongNetwork(config);
        assert.equal(failure.server, "hcd");
        assert.equal(
          failure.message,
          `hcd ${new URL(network.endpoints.nodes[0].hcd.url).host} cannot be used: ` +
            "it is on testnet2 (wire magic 0x9ab5693b), stakepoold is configured for simnet",
        );
      }),
  ));

Deno.test("stakepoold refuses an hcwallet on another network than the configured one (its account key)", () =>
  withStakepooldSetup({ network: { nodes: 1 } }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      const other = yield* Effect.acquireRelease(
        Effect.promise(async () => {
          const datadir = await Deno.makeTempDir({ prefix: "hcsim-testnet2-" });
          const sim = await startSimNetwork({ nodes: 1, net: "testnet2", backgroundTickets: 8, datadir });
          return { sim, datadir };
        }),
        ({ sim, datadir }) =>
          Effect.promise(() => sim.close().then(() => Deno.remove(datadir, { recursive: true }))),
      );
      const config = {
        ...stakepooldConfigFor(network, database, dir, 0),
        wallet: stakepooldConfigFor(other.sim, database, dir, 0).wallet,
      };
      const failure = yield* refusedAsWrongNetwork(config);
      assert.equal(failure.server, "hcwallet");
      assert.equal(
        failure.message,
        `hcwallet ${new URL(other.sim.endpoints.nodes[0].wallet.url).host} cannot be used: ` +
          "its default account key is for testnet2, stakepoold is configured for simnet",
      );
    })));

Deno.test("a wrong wallet password: one ERROR naming the wallet and 'authentication failed', then asked again quietly with a capped backoff", () =>
  withStakepooldSetup({ network: { nodes: 1 } }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      const logged: Array<{ readonly level: string; readonly at: number; readonly line: string }> = [];
      const logger = Layer.merge(
        Logger.replace(
          Logger.defaultLogger,
          Logger.make(({ logLevel, message, date }) => {
            logged.push({
              level: logLevel.label,
              at: date.getTime(),
              line: [message].flat().map(String).join(" "),
            });
          }),
        ),
        Logger.minimumLogLevel(LogLevel.Debug),
      );
      const wrongPassword = "not-the-wallet-password-1234";
      const right = stakepooldConfigFor(network, database, dir, 0);
      const config = { ...right, wallet: { ...right.wallet, password: Redacted.make(wrongPassword) } };
      const starting = yield* Effect.forkScoped(
        Layer.build(
          stakepooldLayer(config, {
            serverRetry: { initial: Duration.millis(50), max: Duration.millis(400) },
            feeAddressCount: TEST_FEE_ADDRESSES,
          }),
        ).pipe(Effect.provide(logger)),
      );
      const wallet = `hcwallet ${new URL(network.endpoints.nodes[0].wallet.url).host}`;
      const attempts = () =>
        logged.filter((l) =>
          l.line.startsWith(`${wallet} refused`) || l.line.startsWith(`still waiting for ${wallet}`)
        );
      // Uncapped, the tenth attempt would come 25 s after the first; capped at 400 ms, after 2.75 s.
      yield* eventually("the refused login is reported", Effect.sync(() => attempts().length > 0), 20_000);
      yield* eventually("ten attempts", Effect.sync(() => attempts().length >= 10), 8_000);
      yield* Fiber.interrupt(starting);

      const errors = logged.filter((l) => l.level === "ERROR");
      assert.equal(errors.length, 1, JSON.stringify(logged));
      assert.match(
        errors[0].line,
        new RegExp(
          `^${wallet} refused stakepoold's login: authentication failed \\(HTTP 401\\); check walletuser and walletpassword`,
        ),
      );
      assert.deepEqual(logged.filter((l) => l.level === "WARN" && l.line.includes("hcwallet")), []);
      assert.ok(!logged.some((l) => l.line.includes(wrongPassword)), "the password is never logged");
      // Each wait doubles from 50 ms up to 400 ms (a sleep never ends early).
      const times = attempts().map((l) => l.at);
      for (let i = 1; i < times.length; i++) {
        const least = Math.min(50 * 2 ** (i - 1), 400);
        assert.ok(
          times[i] - times[i - 1] >= least - 5,
          `wait ${i}: ${times[i] - times[i - 1]} ms < ${least} ms`,
        );
      }
    })));
