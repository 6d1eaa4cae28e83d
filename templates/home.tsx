// The home page: what the pool does, its network and fee, how to start, and where to get help.
import type { FC } from "hono/jsx";
import { ApiKeyNote } from "./api_docs.tsx";
import { Notice } from "./components.tsx";

export interface HomeViewProps {
  readonly network: string;
  readonly poolFees: number;
  readonly poolEmail: string;
  readonly poolLink: string;
  readonly signedIn: boolean;
  /** closepool's message, when sign-ups are closed. */
  readonly closedMessage?: string;
  /** The key that signs the API's answers. */
  readonly apiSigningKey: string;
}

export const HomeView: FC<HomeViewProps> = (p) => (
  <>
    <section class="hero">
      <p class="eyebrow">HC proof-of-stake · {p.network}</p>
      <h1>Vote your HC tickets without keeping your wallet online</h1>
      <p class="lead">
        Buy tickets to a 1-of-2 multisig address you share with the pool. The pool's voting nodes vote every
        ticket the network selects, with your own voting preferences, and the reward goes straight to you.
      </p>
      {p.closedMessage !== undefined && <Notice kind="warning">{p.closedMessage}</Notice>}
      <p class="actions">
        {p.signedIn ? <a class="button button-large" href="/tickets">Go to my tickets</a> : (
          <>
            {p.closedMessage === undefined && (
              <a class="button button-large" href="/signup">Create an account</a>
            )}
            <a class="button button-large button-quiet" href="/signin">Sign in</a>
          </>
        )}
      </p>
    </section>

    <section class="facts" aria-label="Pool facts">
      <div class="fact">
        <span class="fact-label">Network</span>
        <span class="fact-value">{p.network}</span>
      </div>
      <div class="fact">
        <span class="fact-label">Pool fee</span>
        <span class="fact-value">{p.poolFees}%</span>
      </div>
      <div class="fact">
        <span class="fact-label">Voting nodes</span>
        <span class="fact-value">Redundant</span>
      </div>
    </section>

    <section class="steps">
      <h2>How it works</h2>
      <ol>
        <li>
          <strong>Sign up</strong> with your email address and confirm it from the link we send you.
        </li>
        <li>
          <strong>Submit a public key address</strong>{" "}
          from your own wallet. You get a ticket address that you and the pool can both vote with.
        </li>
        <li>
          <strong>Buy tickets</strong>{" "}
          to that address. Choose how they vote on the Voting page; the pool votes them for you.
        </li>
      </ol>
    </section>

    <section class="support card">
      <h2>Support</h2>
      <p>
        Questions about your account or tickets? Write to <a href={`mailto:${p.poolEmail}`}>{p.poolEmail}</a>
        {p.poolLink !== "" && (
          <>
            {" "}or ask the community at <a href={p.poolLink} rel="noopener noreferrer">{p.poolLink}</a>
          </>
        )}.
      </p>
      <ApiKeyNote publicKey={p.apiSigningKey} />
    </section>
  </>
);
