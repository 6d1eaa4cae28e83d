// Shared by the hcsim tests: a small network and clients pinned to its certificates. A network
// takes its seed from HCSIM_SEED when set, and a test that fails prints the seed that replays it.
import { Effect, Either, type Scope } from "effect";
import { deriveAddress, parseExtendedKey } from "../../src/domain/hdkey.ts";
import { makeRpcClient, type RpcClient } from "../../src/rpc/jsonrpc_client.ts";
import {
  type Endpoint,
  type SimNetwork,
  type SimNetworkOptions,
  startSimNetwork,
} from "../../src/sim/network.ts";

/** The seed a test's network replays: HCSIM_SEED when set, else a fresh one. */
export const testSeed = () => Deno.env.get("HCSIM_SEED") || undefined;

/** Runs `test`; if it fails, says which seed replays it. */
export const reportingSeed = async <A>(seed: string, test: () => Promise<A>): Promise<A> => {
  try {
    return await test();
  } catch (e) {
    console.error(`hcsim seed ${seed}: replay with HCSIM_SEED=${seed}`);
    throw e;
  }
};

export const withNetwork = async (
  options: Partial<SimNetworkOptions>,
  test: (network: SimNetwork) => Promise<void>,
) => {
  const datadir = await Deno.makeTempDir({ prefix: "hcsim-test-" });
  const network = await startSimNetwork({
    nodes: 2,
    backgroundTickets: 8,
    feeAddressCount: 50,
    datadir,
    seed: testSeed(),
    ...options,
  });
  try {
    await reportingSeed(network.seed, () => test(network));
  } finally {
    await network.close();
    await Deno.remove(datadir, { recursive: true });
  }
};

export const clientFor = (
  endpoint: Endpoint,
  transport: "ws" | "post" = "post",
): Effect.Effect<RpcClient, never, Scope.Scope> =>
  Effect.gen(function* () {
    const certPem = yield* Effect.promise(() => Deno.readTextFile(endpoint.cert));
    return yield* makeRpcClient({
      url: endpoint.url,
      user: endpoint.user,
      password: endpoint.password,
      certPem,
      transport,
      timeoutMs: 5000,
      backoff: { initialMs: 20, maxMs: 100 },
    });
  });

/** Address `<xpub>/0/<index>` as the pool derives voting and fee addresses. */
export const derived = (xpub: string, index: number) =>
  Either.getOrThrow(Either.flatMap(parseExtendedKey(xpub), (k) => deriveAddress(k, 0, index)));

/** The error a call failed with (code and message), or a failure of the test. */
export const callError = <A, E extends { readonly _tag: string }>(effect: Effect.Effect<A, E>) =>
  Effect.flip(effect).pipe(
    Effect.map((e) => e as unknown as { _tag: string; code?: number; message: string }),
  );
