// The pages a mailed link opens (/emailverify, /emailupdate): the link's use case runs with its
// token; the outcome shows in one card, 400 with the reason when the link cannot be used.
import type { Effect } from "effect";
import { TokenResultView } from "../../../templates/token_result.tsx";
import type { Ctx, WebServices } from "../context.ts";
import { runPage, userFailures } from "../outcomes.tsx";
import { render } from "../render.tsx";

export interface TokenPageText {
  readonly title: string;
  /** The message on success. */
  readonly done: string;
  /** What to do next on success. */
  readonly next: string;
}

export const tokenResultPage = <A, E>(
  c: Ctx,
  useToken: (token: string, ip: string) => Effect.Effect<A, E, WebServices>,
  text: TokenPageText,
  /** Request state to change on success, before the page renders. */
  onSuccess: (a: A) => void = () => {},
): Promise<Response> =>
  runPage(c, userFailures(useToken(c.req.query("t") ?? "", c.get("ip"))), (result) => {
    if (result.ok) onSuccess(result.value);
    return render(
      c,
      { title: text.title, status: result.ok ? 200 : 400 },
      <TokenResultView
        title={text.title}
        ok={result.ok}
        message={result.ok ? text.done : result.message}
        next={text.next}
      />,
    );
  });
