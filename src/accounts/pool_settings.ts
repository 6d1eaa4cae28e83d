// What the web app and its use cases read from hcstakepool.conf, plus what start-up learned from
// the wallets. Views never see this service: pages copy the few values they show into props.
import { Context, Layer } from "effect";
import type { PoolConfig } from "../config/pool.ts";
import { type NetParams, NETWORKS } from "../domain/params.ts";

export interface PoolSettingsApi {
  readonly config: PoolConfig;
  readonly net: NetParams;
  /** The voting wallets' vote version found at start-up: a new user's VoteBitsVersion. */
  readonly voteVersion: number;
  /** Session and CSRF cookies carry Secure (cookiesecure, or an https baseurl). */
  readonly secureCookies: boolean;
}

export class PoolSettings extends Context.Tag("hcstakepool/PoolSettings")<PoolSettings, PoolSettingsApi>() {
  static readonly layer = (config: PoolConfig, voteVersion: number) =>
    Layer.succeed(PoolSettings, {
      config,
      net: NETWORKS[config.network],
      voteVersion,
      secureCookies: config.cookieSecure || config.baseUrl.startsWith("https://"),
    });
}
