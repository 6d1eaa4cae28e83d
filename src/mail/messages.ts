// The pool's five mails (behaviour §10), each as plain text and HTML from one list of paragraphs.
// Subjects and wording follow the original; links are built from baseurl.
import { MailHtml } from "../../templates/mail.tsx";
import type { MailMessage } from "./mailer.ts";

interface Letter {
  readonly to: string;
  readonly subject: string;
  readonly paragraphs: ReadonlyArray<string>;
  readonly link?: { readonly url: string; readonly label: string };
}

const CLOSING = ["Yours sincerely,", "The HC Stake Pool team"];

const compose = ({ to, subject, paragraphs, link }: Letter): MailMessage => ({
  to,
  subject,
  text: [...paragraphs.flatMap((p, i) => (link && i === 0 ? [p, link.url] : [p])), CLOSING.join("\n")].join(
    "\n\n",
  ) +
    "\n",
  html: "<!doctype html>" + String(MailHtml({ title: subject, paragraphs, link, closing: CLOSING })),
});

export const verificationMail = (to: string, url: string): MailMessage =>
  compose({
    to,
    subject: "Stake pool email verification",
    paragraphs: [
      "Dear HCASH user, for security purposes, please click the following link to verify your email address.",
      "If you did not sign up at this stake pool, you may safely ignore this email.",
    ],
    link: { url, label: "Verify my email address" },
  });

export const passwordResetMail = (to: string, ip: string, url: string): MailMessage =>
  compose({
    to,
    subject: "Stake pool password reset",
    paragraphs: [
      `A request to reset your password was made from IP address ${ip}. If you made this request, follow this link:`,
      "The link expires an hour after this email was sent.",
      "If you did not make this request, you may safely ignore this email. However, you may want to look into how this happened.",
    ],
    link: { url, label: "Choose a new password" },
  });

export const emailChangeMail = (
  o: {
    readonly to: string;
    readonly oldEmail: string;
    readonly baseUrl: string;
    readonly ip: string;
    readonly url: string;
  },
): MailMessage =>
  compose({
    to: o.to,
    subject: "Stake pool email change",
    paragraphs: [
      `A request was made from IP address ${o.ip} to change the email address of a stake pool account at ${o.baseUrl} from ${o.oldEmail} to ${o.to}. If you made this request, follow this link to confirm it:`,
      "The link expires an hour after this email was sent.",
      "If you did not make this request, you may safely ignore this email.",
    ],
    link: { url: o.url, label: "Confirm the new address" },
  });

export const emailChangeNotice = (
  o: { readonly to: string; readonly newEmail: string; readonly baseUrl: string; readonly ip: string },
): MailMessage =>
  compose({
    to: o.to,
    subject: "Stake pool email change",
    paragraphs: [
      `A request was made from IP address ${o.ip} to change the email address of your stake pool account at ${o.baseUrl} from ${o.to} to ${o.newEmail}.`,
      "If you did not make this request, please contact the stake pool administrator immediately.",
    ],
  });

export const passwordChangeNotice = (
  o: { readonly to: string; readonly baseUrl: string; readonly ip: string },
): MailMessage =>
  compose({
    to: o.to,
    subject: "Stake pool password change",
    paragraphs: [
      `The password of your stake pool account ${o.to} at ${o.baseUrl} was changed from IP address ${o.ip}.`,
      "If you did not make this change, please contact the stake pool administrator immediately.",
    ],
  });
