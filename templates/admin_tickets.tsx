// The admin's low-fee tickets page (behaviour §2.3 /admintickets): tickets the stakepoolds
// ignore for a too-low pool fee, to add (they are then voted), and added ones, to remove (they
// are then not). Field tickets[] and button action=Add|Remove, as the original's form.
import type { FC } from "hono/jsx";
import type { LowFeeTicket } from "../src/domain/models.ts";
import type { TicketEntry } from "../src/rpc/stakepoold_protocol.ts";
import { CsrfField, Notice } from "./components.tsx";
import { PoolStyles } from "./pool_components.tsx";

export interface AdminTicketsViewProps {
  readonly csrf: string;
  readonly ignored: ReadonlyArray<TicketEntry>;
  readonly added: ReadonlyArray<LowFeeTicket>;
  /** Stakepoolds that did not answer. */
  readonly problems: ReadonlyArray<string>;
}

const TicketChoice: FC<{ hash: string; address: string; note?: string }> = ({ hash, address, note }) => (
  <li>
    <label>
      <input type="checkbox" name="tickets[]" value={hash} />
      <span>
        <span class="mono">{hash}</span>
        <br />
        <span class="muted">
          owner <span class="mono">{address}</span>
          {note !== undefined && ` · ${note}`}
        </span>
      </span>
    </label>
  </li>
);

const expires = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10);

export const AdminTicketsView: FC<AdminTicketsViewProps> = (p) => (
  <>
    <PoolStyles />
    <h1 class="page-title">Low Fee Tickets</h1>
    {p.problems.map((problem) => (
      <Notice key={problem} kind="warning">Not all stakepoolds answered: {problem}</Notice>
    ))}
    <section class="card">
      <h2>Ignored low fee tickets</h2>
      <p class="hint">
        These tickets paid less than the pool fee, so the pool does not vote them. Added tickets are voted
        like any other.
      </p>
      {p.ignored.length === 0 ? <p class="muted">None.</p> : (
        <form method="post" action="/admintickets">
          <CsrfField token={p.csrf} />
          <ul class="check-list">
            {p.ignored.map((t) => (
              <TicketChoice key={t.TicketHash} hash={t.TicketHash} address={t.TicketAddress} />
            ))}
          </ul>
          <button type="submit" name="action" value="Add" class="button">Add selected tickets</button>
        </form>
      )}
    </section>
    <section class="card">
      <h2>Added low fee tickets</h2>
      <p class="hint">Removed tickets are not voted any more.</p>
      {p.added.length === 0 ? <p class="muted">None.</p> : (
        <form method="post" action="/admintickets">
          <CsrfField token={p.csrf} />
          <ul class="check-list">
            {p.added.map((t) => (
              <TicketChoice
                hash={t.TicketHash}
                address={t.TicketAddress}
                note={`added by user ${t.AddedByUid}, can vote until about ${expires(t.Expires)}`}
              />
            ))}
          </ul>
          <button type="submit" name="action" value="Remove" class="button button-quiet">
            Remove selected tickets
          </button>
        </form>
      )}
    </section>
  </>
);
