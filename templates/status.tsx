// The admin Status page (behaviour §2.3 /status, issue 12): the wallet manager's state with
// "resume after check" while it is stopped, every voting wallet, every stakepoold (control API
// and ticket-event stream, last vote) and the reconciler's last round.
import type { FC } from "hono/jsx";
import type { PoolStatus } from "../src/pool/status.ts";
import { CsrfField, Notice } from "./components.tsx";
import { type Fact, FactList, PoolStyles } from "./pool_components.tsx";
import { pendingText } from "../src/wallets/reconciler.ts";
import { formatCount } from "./numbers.ts";

export interface StatusViewProps {
  readonly csrf: string;
  readonly status: PoolStatus;
  /** enablestakepoold is off. */
  readonly stakepooldsEnabled: boolean;
}

const Yes: FC<{ ok: boolean; yes?: string; no?: string }> = ({ ok, yes, no }) => (
  <span class={ok ? "state-ok" : "state-bad"}>{ok ? yes ?? "yes" : no ?? "no"}</span>
);

const when = (
  d: Date | undefined,
) => (d === undefined ? "—" : d.toISOString().replace("T", " ").slice(0, 19) + " UTC");

const n = (x: number | undefined) => (x === undefined ? "—" : formatCount(x));

/**
 * walletinfo's `voting`: a pool wallet beside stakepoold does not vote itself (the real hcwallet in
 * stake-pool mode reports false), so "no" is normal there; without stakepoolds the wallets vote.
 */
const WalletVoting: FC<{ connected: boolean; voting: boolean; stakepooldsEnabled: boolean }> = (
  { connected, voting, stakepooldsEnabled },
) => {
  if (!connected) return <>—</>;
  if (voting === !stakepooldsEnabled) {
    return (
      <>
        <span class="state-ok">{voting ? "yes" : "no"}</span>
        <br />
        <span class="muted">{voting ? "votes the tickets" : "stakepoold votes"}</span>
      </>
    );
  }
  return voting
    ? (
      <span class="state-warn" title="stakepoold votes: the wallet's votes are duplicates">
        yes, beside stakepoold
      </span>
    )
    : (
      <span class="state-bad" title="no stakepoold is configured to vote instead">
        no, and no stakepoold
      </span>
    );
};

