// Settings: the API token (shown, regenerated), change email (password + captcha; confirmed from
// the new address), change password. Field and button names are the original's.
import type { FC } from "hono/jsx";
import { CaptchaField, CsrfField, Field, MailOffNotice, Notice } from "./components.tsx";

export interface SettingsViewProps {
  readonly csrf: string;
  readonly email: string;
  readonly apiToken: string;
  readonly captchaId: string | undefined;
  readonly mailEnabled: boolean;
  /** No ticket address yet: point to the Address page. */
  readonly showInstructions: boolean;
}

export const SettingsView: FC<SettingsViewProps> = (p) => (
  <>
    <h1 class="page-title">Settings</h1>
    {p.showInstructions && (
      <Notice>
        Next step: <a href="/address">submit a public key address</a> to get your ticket address.
      </Notice>
    )}
    <MailOffNotice mailEnabled={p.mailEnabled} />
    <div class="grid">
      <section class="card card-wide">
        <h2>API token</h2>
        <p>
          Programs (hcGUI, scripts) use this token to get your purchase information and set your voting
          preferences. Keep it secret: anyone holding it can act for your account through the API.
        </p>
        <pre class="token" aria-label="Your API token">{p.apiToken}</pre>
        <form method="post" action="/settings" class="inline-form">
          <CsrfField token={p.csrf} />
          <button type="submit" name="regenerateToken" value="true" class="button button-quiet">
            Regenerate token
          </button>
          <span class="hint">The current token stops working at once.</span>
        </form>
      </section>

      <section class="card">
        <h2>Change email</h2>
        <p class="hint">Currently {p.email}. We send a confirmation link to the new address.</p>
        <form method="post" action="/settings" class="form">
          <CsrfField token={p.csrf} />
          <Field label="New email address" name="email" type="email" autocomplete="email" maxLength={255} />
          <Field
            label="Current password"
            id="email-change-password"
            name="password"
            type="password"
            autocomplete="current-password"
          />
          <CaptchaField captchaId={p.captchaId} />
          <button type="submit" name="updateEmail" value="true" class="button button-block">
            Change email
          </button>
        </form>
      </section>

      <section class="card">
        <h2>Change password</h2>
        <p class="hint">You stay signed in here; every other session is signed out.</p>
        <form method="post" action="/settings" class="form">
          <CsrfField token={p.csrf} />
          <Field label="Current password" name="password" type="password" autocomplete="current-password" />
          <Field
            label="New password"
            name="newpassword"
            type="password"
            autocomplete="new-password"
            minLength={8}
            hint="At least 8 characters."
          />
          <Field
            label="Repeat new password"
            name="newpasswordrepeat"
            type="password"
            autocomplete="new-password"
            minLength={8}
          />
          <button type="submit" name="updatePassword" value="true" class="button button-block">
            Change password
          </button>
        </form>
      </section>
    </div>
  </>
);
