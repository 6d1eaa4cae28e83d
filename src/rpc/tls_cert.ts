// Self-signed TLS certificates shaped like the ones hcd/hcwallet generate for rpc.cert
// (HC-PROTOCOL §8.1): ECDSA P-521, CA:TRUE, KeyUsage certSign|digitalSignature|keyEncipherment,
// SANs for the hosts, localhost and the machine's IPs. Clients pin the certificate file as their CA,
// so a server certificate is also its own issuer. The X.509 DER is written here; node:crypto signs.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import { Clock, Data, Effect } from "effect";
import { concatBytes } from "../domain/bytes.ts";

export interface CertPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertSpec {
  readonly organization: string;
  /** DNS names; "localhost" is always added. The first one is the subject common name. */
  readonly hosts: ReadonlyArray<string>;
  /** IP addresses; 127.0.0.1 and ::1 are always added. */
  readonly ips: ReadonlyArray<string>;
  readonly validYears?: number;
}

export class CertFileError extends Data.TaggedError("CertFileError")<{
  readonly path: string;
  readonly detail: string;
}> {
  override get message() {
    return `TLS certificate file ${this.path}: ${this.detail}`;
  }
}

// ---- a minimal DER writer (only the types a certificate needs) ----

const derLength = (n: number): Uint8Array => {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
};

const tlv = (tag: number, ...content: ReadonlyArray<Uint8Array>): Uint8Array => {
  const body = concatBytes(...content);
  return concatBytes(Uint8Array.of(tag), derLength(body.length), body);
};

const sequence = (...items: ReadonlyArray<Uint8Array>) => tlv(0x30, ...items);
const set = (...items: ReadonlyArray<Uint8Array>) => tlv(0x31, ...items);
const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);
const octetString = (b: Uint8Array) => tlv(0x04, b);
const utf8String = (s: string) => tlv(0x0c, new TextEncoder().encode(s));
const derTrue = Uint8Array.of(0x01, 0x01, 0xff);
const bitString = (b: Uint8Array, unusedBits = 0) => tlv(0x03, Uint8Array.of(unusedBits), b);

/** A non-negative INTEGER from big-endian magnitude bytes (leading zero added when the top bit is set). */
const unsignedInteger = (magnitude: Uint8Array): Uint8Array => {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const m = magnitude.subarray(start);
  return tlv(0x02, m[0] & 0x80 ? concatBytes(Uint8Array.of(0), m) : m);
};

const oid = (dotted: string): Uint8Array => {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const out = [40 * a + b];
  for (const arc of rest) {
    const base128: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift(0x80 | (v & 0x7f));
    out.push(...base128);
  }
  return tlv(0x06, Uint8Array.from(out));
};

// RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
const time = (d: Date): Uint8Array => {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, "") + "Z";
  const year = d.getUTCFullYear();
  return year < 2050
    ? tlv(0x17, new TextEncoder().encode(digits.slice(2)))
    : tlv(0x18, new TextEncoder().encode(digits));
};

const ipBytes = (ip: string): Uint8Array => {
  if (isIPv4(ip)) return Uint8Array.from(ip.split(".").map(Number));
  // IPv6, possibly with "::" and an embedded IPv4 tail.
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const groups = (s: string | undefined): number[] => {
    if (!s) return [];
    return s.split(":").flatMap((g) => {
      if (isIPv4(g)) {
        const [a, b, c, d] = g.split(".").map(Number);
        return [(a << 8) | b, (c << 8) | d];
      }
      return [parseInt(g, 16)];
    });
  };
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array(8 - h.length - t.length).fill(0), ...t];
  return Uint8Array.from(all.flatMap((g) => [g >> 8, g & 0xff]));
};

const OID = {
  organization: "2.5.4.10",
  commonName: "2.5.4.3",
  ecdsaWithSha512: "1.2.840.10045.4.3.4",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
} as const;

const extension = (id: string, critical: boolean, value: Uint8Array) =>
  critical ? sequence(oid(id), derTrue, octetString(value)) : sequence(oid(id), octetString(value));

// digitalSignature (bit 0) | keyEncipherment (bit 2) | keyCertSign (bit 5); two unused trailing bits.
const KEY_USAGE = bitString(Uint8Array.of(0xa4), 2);

const unique = (xs: ReadonlyArray<string>) => [...new Set(xs)];

