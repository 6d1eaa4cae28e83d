// A page: one file under pages/ exporting a Page, plus its line in app.ts's PAGES. The access
// guard and the rate limits are applied by app.ts before the handler runs.
import type { Handler } from "hono";
import type { AppEnv } from "./context.ts";
import type { RateKey, RateRuleName } from "./middleware/rate_limit.ts";

/** public: anyone; user: signed in (else 303 → /); admin: an admin user from an admin IP (anyone else 403). */
export type Access = "public" | "user" | "admin";

export interface Limit {
  readonly rule: RateRuleName;
  readonly key: RateKey;
}

export interface Page {
  readonly path: string;
  readonly access: Access;
  readonly get?: Handler<AppEnv>;
  readonly post?: Handler<AppEnv>;
  /** Rate limits each method consumes before its handler. */
  readonly limits?: { readonly get?: ReadonlyArray<Limit>; readonly post?: ReadonlyArray<Limit> };
}

export const page = (p: Page): Page => p;
