// The API token the original stores in Users.APIToken: an HS256 JWT with claims iat, iss
// (baseurl) and loggedInAs. Migration issues it for verified users that have none.
import { Buffer } from "node:buffer";
import { createHmac } from "node:crypto";
import type { MigrateOptions } from "./migrations.ts";

const base64url = (text: string | Buffer) => Buffer.from(text).toString("base64url");

export const signApiToken = (apiSecret: string, baseUrl: string, userId: number, iat: number): string => {
  const signed = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${
    base64url(JSON.stringify({ iat, iss: baseUrl, loggedInAs: userId }))
  }`;
  return `${signed}.${base64url(createHmac("sha256", apiSecret).update(signed).digest())}`;
};

/** Migration options for a program that knows the pool's apisecret (without one, tokens stay pending). */
export const apiTokenIssuer = (apiSecret: string | undefined, baseUrl: string): MigrateOptions =>
  apiSecret === undefined || apiSecret === "" ? {} : {
    issueApiToken: (userId, issuedAt) => signApiToken(apiSecret, baseUrl, userId, issuedAt),
  };
