// Hostile input to every parser that reads what comes from outside the process: each hcd/hcwallet
// method's result decoder (callMethod over a client whose answer is any JSON), hcd's
// notifications, the domain's decoders of addresses, keys, transactions and block headers, and
// both programs' option readers. None may throw or die: a value is accepted, or refused with a
// tagged error whose message says why (for an option, naming the option).
import assert from "node:assert/strict";
import { Cause, Effect, Either, Exit, FastCheck as fc, Option, Schema, Stream } from "effect";
import { decodeAddress, decodeAddressForNet } from "../../src/domain/address.ts";
import { deserializeBlockHeader } from "../../src/domain/block.ts";
import { fromHex } from "../../src/domain/bytes.ts";
import { parseExtendedKey } from "../../src/domain/hdkey.ts";
import { NETWORKS } from "../../src/domain/params.ts";
import { deserializeTx, txFromHex } from "../../src/domain/tx.ts";
import * as hc from "../../src/rpc/hc_methods.ts";
import type { RpcClient } from "../../src/rpc/jsonrpc_client.ts";
import { parseIni } from "../../src/config/ini.ts";
import { POOL_OPTIONS, poolConfigFromOptions } from "../../src/config/pool.ts";
import { ControlApi, ControlError, TicketEvent } from "../../src/rpc/stakepoold_protocol.ts";
import { STAKEPOOLD_OPTIONS, stakepooldConfigFromOptions } from "../../src/config/stakepoold.ts";
import { anyJson, fuzz, hostileText } from "./support.ts";

/** A client whose every call answers `raw`. */
const answering = (raw: unknown): RpcClient => ({
  host: "fuzz:1",
  name: "fuzz",
  call: () => Effect.succeed(raw),
  notifications: Stream.empty,
  connected: Effect.succeed(true),
  reconnects: Stream.empty,
  connectionNumber: Effect.succeed(1),
});

const METHODS = Object.values(hc).filter((v): v is hc.RpcMethod<any, any> =>
  typeof v === "object" && v !== null && "name" in v && "params" in v && "result" in v
);

/** The failure of an exit: undefined on success; a defect (a throw, a die) fails the test. */
const failureOf = <A, E>(exit: Exit.Exit<A, E>, where: string): E | undefined => {
  if (Exit.isSuccess(exit)) return undefined;
  const failure = Cause.failureOption(exit.cause);
  assert.ok(Option.isSome(failure), `${where}: died instead of failing: ${Cause.pretty(exit.cause)}`);
  return failure.value;
};

Deno.test("every hcd/hcwallet method's result decoder refuses malformed answers with an RpcDecodeError that says why", async () => {
  assert.ok(METHODS.length >= 30, `only ${METHODS.length} methods found`);
  await fuzz(
    fc.asyncProperty(fc.constantFrom(...METHODS), anyJson, async (method, raw) => {
      const exit = await Effect.runPromiseExit(hc.callMethod(answering(raw), method, [] as any));
      const e = failureOf(exit, `${method.name} answering ${JSON.stringify(raw)}`);
      if (e === undefined) return;
      assert.equal((e as { _tag: string })._tag, "RpcDecodeError", method.name);
      assert.ok((e as { message: string }).message.length > 0);
    }),
    3_000,
  );
});

Deno.test("hcd notifications with any method and params decode or are refused, never thrown", async () => {
  const methods = [
    "winningtickets",
    "newtickets",
    "spentandmissedtickets",
    "blockconnected",
    "blockdisconnected",
  ];
  await fuzz(
    fc.property(
      fc.oneof(fc.constantFrom(...methods), fc.string()),
      fc.array(anyJson, { maxLength: 5 }),
      (method, params) => {
        const r = hc.decodeNotification("fuzz:1", { method, params });
        if (Either.isLeft(r)) assert.ok(r.left.message.length > 0);
      },
    ),
    3_000,
  );
});

