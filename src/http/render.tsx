// Renders a page view inside the layout, with the navbar, footer and pending flash messages of
// the request. Views get plain props; this is where request state becomes props.
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { Layout } from "../../templates/layout.tsx";
import type { Ctx } from "./context.ts";

export const render = (
  c: Ctx,
  page: { readonly title: string; readonly status?: ContentfulStatusCode },
  body: Child,
): Response => {
  const user = c.var.user;
  const { config } = c.var.settings;
  const html = Layout({
    title: page.title,
    nav: {
      ...(user === undefined
        ? {}
        : { user: { email: user.Email, hasTicketAddress: user.MultiSigAddress !== "" } }),
      admin: c.var.isAdmin,
      current: c.req.path,
      csrf: user === undefined ? "" : c.var.session.csrfToken(),
    },
    site: { network: c.var.settings.net.name, poolEmail: config.poolEmail, poolLink: config.poolLink },
    flashes: c.var.session.takeFlashes(),
    children: body,
  });
  return c.html(`<!doctype html>${html}`, page.status ?? 200);
};
