// The Tickets page (behaviour §7.7): the user's ticket address, fee address and fee, how to buy
// tickets with them, then the tickets by state — live (with immature and voting ones), voted
// (the maxvotedage archive only counted), missed, expired, and invalid (pool fee not paid) —
// with heights, vote txids and explorer links. #ticket-lists carries the view's version: the
// self-hosted tickets-live.js swaps in the fresh lists when the server says it changed; without
// script the page is complete and a reload shows the news.
import type { Child, FC } from "hono/jsx";
import type { TicketPage, TicketRow } from "../src/tickets/ticket_view.ts";
import type { Order, Section } from "../src/tickets/user_tickets.ts";
import type { PurchaseInfo } from "../src/pool/purchase_info.ts";
import { Notice } from "./components.tsx";
import { Code, type Fact, FactList, MaybeLink, PoolStyles } from "./pool_components.tsx";
import { formatCount as n } from "./numbers.ts";

export interface TicketsViewProps {
  readonly info: PurchaseInfo;
  /** "hcctl" with this network's flag. */
  readonly hcctl: string;
  readonly tickets: TicketPage;
  /** The one section shown paged, or undefined for the overview. */
  readonly section: Section | undefined;
  readonly order: Order;
  /** The explorer's page of a transaction, when the network has an explorer. */
  readonly txUrl: (txid: string) => string | undefined;
  /** Wallet commands are stopped: the lists may be older than usual. */
  readonly walletsStopped: boolean;
}

const TITLES: Readonly<Record<Section, string>> = {
  live: "Live and immature tickets",
  voted: "Voted tickets",
  missed: "Missed tickets",
  expired: "Expired tickets",
  invalid: "Invalid tickets",
};

/** abcdef01…89abcd: enough to recognise (and to fit a phone), the whole hash in the label and title. */
const short = (hash: string) => `${hash.slice(0, 8)}…${hash.slice(-6)}`;

const TxLink: FC<{ txid: string; url: string | undefined; label: string }> = ({ txid, url, label }) => (
  <MaybeLink href={url}>
    <span class="mono" title={txid} aria-label={`${label} ${txid}`}>{short(txid)}</span>
  </MaybeLink>
);

const STATUS_TEXT: Readonly<Record<TicketRow["status"], string>> = {
  immature: "Immature",
  live: "Live",
  voting: "Voting",
  voted: "Voted",
  missed: "Missed",
  expired: "Expired",
  invalid: "Invalid",
};

const StatusBadge: FC<{ row: TicketRow }> = ({ row }) => (
  <span class={`badge badge-${row.status}`}>
    {STATUS_TEXT[row.status]}
    {row.status === "voting" && row.selectedAt !== undefined && ` (block ${n(row.selectedAt)})`}
  </span>
);

const Height: FC<{ height: number }> = ({ height }) => <>{height > 0 ? n(height) : "—"}</>;

const SpentCell: FC<{ row: TicketRow; txUrl: TicketsViewProps["txUrl"] }> = ({ row, txUrl }) =>
  row.spentBy === undefined
    ? (
      <span class="muted">
        {row.spentByHeight > 0 ? `block ${n(row.spentByHeight)}` : "—"}
        {row.status === "voted" && " · vote txid not known yet"}
      </span>
    )
    : (
      <>
        <Height height={row.spentByHeight} />
        <br />
        <TxLink
          txid={row.spentBy}
          url={txUrl(row.spentBy)}
          label={row.status === "voted" ? "Vote" : "Spent by"}
        />
      </>
    );

