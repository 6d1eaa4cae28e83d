import type { FC } from "hono/jsx";
import { Card, CsrfField, Field } from "./components.tsx";

export interface PasswordUpdateViewProps {
  readonly csrf: string;
  /** The link's token: the form posts back to the same address. */
  readonly token: string;
  /** Why the link cannot be used; the form is hidden then. */
  readonly problem?: string;
}

export const PasswordUpdateView: FC<PasswordUpdateViewProps> = (p) => (
  <Card title="Choose a New Password" narrow>
    {p.problem !== undefined
      ? (
        <>
          <p class="alert alert-error" role="alert">{p.problem}</p>
          <p>
            <a href="/passwordreset">Ask for a new link</a>
          </p>
        </>
      )
      : (
        <form method="post" action={`/passwordupdate?t=${encodeURIComponent(p.token)}`} class="form">
          <CsrfField token={p.csrf} />
          <Field
            label="New password"
            name="password"
            type="password"
            autocomplete="new-password"
            minLength={8}
            hint="At least 8 characters."
          />
          <Field
            label="Repeat new password"
            name="passwordrepeat"
            type="password"
            autocomplete="new-password"
            minLength={8}
          />
          <button type="submit" class="button button-block">Set password</button>
        </form>
      )}
  </Card>
);
