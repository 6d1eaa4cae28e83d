// A TCP relay in front of a server whose open connections can be frozen: bytes stop flowing in
// both directions and nothing closes, as when a peer loses power or a route drops (half-open).
export interface FreezableRelay {
  readonly port: number;
  /** Freezes every connection opened so far. */
  readonly freeze: () => void;
}

export const withFreezableRelay = async (
  targetPort: number,
  test: (relay: FreezableRelay) => Promise<void>,
): Promise<void> => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pairs: Array<{ a: Deno.Conn; b: Deno.Conn; frozen: boolean; done: Promise<unknown> }> = [];
  const pipe = async (pair: { frozen: boolean }, from: Deno.Conn, to: Deno.Conn) => {
    const buf = new Uint8Array(65536);
    while (true) {
      const n = await from.read(buf);
      if (n === null || pair.frozen) return;
      await to.write(buf.subarray(0, n));
    }
  };
  const relaying = (async () => {
    for await (const a of listener) {
      const b = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
      const pair = { a, b, frozen: false, done: Promise.resolve<unknown>(undefined) };
      pair.done = Promise.allSettled([pipe(pair, a, b), pipe(pair, b, a)]);
      pairs.push(pair);
    }
  })().catch(() => {});
  try {
    await test({
      port: listener.addr.port,
      freeze: () => {
        for (const p of pairs) p.frozen = true;
      },
    });
  } finally {
    listener.close();
    await relaying;
    for (const p of pairs) {
      for (const c of [p.a, p.b]) {
        try {
          c.close();
        } catch {
          // Already closed by the client or the server.
        }
      }
      await p.done;
    }
  }
};
