import assert from "node:assert/strict";
import { Cause, Effect, Exit, Layer, Logger, LogLevel, Option } from "effect";
import { ControlApi } from "../../src/rpc/stakepoold_protocol.ts";
import { RpcCode } from "../../src/rpc/errors.ts";
import { IncompatibleNode } from "../../src/services/local_node.ts";
import { stakepooldLayer } from "../../stakepoold.ts";
import { withEmbeddedDatabase } from "../storage/support.ts";
import { withNetwork } from "../sim/helpers.ts";
import { stakepooldConfigFor, startStakepoolds, storageLayer } from "./support.ts";

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
  withNetwork({ nodes: 1 }, (network) =>
    withEmbeddedDatabase(async (database) => {
      const dir = await Deno.makeTempDir({ prefix: "stakepoold-test-" });
      try {
        await network.control.setFaults(0, versionRefused("hcd"));
        const config = stakepooldConfigFor(network, database, dir, 0);
        const exit = await Effect.runPromiseExit(
          Effect.scoped(Layer.build(stakepooldLayer(config))).pipe(
            Effect.provide(storageLayer(database)),
          ),
        );
        assert.ok(Exit.isFailure(exit));
        const failure = Option.getOrThrow(Cause.failureOption(exit.cause));
        assert.ok(failure instanceof IncompatibleNode, String(failure));
        assert.equal(failure.host, new URL(network.endpoints.nodes[0].hcd.url).host);
        assert.match(
          failure.message,
          /^hcd .* cannot be used: version failed: -32601: Method not found; hcdjsonrpcapi compatible with 3\.1\.0 is required$/,
        );
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    })));

Deno.test("stakepoold starts with a warning when the wallet's API version cannot be confirmed", () =>
  withNetwork({ nodes: 1 }, (network) =>
    withEmbeddedDatabase(async (database) => {
      const dir = await Deno.makeTempDir({ prefix: "stakepoold-test-" });
      const warnings: string[] = [];
      try {
        await network.control.setFaults(0, versionRefused("wallet"));
        await Effect.runPromise(Effect.scoped(
          Effect.gen(function* () {
            const [spd] = yield* startStakepoolds(network, database, dir);
            assert.deepEqual(yield* spd.control.call(ControlApi.ping, {}), {});
          }).pipe(Effect.provide(Layer.merge(storageLayer(database), warningsInto(warnings)))),
        ));
        const walletWarnings = warnings.filter((w) => w.includes("hcwallet"));
        assert.equal(walletWarnings.length, 1, warnings.join("\n"));
        assert.match(walletWarnings[0], /may not work as expected: version failed: -32601: Method not found/);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    })));
