// A TCP forwarder the fault tests control, put between a program and a server it needs (MariaDB,
// a stakepoold's control API): `cut` closes the listening port and every connection through it,
// as a stopped server or a pulled cable does; `restore` listens on the same port again. The
// shared server itself is never touched.

export interface Forwarder {
  readonly port: number;
  /** Connections opened through it so far. */
  readonly connections: () => number;
  /** Refuses new connections and drops the open ones. */
  readonly cut: () => Promise<void>;
  /** Accepts connections again on the same port. */
  readonly restore: () => void;
  readonly close: () => Promise<void>;
}

export const startForwarder = (target: { readonly hostname: string; readonly port: number }): Forwarder => {
  let listener: Deno.Listener | undefined;
  let port = 0;
  let opened = 0;
  const open = new Set<Deno.Conn>();
  const pumps = new Set<Promise<void>>();

  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable, { preventClose: true });
    } catch {
      // The other side went away, or the connection was cut.
    }
    for (const c of [from, to]) {
      try {
        c.close();
      } catch {
        // Already closed.
      }
      open.delete(c);
    }
  };

  const serve = async (l: Deno.Listener) => {
    for await (const client of l) {
      opened++;
      let server: Deno.Conn;
      try {
        server = await Deno.connect(target);
      } catch {
        client.close();
        continue;
      }
      open.add(client);
      open.add(server);
      const pump = Promise.all([pipe(client, server), pipe(server, client)]).then(() => {});
      pumps.add(pump);
      pump.finally(() => pumps.delete(pump));
    }
  };

  const listen = () => {
    listener = Deno.listen({ hostname: "127.0.0.1", port });
    port = (listener.addr as Deno.NetAddr).port;
    serve(listener).catch(() => {});
  };
  listen();

  const cut = async () => {
    listener?.close();
    listener = undefined;
    for (const c of open) {
      try {
        c.close();
      } catch {
        // Already closed.
      }
    }
    open.clear();
    await Promise.all(pumps);
  };

  return {
    port,
    connections: () => opened,
    cut,
    restore: () => {
      if (listener === undefined) listen();
    },
    close: cut,
  };
};
