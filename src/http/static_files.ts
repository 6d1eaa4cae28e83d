// The site's own assets (static/: CSS, images, robots.txt), read once at start-up and served from
// memory under /assets/. Nothing comes from a CDN or another site.
import { Data, Effect } from "effect";
import { createHash } from "node:crypto";
import { extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export interface Asset {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
  readonly etag: string;
}

/** Path under static/ (e.g. "css/site.css") → asset. */
export type StaticAssets = ReadonlyMap<string, Asset>;

export const STATIC_DIR = fileURLToPath(new URL("../../static/", import.meta.url));

/** Files the pages cannot do without: start-up fails (exit 2, as the original's templates) without them. */
export const REQUIRED_ASSETS = ["css/site.css", "images/logo.svg", "robots.txt"];

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

export class AssetsMissing extends Data.TaggedError("AssetsMissing")<{ readonly detail: string }> {
  override get message() {
    return `static assets: ${this.detail}`;
  }
}

const etagOf = (body: Uint8Array) =>
  `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;

/** Assets a single-file build carries itself (set before start); they stand in for static/. */
let embedded: StaticAssets | undefined;

/**
 * The entry of a single-file build (deploy/bundle.ts) hands over static/'s files (path under
 * static/ → bytes) before main runs: such a build has no static/ folder beside it.
 */
export const useEmbeddedAssets = (files: Readonly<Record<string, Uint8Array<ArrayBuffer>>>) => {
  embedded = new Map(
    Object.entries(files).flatMap(([path, body]) => {
      const type = CONTENT_TYPES[extname(path)];
      return type === undefined ? [] : [[path, { body, contentType: type, etag: etagOf(body) }] as const];
    }),
  );
};

const walk = async (dir: string): Promise<Array<string>> => {
  const out: Array<string> = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await walk(path));
    else if (entry.isFile) out.push(path);
  }
  return out;
};

export const loadStaticAssets = (dir: string = STATIC_DIR): Effect.Effect<StaticAssets, AssetsMissing> =>
  Effect.tryPromise({
    try: async () => {
      if (embedded !== undefined && dir === STATIC_DIR) return embedded;
      const assets = new Map<string, Asset>();
      for (const file of await walk(dir)) {
        const type = CONTENT_TYPES[extname(file)];
        if (type === undefined) continue;
        const body = await Deno.readFile(file);
        assets.set(relative(dir, file).split("\\").join("/"), {
          body,
          contentType: type,
          etag: etagOf(body),
        });
      }
      return assets;
    },
    catch: (e) => new AssetsMissing({ detail: `cannot read ${dir}: ${e}` }),
  }).pipe(
    Effect.filterOrFail(
      (assets) => REQUIRED_ASSETS.every((a) => assets.has(a)),
      (assets) =>
        new AssetsMissing({
          detail: `missing ${REQUIRED_ASSETS.filter((a) => !assets.has(a)).join(", ")} in ${dir}`,
        }),
    ),
  );

/** 200 with the asset (304 when the browser's copy is current), or undefined when there is none. */
export const assetResponse = (assets: StaticAssets, path: string, ifNoneMatch: string | undefined) => {
  const asset = assets.get(path);
  if (asset === undefined) return undefined;
  const headers = {
    "Content-Type": asset.contentType,
    ETag: asset.etag,
    "Cache-Control": "public, max-age=3600",
  };
  return ifNoneMatch === asset.etag
    ? new Response(null, { status: 304, headers })
    : new Response(asset.body, { status: 200, headers });
};
