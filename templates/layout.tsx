// The frame of every page: head, the navbar with the original's rules (behaviour §2.2), pending
// flash messages, the page's content and a footer. Titles read "HC Stake Pool - <Page>".
import type { Child, FC } from "hono/jsx";
import { CsrfField, Flashes, type FlashMessage } from "./components.tsx";

export interface NavProps {
  /** The signed-in user. */
  readonly user?: { readonly email: string; readonly hasTicketAddress: boolean };
  /** Admin links (Add Low Fee Tickets, Status) for an admin from an admin IP. */
  readonly admin: boolean;
  /** The request's path, to mark the current link. */
  readonly current: string;
  /** The logout form's CSRF token (signed in only). */
  readonly csrf: string;
}

export interface SiteProps {
  readonly network: string;
  readonly poolEmail: string;
  readonly poolLink: string;
}

export interface LayoutProps {
  readonly title: string;
  readonly nav: NavProps;
  readonly site: SiteProps;
  readonly flashes: ReadonlyArray<FlashMessage>;
  readonly children?: Child;
}

const NavLink: FC<{ href: string; current: string; children?: Child }> = ({ href, current, children }) => (
  <li>
    <a href={href} aria-current={current === href ? "page" : undefined}>{children}</a>
  </li>
);

export const Layout: FC<LayoutProps> = ({ title, nav, site, flashes, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light" />
      <title>HC Stake Pool - {title}</title>
      <link rel="stylesheet" href="/assets/css/site.css" />
      <link rel="icon" href="/assets/images/logo.svg" type="image/svg+xml" />
    </head>
    <body>
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="site-header">
        <div class="wrap header-row">
          <a class="brand" href="/">
            <img src="/assets/images/logo.svg" alt="" width="32" height="32" />
            <span>HC Stake Pool</span>
          </a>
          <nav class="main-nav" aria-label="Main">
            <ul>
              {nav.admin && <NavLink href="/admintickets" current={nav.current}>Add Low Fee Tickets</NavLink>}
              {nav.admin && <NavLink href="/status" current={nav.current}>Status</NavLink>}
              <NavLink href="/" current={nav.current}>Home</NavLink>
              <NavLink href="/stats" current={nav.current}>Stats</NavLink>
              {nav.user && <NavLink href="/address" current={nav.current}>Address</NavLink>}
              {nav.user?.hasTicketAddress && <NavLink href="/tickets" current={nav.current}>Tickets</NavLink>}
              {nav.user?.hasTicketAddress && <NavLink href="/voting" current={nav.current}>Voting</NavLink>}
              {nav.user && <NavLink href="/settings" current={nav.current}>Settings</NavLink>}
            </ul>
          </nav>
          <div class="account-nav">
            {nav.user
              ? (
                <>
                  <span class="hello" title={nav.user.email}>Hello, {nav.user.email}</span>
                  <form method="post" action="/logout" class="inline-form">
                    <CsrfField token={nav.csrf} />
                    <button type="submit" class="button button-quiet">Logout</button>
                  </form>
                </>
              )
              : (
                <>
                  <a
                    href="/signin"
                    class="button button-quiet"
                    aria-current={nav.current === "/signin" ? "page" : undefined}
                  >
                    Sign In
                  </a>
                  <a
                    href="/signup"
                    class="button"
                    aria-current={nav.current === "/signup" ? "page" : undefined}
                  >
                    Sign Up
                  </a>
                </>
              )}
          </div>
        </div>
      </header>
      <main id="main" class="wrap">
        <Flashes flashes={flashes} />
        {children}
      </main>
      <footer class="site-footer">
        <div class="wrap footer-row">
          <span>HC Stake Pool · {site.network}</span>
          <span>
            Support: <a href={`mailto:${site.poolEmail}`}>{site.poolEmail}</a>
            {site.poolLink !== "" && (
              <>
                {" · "}
                <a href={site.poolLink} rel="noopener noreferrer">Community</a>
              </>
            )}
          </span>
        </div>
      </footer>
    </body>
  </html>
);
