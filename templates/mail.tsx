// The HTML part of every mail: the same paragraphs as the plain-text part, an optional button for
// the message's link (also printed as text, for clients that hide buttons). Inline styles only:
// mail clients ignore style sheets.
import type { FC } from "hono/jsx";

export interface MailHtmlProps {
  readonly title: string;
  readonly paragraphs: ReadonlyArray<string>;
  readonly link?: { readonly url: string; readonly label: string };
  readonly closing: ReadonlyArray<string>;
}

const text = "font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f1d2b;" +
  "font-size:15px;line-height:1.6";

export const MailHtml: FC<MailHtmlProps> = ({ title, paragraphs, link, closing }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <title>{title}</title>
    </head>
    <body style="margin:0;padding:24px;background:#f4f3fa">
      <div style={`max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:28px;${text}`}>
        <p style="margin:0 0 16px;font-weight:600;color:#5b3fc4">HC Stake Pool</p>
        {paragraphs.map((p, i) => <p key={i} style="margin:0 0 14px">{p}</p>)}
        {link && (
          <>
            <p style="margin:22px 0">
              <a
                href={link.url}
                style="display:inline-block;background:#5b3fc4;color:#fff;text-decoration:none;padding:10px 18px;border-radius:6px;font-weight:600"
              >
                {link.label}
              </a>
            </p>
            <p style="margin:0 0 14px;font-size:13px;word-break:break-all;color:#55536a">{link.url}</p>
          </>
        )}
        {closing.map((p, i) => <p key={i} style="margin:0 0 4px;color:#55536a">{p}</p>)}
      </div>
    </body>
  </html>
);
