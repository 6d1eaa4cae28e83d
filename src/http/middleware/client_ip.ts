// The client's IP: the configured realipheader (set by the reverse proxy, e.g. X-Real-IP) when
// present, else the connection's peer. Admin checks and rate limits key on it.
import type { Ctx } from "../context.ts";

/** "::ffff:1.2.3.4" → "1.2.3.4", so adminips can list plain IPv4 addresses. */
const normalize = (ip: string) => ip.trim().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1");

export const clientIp = (c: Ctx, realIpHeader: string): string => {
  if (realIpHeader !== "") {
    const forwarded = c.req.header(realIpHeader);
    // X-Forwarded-For lists the client first.
    if (forwarded !== undefined && forwarded.trim() !== "") return normalize(forwarded.split(",")[0]);
  }
  const peer = c.env?.remoteAddr;
  return peer !== undefined && (peer.transport === "tcp" || peer.transport === "udp")
    ? normalize(peer.hostname)
    : "";
};
