// The Address page (behaviour §2.3 /address): how to find a public key address in one's own
// wallet and the form to submit it (field UserPubKeyAddr); once submitted, the address and how
// to check it. The pool then derives the 1-of-2 ticket address from it.
import type { FC } from "hono/jsx";
import { CsrfField, Notice } from "./components.tsx";
import { Code, Mono, PoolStyles } from "./pool_components.tsx";

export interface AddressViewProps {
  readonly csrf: string;
  /** "hcctl" with this network's flag. */
  readonly hcctl: string;
  /** The submitted public key address, once there is one. */
  readonly submitted?: string;
  /** closepool's message: the form is shown disabled. */
  readonly closedMessage?: string;
}

export const AddressView: FC<AddressViewProps> = (p) => (
  <>
    <PoolStyles />
    <h1 class="page-title">{p.submitted === undefined ? "Submit an Address" : "Address Submitted"}</h1>
    {p.submitted !== undefined
      ? (
        <section class="card">
          <h2>Your public key address</h2>
          <p>
            The pool made your ticket address from this public key address. It is the only one this account
            can use.
          </p>
          <Code label="Your public key address">{p.submitted}</Code>
          <p>To check it belongs to your wallet, run:</p>
          <Code label="Command to check the address">{p.hcctl} --wallet validateaddress {p.submitted}</Code>
          <p class="actions">
            <a class="button" href="/tickets">Go to my tickets</a>
          </p>
        </section>
      )
      : (
        <div class="grid">
          <section class="card">
            <h2>1. Get a public key address from your wallet</h2>
            <p>
              Your wallet keeps the key; the pool never sees it. In a terminal beside your running wallet,
              make a new address:
            </p>
            <Code label="Command for a new address">{p.hcctl} --wallet getnewaddress</Code>
            <p>Then ask the wallet for that address's public key address:</p>
            <Code label="Command to show the public key address">
              {p.hcctl} --wallet validateaddress &lt;the new address&gt;
            </Code>
            <p>
              Copy the value of{" "}
              <Mono>pubkeyaddr</Mono>: a long address (40 to 65 characters) whose second character is{" "}
              <Mono>k</Mono>, of a secp256k1 key: an address of the default account (a post-quantum account's
              is far longer and not accepted). In hcGUI, the receive page shows the same value.
            </p>
          </section>
          <section class="card">
            <h2>2. Submit it</h2>
            {p.closedMessage !== undefined && <Notice kind="warning">{p.closedMessage}</Notice>}
            <form method="post" action="/address" class="form">
              <CsrfField token={p.csrf} />
              <div class="field">
                <label for="field-UserPubKeyAddr">Public key address (pubkeyaddr)</label>
                <input
                  id="field-UserPubKeyAddr"
                  name="UserPubKeyAddr"
                  type="text"
                  required
                  minlength={40}
                  maxlength={65}
                  autocomplete="off"
                  spellcheck={false}
                  class="mono-input"
                  aria-describedby="field-UserPubKeyAddr-hint"
                />
                <p class="hint" id="field-UserPubKeyAddr-hint">
                  You can submit one address per account; it cannot be changed afterwards.
                </p>
              </div>
              <button type="submit" class="button button-block" disabled={p.closedMessage !== undefined}>
                Submit address
              </button>
            </form>
          </section>
        </div>
      )}
  </>
);