const certificateDer = (
  spec: CertSpec,
  privateKey: KeyObject,
  spkiDer: Uint8Array,
  nowMillis: number,
): Uint8Array => {
  const hosts = unique([...spec.hosts, "localhost"]);
  const ips = unique([...spec.ips, "127.0.0.1", "::1"].filter((ip) => isIPv4(ip) || isIPv6(ip)));
  const name = sequence(
    set(sequence(oid(OID.organization), utf8String(spec.organization))),
    set(sequence(oid(OID.commonName), utf8String(hosts[0]))),
  );
  // Backdated a day against clock skew between nodes, like the original generator.
  const notBefore = new Date(nowMillis - 24 * 3600 * 1000);
  const notAfter = new Date(nowMillis);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + (spec.validYears ?? 10));
  // SPKI = SEQUENCE { algorithm, BIT STRING publicKey }; the key identifier hashes the key bits.
  const publicKeyBits = spkiDer.subarray(spkiDer.length - 133);
  const keyId = new Uint8Array(createHash("sha1").update(publicKeyBits).digest());
  const signatureAlgorithm = sequence(oid(OID.ecdsaWithSha512));
  const tbs = sequence(
    explicit(0, tlv(0x02, Uint8Array.of(2))), // v3
    unsignedInteger(new Uint8Array(randomBytes(16))),
    signatureAlgorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    spkiDer,
    explicit(
      3,
      sequence(
        extension(OID.keyUsage, true, KEY_USAGE),
        extension(OID.basicConstraints, true, sequence(derTrue)),
        extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
        extension(
          OID.subjectAltName,
          false,
          sequence(
            ...hosts.map((h) => tlv(0x82, new TextEncoder().encode(h))),
            ...ips.map((ip) => tlv(0x87, ipBytes(ip))),
          ),
        ),
      ),
    ),
  );
  const signature = new Uint8Array(sign("sha512", tbs, privateKey));
  return sequence(tbs, signatureAlgorithm, bitString(signature));
};

const pem = (label: string, der: Uint8Array): string => {
  const b64 = btoa(String.fromCharCode(...der)).match(/.{1,64}/g)!.join("\n");
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
};

const certForKey = (spec: CertSpec, privateKey: KeyObject, nowMillis: number): string => {
  const spki = new Uint8Array(createPublicKey(privateKey).export({ format: "der", type: "spki" }));
  return pem("CERTIFICATE", certificateDer(spec, privateKey, spki, nowMillis));
};

/**
 * A fresh P-521 key and its self-signed CA:TRUE certificate (key PEM in SEC1 form, as hcd writes
 * it), valid from a day before `nowMillis` (the calendar date; programs pass their Clock's time).
 */
export const generateCertPair = (spec: CertSpec, nowMillis: number = Date.now()): CertPair => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "secp521r1" });
  return {
    certPem: certForKey(spec, privateKey, nowMillis),
    keyPem: privateKey.export({ format: "pem", type: "sec1" }) as string,
  };
};

const fileText = (path: string) =>
  Effect.tryPromise({
    try: () => Deno.readTextFile(path),
    catch: (e) => e,
  }).pipe(
    Effect.map((text) => text as string | undefined),
    Effect.catchAll((e) =>
      e instanceof Deno.errors.NotFound
        ? Effect.succeed(undefined)
        : Effect.fail(new CertFileError({ path, detail: String(e) }))
    ),
  );

const writeFile = (path: string, text: string, mode: number) =>
  Effect.tryPromise({
    try: () => Deno.writeTextFile(path, text, { mode }),
    catch: (e) => new CertFileError({ path, detail: `cannot write: ${e}` }),
  });

const machineAddresses = (): { hosts: string[]; ips: string[] } => {
  const hosts: string[] = [];
  const ips: string[] = [];
  try {
    hosts.push(Deno.hostname());
    ips.push(...Deno.networkInterfaces().map((i) => i.address));
  } catch {
    // Without permission to read them the certificate still covers localhost.
  }
  return { hosts, ips };
};

/**
 * Reads the cert/key pair, creating what is missing: no key → a new pair (a certificate without
 * its key is useless); key without certificate → a new certificate for that key. New key files get
 * mode 0600.
 */
export const loadOrCreateCertPair = (
  certPath: string,
  keyPath: string,
  organization: string,
): Effect.Effect<CertPair, CertFileError> =>
  Effect.gen(function* () {
    const keyPem = yield* fileText(keyPath);
    const certPem = yield* fileText(certPath);
    if (keyPem !== undefined && certPem !== undefined) return { certPem, keyPem };
    const spec = { organization, ...machineAddresses() };
    const now = yield* Clock.currentTimeMillis;
    if (keyPem === undefined) {
      const pair = generateCertPair(spec, now);
      yield* writeFile(keyPath, pair.keyPem, 0o600);
      yield* writeFile(certPath, pair.certPem, 0o644);
      return pair;
    }
    const key = yield* Effect.try({
      try: () => createPrivateKey(keyPem),
      catch: () => new CertFileError({ path: keyPath, detail: "not a PEM private key" }),
    });
    const cert = certForKey(spec, key, now);
    yield* writeFile(certPath, cert, 0o644);
    return { certPem: cert, keyPem };
  });
