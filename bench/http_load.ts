// The pages' load, from a process of its own (loopback only, bounded in time): keep-alive HTTP/1.1
// connections written and read directly on TCP (the fetch client costs more than the servers it
// would measure), each sending its next request when the last answer is complete. Prints one JSON
// line: {"requests","seconds","rps","p50Ms","p99Ms","statuses":{code:count}}.
//   get <url> <connections> <seconds> [cookie] [path …]   GET the paths in turn (default the url's)
//   signup <url> <connections> <seconds>                  the sign-up form, then its POST, each time
//                                                          with a new email (counts POST answers)

interface Answer {
  readonly status: number;
  readonly headers: ReadonlyMap<string, ReadonlyArray<string>>;
  readonly body: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One keep-alive connection: a request, then its whole answer (Content-Length or chunked). */
const connection = async (host: string, port: number) => {
  const conn = await Deno.connect({ hostname: host, port });
  conn.setNoDelay(true);
  let buffer = new Uint8Array(0);
  const fill = async () => {
    const chunk = new Uint8Array(65536);
    const n = await conn.read(chunk);
    if (n === null) throw new Error("connection closed by the server");
    const next = new Uint8Array(buffer.length + n);
    next.set(buffer);
    next.set(chunk.subarray(0, n), buffer.length);
    buffer = next;
  };
  const take = (n: number) => {
    const out = buffer.subarray(0, n);
    buffer = buffer.subarray(n);
    return out;
  };
  const indexOf = (needle: string, from = 0) => {
    const b = encoder.encode(needle);
    outer: for (let i = from; i <= buffer.length - b.length; i++) {
      for (let j = 0; j < b.length; j++) if (buffer[i + j] !== b[j]) continue outer;
      return i;
    }
    return -1;
  };
  const line = async () => {
    let i;
    while ((i = indexOf("\r\n")) < 0) await fill();
    const text = decoder.decode(take(i));
    take(2);
    return text;
  };
  const bytes = async (n: number) => {
    while (buffer.length < n) await fill();
    return take(n);
  };
  const request = async (raw: string): Promise<Answer> => {
    await conn.write(encoder.encode(raw));
    const status = Number((await line()).split(" ")[1]);
    const headers = new Map<string, Array<string>>();
    for (let h = await line(); h !== ""; h = await line()) {
      const i = h.indexOf(":");
      const name = h.slice(0, i).trim().toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), h.slice(i + 1).trim()]);
    }
    let body = "";
    if (headers.get("transfer-encoding")?.[0] === "chunked") {
      for (let size = parseInt(await line(), 16); size > 0; size = parseInt(await line(), 16)) {
        body += decoder.decode(await bytes(size));
        await line();
      }
      await line();
    } else {
      body = decoder.decode(await bytes(Number(headers.get("content-length")?.[0] ?? 0)));
    }
    return { status, headers, body };
  };
  return { request, close: () => conn.close() };
};

const get = (host: string, path: string, cookie: string) =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${cookie ? `Cookie: ${cookie}\r\n` : ""}\r\n`;

const post = (host: string, path: string, cookie: string, form: Record<string, string>) => {
  const body = new URLSearchParams(form).toString();
  return `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\n` +
    `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${
      encoder.encode(body).length
    }\r\n\r\n${body}`;
};

const cookiesOf = (a: Answer) => (a.headers.get("set-cookie") ?? []).map((c) => c.split(";")[0]).join("; ");

if (import.meta.main) {
  const [mode, urlText, connectionsText, secondsText, ...rest] = Deno.args;
  const url = new URL(urlText);
  const host = url.host;
  const seconds = Number(secondsText);
  const latencies: Array<number> = [];
  const statuses: Record<number, number> = {};
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let signups = 0;
  const worker = async (w: number) => {
    const c = await connection(url.hostname, Number(url.port));
    try {
      if (mode === "get") {
        const [cookie = "", ...paths] = rest;
        const list = paths.length > 0 ? paths : [url.pathname + url.search];
        for (let i = w; performance.now() < deadline; i++) {
          const t = performance.now();
          const a = await c.request(get(host, list[i % list.length], cookie));
          latencies.push(performance.now() - t);
          statuses[a.status] = (statuses[a.status] ?? 0) + 1;
        }
      } else if (mode === "signup") {
        while (performance.now() < deadline) {
          const t = performance.now();
          const form = await c.request(get(host, "/signup", ""));
          const csrf = /name="csrf_token" value="([^"]*)"/.exec(form.body)?.[1] ?? "";
          const n = `${Deno.pid}-${w}-${signups++}`;
          const a = await c.request(post(host, "/signup", cookiesOf(form), {
            csrf_token: csrf,
            email: `signup${n}@bench.test`,
            password: "bench password 1",
            passwordrepeat: "bench password 1",
          }));
          latencies.push(performance.now() - t);
          statuses[a.status] = (statuses[a.status] ?? 0) + 1;
        }
      } else throw new Error(`unknown mode ${mode}`);
    } finally {
      c.close();
    }
  };
  await Promise.all(Array.from({ length: Number(connectionsText) }, (_, w) => worker(w)));
  const elapsed = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil(p / 100 * sorted.length) - 1)];
  console.log(JSON.stringify({
    requests: latencies.length,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50Ms: at(50),
    p99Ms: at(99),
    statuses,
  }));
}
