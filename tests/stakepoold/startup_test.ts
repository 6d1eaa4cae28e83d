import assert from "node:assert/strict";
import { Cause, Effect, Exit, Layer, Logger, LogLevel, Option } from "effect";
import { ControlApi } from "../../src/rpc/stakepoold_protocol.ts";
import { RpcCode } from "../../src/rpc/errors.ts";
import { IncompatibleNode } from "../../src/stakepoold/local_node.ts";
import { stakepooldLayer } from "../../stakepoold.ts";
import { stakepooldConfigFor, startStakepoolds, withStakepooldSetup } from "./support.ts";

const versionRefused = (server: "hcd" | "wallet") => ({
  methodErrors: { version: { code: RpcCode.methodNotFound, message: "Method not found", server } },
});

/** Collects warnings, with their annotations, instead of printing them. */
const warningsInto = (warnings: string[]) =>
  Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ logLevel, message }) => {
      if (LogLevel.greaterThanEqual(logLevel, LogLevel.Warning)) warnings.push(String(message));
    }),
  );

Deno.test("stakepoold refuses to start when hcd does not report a compatible hcdjsonrpcapi", () =>
  withStakepooldSetup({ network: { nodes: 1 } }, ({ network, database, dir }) =>
    Effect.gen(function* () {
      yield* Effect.promise(() => network.control.setFaults(0, versionRefused("hcd")));
      const config = stakepooldConfigFor(network, database, dir, 0);
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(stakepooldLayer(config))));
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
      })).pipe(Effect.provide(warningsInto(warnings)));
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
      })).pipe(Effect.provide(warningsInto(warnings)));
      assert.deepEqual(warnings.filter((w) => w.includes("hcwallet")), []);
    })));