const Table: FC<{ section: Section; rows: ReadonlyArray<TicketRow>; txUrl: TicketsViewProps["txUrl"] }> = (
  { section, rows, txUrl },
) => (
  <div class="table-wrap">
    <table class="tickets">
      <thead>
        <tr>
          <th scope="col">Ticket</th>
          {section === "live" && <th scope="col">Status</th>}
          {(section === "voted" || section === "missed" || section === "expired") && (
            <th scope="col">{section === "voted" ? "Vote" : "Block"}</th>
          )}
          {section !== "invalid" && (
            <th scope="col" class={section === "live" ? "num" : "num optional"}>Height</th>
          )}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr data-ticket={row.hash} data-status={row.status} data-spent-by={row.spentBy}>
            <td>
              <TxLink txid={row.hash} url={txUrl(row.hash)} label="Ticket" />
            </td>
            {section === "live" && (
              <td>
                <StatusBadge row={row} />
              </td>
            )}
            {(section === "voted" || section === "missed" || section === "expired") && (
              <td>
                <SpentCell row={row} txUrl={txUrl} />
              </td>
            )}
            {section !== "invalid" && (
              <td class={section === "live" ? "num" : "num optional"}>
                <Height height={row.height} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

const query = (section: Section, page: number, order: Order) =>
  `/tickets?section=${section}&page=${page}${order === "oldest" ? "&order=oldest" : ""}`;

const Pager: FC<{ section: Section; page: number; pages: number; order: Order }> = (
  { section, page, pages, order },
) => (
  <nav class="pager" aria-label={`${TITLES[section]} pages`}>
    {page > 1 ? <a href={query(section, page - 1, order)} rel="prev">← Newer</a> : <span />}
    <span>
      Page {n(page)} of {n(pages)} ·{" "}
      <a href={query(section, 1, order === "newest" ? "oldest" : "newest")}>
        {order === "newest" ? "oldest first" : "newest first"}
      </a>
    </span>
    {page < pages ? <a href={query(section, page + 1, order)} rel="next">Older →</a> : <span />}
  </nav>
);

const SectionNote: FC<{ section: Section; tickets: TicketPage }> = ({ section, tickets }) => {
  const c = tickets.counts;
  switch (section) {
    case "live":
      return (
        <p class="hint">
          {n(c.live)} live, {n(c.immature)}{" "}
          immature{c.voting > 0 && `, ${n(c.voting)} being voted`}. A ticket is immature for its first blocks,
          then live until the network selects it to vote.
        </p>
      );
    case "voted":
      return (
        <p class="hint">
          {n(c.voted)} total tickets voted ({n(c.archived)} archived and not shown: voted more than{" "}
          {n(tickets.maxVotedAge)} blocks ago).
        </p>
      );
    case "missed":
      return (
        <p class="hint">
          A ticket is missed when the block that selected it was mined without its vote — most often the
          miner's doing, not the pool's. Missed tickets are revoked and their coins return to you.
        </p>
      );
    case "expired":
      return (
        <p class="hint">Expired tickets were never selected before their time ran out; their coins return.</p>
      );
    case "invalid":
      return (
        <p class="alert alert-warning">
          These tickets did not pay the pool fee, so the pool does not vote them. Vote them with your own
          wallet, or ask the pool's administrator to add them.
        </p>
      );
  }
};

const TicketSection: FC<
  { tickets: TicketPage; entry: TicketPage["sections"][number]; paged: boolean; order: Order } & {
    txUrl: TicketsViewProps["txUrl"];
  }
> = ({ tickets, entry, paged, order, txUrl }) => {
  const { section, page } = entry;
  return (
    <section class="card ticket-section" id={`section-${section}`} aria-labelledby={`title-${section}`}>
      <h2 id={`title-${section}`}>
        {TITLES[section]} <span class="count">{n(page.total)}</span>
      </h2>
      <SectionNote section={section} tickets={tickets} />
      {page.total === 0
        ? <p class="muted">None.</p>
        : <Table section={section} rows={page.rows} txUrl={txUrl} />}
      {paged && page.pages > 1 && (
        <Pager section={section} page={page.page} pages={page.pages} order={order} />
      )}
      {!paged && page.total > page.rows.length && (
        <p class="more">
          <a href={query(section, 1, "newest")}>Show all {n(page.total)} →</a>
        </p>
      )}
    </section>
  );
};

const Instructions: FC<{ info: PurchaseInfo; hcctl: string; open: boolean }> = ({ info, hcctl, open }) => (
  <details class="card instructions" open={open}>
    <summary>
      <h2>How to buy tickets</h2>
    </summary>
    <h3>With hcGUI</h3>
    <p>
      Use the stake pool settings of hcGUI with this pool's address and your API token from the{" "}
      <a href="/settings">Settings</a> page.
    </p>
    <h3>With hcwallet's ticket buyer</h3>
    <p>Import your ticket script into your wallet once:</p>
    <Code label="Import script command">{hcctl} --wallet importscript {info.Script}</Code>
    <p>Then add these lines to hcwallet.conf and restart the wallet:</p>
    <Code label="hcwallet.conf lines">
      {[
        "enableticketbuyer=true",
        `pooladdress=${info.PoolAddress}`,
        `poolfees=${info.PoolFees}`,
        `ticketbuyer.votingaddress=${info.TicketAddress}`,
        "ticketbuyer.maxpriceabsolute=100",
      ].join("\n")}
    </Code>
    <h3>By hand</h3>
    <p>Buy one ticket at up to 100 HC:</p>
    <Code label="Purchase command">
      {hcctl} --wallet purchaseticket "default" 100 1 {info.TicketAddress} 1 {info.PoolAddress}{" "}
      {info.PoolFees}
    </Code>
  </details>
);

const Live: FC<{ children?: Child }> = ({ children }) => (
  <p class="live-status" id="live-status" aria-live="polite" hidden>{children}</p>
);

export const TicketsView: FC<TicketsViewProps> = (p) => {
  const { info, tickets } = p;
  const facts: ReadonlyArray<Fact> = [
    { label: "Ticket address", value: <span class="mono">{info.TicketAddress}</span> },
    { label: "Pool fee address", value: <span class="mono">{info.PoolAddress}</span> },
    { label: "Pool fee", value: `${info.PoolFees}%` },
    { label: "Redeem script", value: <span class="mono">{info.Script}</span> },
  ];
  const c = tickets.counts;
  const none = c.immature + c.live + c.voting + c.voted + c.missed + c.expired + c.invalid === 0;
  return (
    <>
      <PoolStyles />
      <h1 class="page-title">Tickets</h1>
      {p.walletsStopped && (
        <Notice kind="warning">
          The pool's wallet commands are stopped for maintenance. Your tickets keep being voted; this list may
          lag.
        </Notice>
      )}
      <section class="card">
        <h2>Ticket information</h2>
        <FactList facts={facts} />
      </section>
      <Instructions info={info} hcctl={p.hcctl} open={none} />
      <div id="ticket-lists" data-version={String(tickets.version)}>
        <section class="summary" aria-label="Ticket counts">
          <span>
            <strong>{n(c.immature)}</strong> immature
          </span>
          <span>
            <strong>{n(c.live)}</strong> live
          </span>
          <span>
            <strong>{n(c.voted)}</strong> voted
          </span>
          <span>
            <strong>{n(c.missed)}</strong> missed
          </span>
          <span>
            <strong>{n(c.expired)}</strong> expired
          </span>
          <span>
            <strong>{n(c.invalid)}</strong> invalid
          </span>
          <span class="muted">at block {n(tickets.tip)}</span>
        </section>
        {p.section !== undefined && (
          <p class="back-link">
            <a href="/tickets">← All tickets</a>
          </p>
        )}
        {tickets.sections
          .filter((s) => p.section !== undefined || s.page.total > 0 || s.section === "live")
          .map((entry) => (
            <TicketSection
              tickets={tickets}
              entry={entry}
              paged={p.section !== undefined}
              order={p.order}
              txUrl={p.txUrl}
            />
          ))}
      </div>
      <Live>Updates appear here as they happen.</Live>
      <script src="/assets/js/tickets-live.js" defer></script>
    </>
  );
};
