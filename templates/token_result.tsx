// The pages a mailed link opens (email verification, email update): the outcome in one card,
// with the next step.
import type { FC } from "hono/jsx";
import { Card } from "./components.tsx";

export interface TokenResultProps {
  readonly title: string;
  readonly ok: boolean;
  readonly message: string;
  /** What to do next on success. */
  readonly next: string;
}

export const TokenResultView: FC<TokenResultProps> = ({ title, ok, message, next }) => (
  <Card title={title} narrow>
    <p class={`alert alert-${ok ? "success" : "error"}`} role={ok ? "status" : "alert"}>{message}</p>
    {ok ? <p>{next}</p> : null}
    <p class="actions">
      <a class="button" href="/signin">Sign in</a>
    </p>
  </Card>
);