Deno.test("stakepoold control answers and ticket events: any JSON decodes or is refused with a reason", async () => {
  const schemas = [
    ...Object.values(ControlApi).flatMap((op) => [op.request, op.response]),
    TicketEvent,
    ControlError,
  ];
  await fuzz(
    fc.property(fc.constantFrom(...schemas), anyJson, (schema, raw) => {
      const r = Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown>)(raw);
      if (Either.isLeft(r)) assert.ok(r.left.message.length > 0);
    }),
    3_000,
  );
});

/** Hex strings: random bytes, and random text (hex is what peers and users send). */
const hexish = fc.oneof(
  fc.uint8Array({ maxLength: 400 }).map((b) =>
    Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")
  ),
  fc.stringMatching(/^[0-9a-fA-F]{0,300}$/),
  hostileText,
);

Deno.test("addresses, extended keys, transactions and block headers: any input is decoded or refused with a reason", async () => {
  const refusedWithReason = (r: Either.Either<unknown, { readonly message: string }>) => {
    if (Either.isLeft(r)) assert.ok(r.left.message.length > 0);
  };
  await fuzz(
    fc.property(hostileText, fc.constantFrom(...Object.values(NETWORKS)), (text, net) => {
      refusedWithReason(decodeAddress(text));
      refusedWithReason(decodeAddressForNet(text, net));
      refusedWithReason(parseExtendedKey(text));
      refusedWithReason(parseExtendedKey(text, net));
    }),
    2_000,
  );
  await fuzz(
    fc.property(hexish, (hex) => {
      refusedWithReason(fromHex(hex));
      refusedWithReason(txFromHex(hex));
      const bytes = Either.getOrUndefined(fromHex(hex));
      if (bytes !== undefined) {
        refusedWithReason(deserializeTx(bytes));
        refusedWithReason(deserializeBlockHeader(bytes));
      }
    }),
    3_000,
  );
});

/** Option records over a table's names (and unknown ones) with hostile values. */
const optionRecords = (names: ReadonlyArray<string>) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 12 })), hostileText, {
    maxKeys: 8,
  });

Deno.test("config files: any text parses as options or is refused naming the line", async () => {
  await fuzz(
    fc.property(
      fc.array(fc.oneof(hostileText, fc.constantFrom("[Application Options]", "; c", "# c", "a=b", "=x")), {
        maxLength: 12,
      }),
      (lines) => {
        const r = parseIni(lines.join("\n"), "fuzz.conf", () => true);
        if (Either.isLeft(r)) assert.match(r.left.message, /^fuzz\.conf line \d+: /);
      },
    ),
    2_000,
  );
});

Deno.test("hcstakepool.conf and stakepoold.conf: any option values are taken or refused naming the option", async () => {
  const home = await Deno.makeTempDir({ prefix: "hcs_fuzz_conf_" });
  try {
    const check = (exit: Exit.Exit<unknown, unknown>, names: ReadonlyArray<string>, where: string) => {
      const e = failureOf(exit, where) as { _tag: string; option?: string; message: string } | undefined;
      if (e === undefined || e._tag === "SubsystemsRequested") return;
      assert.equal(e._tag, "ConfigError", where);
      assert.ok(e.message.length > 0);
      assert.ok(
        names.includes(e.option!) || ["configfile", "debuglevel", "logformat"].includes(e.option!),
        `${where}: refused naming "${e.option}"`,
      );
    };
    const poolNames = [...POOL_OPTIONS.values, ...POOL_OPTIONS.switches];
    const spdNames = [...STAKEPOOLD_OPTIONS.values, ...STAKEPOOLD_OPTIONS.switches];
    await fuzz(
      fc.asyncProperty(optionRecords(poolNames), async (options) => {
        const exit = await Effect.runPromiseExit(poolConfigFromOptions(options, "fuzz.conf", home));
        check(exit, poolNames, `hcstakepool.conf ${JSON.stringify(options).slice(0, 300)}`);
      }),
      1_500,
    );
    await fuzz(
      fc.asyncProperty(optionRecords(spdNames), async (options) => {
        const exit = await Effect.runPromiseExit(
          stakepooldConfigFromOptions({ appdata: home, ...options }, "fuzz.conf"),
        );
        check(exit, spdNames, `stakepoold.conf ${JSON.stringify(options).slice(0, 300)}`);
      }),
      1_500,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
