// Headers on every response: a CSP that allows only this site's own scripts, styles and images
// (no inline script, no framing), nosniff, a same-origin referrer policy (links carry tokens),
// HSTS behind an https baseurl, and no caching of pages (they show account data).
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context.ts";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join("; ");

export const securityHeaders = (options: { readonly https: boolean }): MiddlewareHandler<AppEnv> => {
  // The same values on every response: listed once, set in one loop.
  const headers: ReadonlyArray<readonly [string, string]> = [
    ["Content-Security-Policy", CONTENT_SECURITY_POLICY],
    ["X-Content-Type-Options", "nosniff"],
    ["X-Frame-Options", "DENY"],
    ["Referrer-Policy", "same-origin"],
    ["Cross-Origin-Opener-Policy", "same-origin"],
    ["Cross-Origin-Resource-Policy", "same-origin"],
    ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"],
    ...(options.https ? [["Strict-Transport-Security", "max-age=31536000"] as const] : []),
  ];
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    for (const [name, value] of headers) h.set(name, value);
    if (!h.has("Cache-Control")) h.set("Cache-Control", "no-store");
  };
};
