// Sign-up: email, password twice, captcha (the original's field names). Closed pools show the
// closepool message and a disabled button; after a successful sign-up the form gives way to what
// happens next.
import type { FC } from "hono/jsx";
import { CaptchaField, Card, CsrfField, Field, MailOffNotice, Notice } from "./components.tsx";

export interface SignUpViewProps {
  readonly csrf: string;
  readonly captchaId: string | undefined;
  readonly mailEnabled: boolean;
  readonly closedMessage?: string;
  /** Set once the account exists: the form is not shown again. */
  readonly done?: boolean;
}

export const SignUpView: FC<SignUpViewProps> = (p) => (
  <Card title="Sign Up" narrow>
    <MailOffNotice mailEnabled={p.mailEnabled} />
    {p.closedMessage !== undefined && <Notice kind="warning">{p.closedMessage}</Notice>}
    {p.done
      ? (
        <p>
          Open the link in the email to verify your address, then <a href="/signin">sign in</a>.
        </p>
      )
      : (
        <form method="post" action="/signup" class="form">
          <CsrfField token={p.csrf} />
          <Field label="Email address" name="email" type="email" autocomplete="email" maxLength={255} />
          <Field
            label="Password"
            name="password"
            type="password"
            autocomplete="new-password"
            minLength={8}
            hint="At least 8 characters."
          />
          <Field
            label="Repeat password"
            name="passwordrepeat"
            type="password"
            autocomplete="new-password"
            minLength={8}
          />
          <CaptchaField captchaId={p.captchaId} />
          <button type="submit" class="button button-block" disabled={p.closedMessage !== undefined}>
            Create account
          </button>
          <p class="form-footer">
            Already have an account? <a href="/signin">Sign in</a>
          </p>
        </form>
      )}
  </Card>
);
