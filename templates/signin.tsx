import type { FC } from "hono/jsx";
import { Card, CsrfField, Field } from "./components.tsx";

export const SignInView: FC<{ csrf: string }> = ({ csrf }) => (
  <Card title="Sign In" narrow>
    <form method="post" action="/signin" class="form">
      <CsrfField token={csrf} />
      <Field label="Email address" name="email" type="email" autocomplete="username" maxLength={255} />
      <Field label="Password" name="password" type="password" autocomplete="current-password" />
      <button type="submit" class="button button-block">Sign in</button>
      <p class="form-footer">
        <a href="/passwordreset">Forgot your password?</a> · <a href="/signup">Create an account</a>
      </p>
    </form>
  </Card>
);