export const AdminStatusView: FC<StatusViewProps> = ({ csrf, status, stakepooldsEnabled }) => {
  const w = status.wallets;
  const manager: ReadonlyArray<Fact> = [
    {
      label: "Wallet commands",
      value: w.stopped === undefined
        ? <span class="state-ok">running</span>
        : <span class="state-bad">stopped since {when(w.stopped.since)}</span>,
    },
    {
      label: "RPC status",
      value: <span class={w.rpcStatus === "OK" ? "state-ok" : "state-warn"}>{w.rpcStatus}</span>,
    },
    { label: "Usable wallets", value: `${w.usable} of ${w.total} (minservers ${w.minServers})` },
  ];
  const r = status.reconciler;
  return (
    <>
      <PoolStyles />
      <h1 class="page-title">Status</h1>
      <section class="card">
        <h2>Wallet manager</h2>
        <FactList facts={manager} />
        {w.stopped !== undefined && (
          <>
            <p class="alert alert-error" role="alert">Stopped: {w.stopped.reason}</p>
            <p>
              Voting goes on in the stakepoolds. Once the cause is fixed, resume: the wallets' consistency
              check and the check of what stopped them run first, and commands resume only if both pass.
            </p>
            <form method="post" action="/status" class="inline-form">
              <CsrfField token={csrf} />
              <button type="submit" name="action" value="resume" class="button">Resume after check</button>
            </form>
          </>
        )}
        {w.lastStakeInfoMismatch !== undefined && (
          <Notice kind="warning">
            getstakeinfo live counts differed at {when(w.lastStakeInfoMismatch.at)}:{" "}
            {w.lastStakeInfoMismatch.live.map((l) => `${l.wallet} ${l.live}`).join(", ")}
          </Notice>
        )}
      </section>

      <section class="card">
        <h2>Voting wallets</h2>
        <div class="table-wrap">
          <table class="tickets">
            <thead>
              <tr>
                <th scope="col">Wallet</th>
                <th scope="col">Connected</th>
                <th scope="col">hcd</th>
                <th scope="col">Unlocked</th>
                <th scope="col">Voting itself</th>
                <th scope="col" class="num">Vote version</th>
                <th scope="col" class="num">Best block</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {w.wallets.map((x) => (
                <tr data-wallet={x.name}>
                  <td>
                    {x.name}
                    <br />
                    <span class="muted mono nowrap">{x.host}</span>
                  </td>
                  <td>
                    <Yes ok={x.connected} />
                  </td>
                  <td>
                    <Yes ok={x.daemonConnected} />
                  </td>
                  <td>
                    <Yes ok={x.unlocked} />
                  </td>
                  <td data-voting={x.connected ? String(x.voting) : undefined}>
                    <WalletVoting
                      connected={x.connected}
                      voting={x.voting}
                      stakepooldsEnabled={stakepooldsEnabled}
                    />
                  </td>
                  <td class="num">{n(x.voteVersion)}</td>
                  <td class="num">{n(status.bestBlocks.get(x.name))}</td>
                  <td>{x.refused ?? x.error ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section class="card">
        <h2>Stakepoolds</h2>
        {!stakepooldsEnabled
          ? <p class="muted">No stakepoold is configured (enablestakepoold is off).</p>
          : (
            <div class="table-wrap">
              <table class="tickets">
                <thead>
                  <tr>
                    <th scope="col">Stakepoold</th>
                    <th scope="col">Control API</th>
                    <th scope="col">Ticket events</th>
                    <th scope="col" class="num">Live</th>
                    <th scope="col" class="num">Ignored</th>
                    <th scope="col" class="num">Added</th>
                    <th scope="col">Votes</th>
                    <th scope="col">Last vote</th>
                  </tr>
                </thead>
                <tbody>
                  {status.stakepoolds.map(({ feed, status: s }) => {
                    const ok = s._tag === "Right" ? s.right : undefined;
                    // Its own word (kept since it started), else what its ticket events said.
                    const lastVote = ok?.lastVote ?? feed.lastVote;
                    return (
                      <tr data-stakepoold={feed.host}>
                        <td class="mono nowrap">{feed.host}</td>
                        <td>
                          {ok === undefined
                            ? <span class="state-bad">{s._tag === "Left" ? s.left : "no answer"}</span>
                            : (
                              <>
                                <Yes ok yes="answers" />
                                <br />
                                <span class="muted">
                                  hcd <Yes ok={ok.hcdConnected} />, wallet{" "}
                                  <Yes ok={ok.walletConnected} />, block {n(ok.bestBlockHeight)}, database
                                  {" "}
                                  {ok.database}
                                </span>
                              </>
                            )}
                        </td>
                        <td>
                          <Yes ok={feed.connected} yes="connected" no="down" />
                          <br />
                          <span class="muted">
                            {feed.connected ? `since ${when(feed.since)}` : feed.lastError ?? ""}
                          </span>
                        </td>
                        <td class="num">{n(ok?.liveTickets)}</td>
                        <td class="num">{n(ok?.ignoredLowFeeTickets)}</td>
                        <td class="num">{n(ok?.addedLowFeeTickets)}</td>
                        <td data-votes={ok === undefined ? undefined : JSON.stringify(ok.votes)}>
                          {ok === undefined ? "—" : (
                            `${n(ok.votes.voted)} voted, ${n(ok.votes.duplicate)} duplicate, ${
                              n(ok.votes.spentElsewhere)
                            } spent elsewhere, ${n(ok.votes.failed)} failed`
                          )}
                        </td>
                        <td data-last-vote={lastVote?.ticket}>
                          {lastVote === undefined ? "—" : (
                            <>
                              <span class="mono" title={lastVote.ticket}>
                                {lastVote.ticket.slice(0, 12)}…
                              </span>
                              <br />
                              <span class="muted">
                                {lastVote.outcome}, block {n(lastVote.blockHeight)}, {when(lastVote.at)}
                              </span>
                            </>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
      </section>

      <section class="card">
        <h2>Reconciler</h2>
        {r === undefined ? <p class="muted">No round has finished yet.</p> : (
          <>
            <FactList
              facts={[
                { label: "Last round", value: when(r.at) },
                { label: "Stakepoolds updated", value: n(r.stakepooldsUpdated) },
                {
                  label: "Repaired",
                  value: r.summary === undefined
                    ? "—"
                    : `${r.summary.repaired.reduce((sum, x) => sum + x.scriptsImported, 0)} scripts, ${
                      r.summary.repaired.reduce((sum, x) => sum + x.ticketsAdded, 0)
                    } tickets`,
                },
                ...(r.summary === undefined || !r.summary.repaired.some((x) => x.ticketsPending > 0) ? [] : [{
                  label: "Left to the next round",
                  value: pendingText(r.summary),
                }]),
              ]}
            />
            {r.problems.length > 0 && (
              <ul class="alert alert-warning">
                {r.problems.map((p) => <li key={p}>{p}</li>)}
              </ul>
            )}
          </>
        )}
      </section>
    </>
  );
};
