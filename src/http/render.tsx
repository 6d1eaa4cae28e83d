// Renders a page view inside the layout, with the navbar, footer and pending flash messages of
// the request. Views get plain props; this is where request state becomes props.
// Rendering JSX was most of a public page's time (issue 15), so what does not change is rendered
// once: the frame a visitor who is not signed in sees (no user, no flash message) depends only
// on the site, the page's title and path, and is kept per app; memoView keeps a view's HTML for
// the props it was rendered with; and a kept view in a kept frame is kept as the whole page's
// bytes (encoding the page was the next largest cost).
import type { Child, FC } from "hono/jsx";
import { raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { PoolSettingsApi } from "../accounts/pool_settings.ts";
import { Layout, type LayoutProps } from "../../templates/layout.tsx";
import type { Ctx } from "./context.ts";

/** Kept renderings per app (frames) or per view (memoView); the oldest goes when one more is needed. */
const KEPT = 64;
const DOCTYPE = "<!doctype html>";
/** Where the view goes in a kept frame. */
const VIEW_MARK = "<!--view-->";

interface Frame {
  readonly before: string;
  readonly after: string;
}

const keep = <K, V>(map: Map<K, V>, key: K, value: V): V => {
  if (map.size >= KEPT) map.delete(map.keys().next().value!);
  map.set(key, value);
  return value;
};

const frames = new WeakMap<PoolSettingsApi, Map<string, Frame>>();

/** The visitor's frame of a page (title and path), rendered at its first use. */
const visitorFrame = (settings: PoolSettingsApi, props: Omit<LayoutProps, "children">): Frame => {
  let kept = frames.get(settings);
  if (kept === undefined) frames.set(settings, kept = new Map());
  const key = `${props.title}\n${props.nav.current}`;
  const found = kept.get(key);
  if (found !== undefined) return found;
  const html = `${DOCTYPE}${Layout({ ...props, children: raw(VIEW_MARK) })}`;
  const at = html.indexOf(VIEW_MARK);
  return keep(kept, key, { before: html.slice(0, at), after: html.slice(at + VIEW_MARK.length) });
};

export const render = (
  c: Ctx,
  page: { readonly title: string; readonly status?: ContentfulStatusCode },
  body: Child,
): Response => {
  const user = c.get("user");
  const settings = c.get("settings");
  const { config } = settings;
  const flashes = c.get("session").takeFlashes();
  const props = {
    title: page.title,
    nav: {
      ...(user === undefined
        ? {}
        : { user: { email: user.Email, hasTicketAddress: user.MultiSigAddress !== "" } }),
      admin: c.get("isAdmin"),
      current: c.req.path,
      csrf: user === undefined ? "" : c.get("session").csrfToken(),
    },
    site: { network: settings.net.name, poolEmail: config.poolEmail, poolLink: config.poolLink },
    flashes,
  };
  const status = page.status ?? 200;
  if (user !== undefined || flashes.length > 0) {
    return c.html(`${DOCTYPE}${Layout({ ...props, children: body })}`, status);
  }
  const frame = visitorFrame(settings, props);
  if (!(body instanceof String && keptViews.has(body))) {
    return c.html(`${frame.before}${<>{body}</>}${frame.after}`, status);
  }
  let pages = keptPages.get(frame);
  if (pages === undefined) keptPages.set(frame, pages = new WeakMap());
  let bytes = pages.get(body);
  if (bytes === undefined) pages.set(body, bytes = encoder.encode(`${frame.before}${body}${frame.after}`));
  return c.body(bytes, status, HTML);
};

const encoder = new TextEncoder();
const HTML = { "Content-Type": "text/html; charset=UTF-8" };
/** Whole pages of a frame by their kept view; they go with the view. */
const keptPages = new WeakMap<Frame, WeakMap<object, Uint8Array<ArrayBuffer>>>();

const views = new WeakMap<object, Map<string, HtmlEscapedString>>();
/** What memoView returned: render keeps their pages. */
const keptViews = new WeakSet<object>();

/**
 * The view's HTML for these props, rendered once and kept: for views that are a function of their
 * (JSON-serialisable) props alone, shown to many alike.
 */
export const memoView = <P extends object>(view: FC<P>, props: P): HtmlEscapedString => {
  let kept = views.get(view);
  if (kept === undefined) views.set(view, kept = new Map());
  const key = JSON.stringify(props);
  const found = kept.get(key);
  if (found !== undefined) return found;
  const html = raw(String(view(props)));
  keptViews.add(html);
  return keep(kept, key, html);
};
