import type { FC } from "hono/jsx";
import { CaptchaField, Card, CsrfField, Field, MailOffNotice } from "./components.tsx";

export interface PasswordResetViewProps {
  readonly csrf: string;
  readonly captchaId: string | undefined;
  readonly mailEnabled: boolean;
}

export const PasswordResetView: FC<PasswordResetViewProps> = (p) => (
  <Card title="Reset Password" narrow>
    <MailOffNotice mailEnabled={p.mailEnabled} />
    <p>Enter the email address of your account. We will send you a link to choose a new password.</p>
    <form method="post" action="/passwordreset" class="form">
      <CsrfField token={p.csrf} />
      <Field label="Email address" name="email" type="email" autocomplete="email" maxLength={255} />
      <CaptchaField captchaId={p.captchaId} />
      <button type="submit" class="button button-block">Send reset link</button>
    </form>
  </Card>
);
