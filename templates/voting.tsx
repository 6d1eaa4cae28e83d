// The Voting page (behaviour §7.8): the agendas of the wallets' vote version, one select per
// agenda (field agenda<i>, option values the choices' bits) with the user's current choice
// selected; none on a vote version without agendas.
import type { FC } from "hono/jsx";
import type { AgendaView } from "../src/accounts/voting.ts";
import { Card, CsrfField } from "./components.tsx";
import { Mono, PoolStyles } from "./pool_components.tsx";

export interface VotingViewProps {
  readonly csrf: string;
  readonly voteVersion: number;
  readonly voteBits: number;
  readonly agendas: ReadonlyArray<AgendaView>;
}

const hex = (bits: number) => `0x${bits.toString(16).padStart(4, "0")}`;

export const VotingView: FC<VotingViewProps> = (p) => (
  <>
    <PoolStyles />
    <Card title={`Voting Preferences (v${p.voteVersion})`}>
      <p>
        The pool votes your tickets with these choices. A change applies to every vote from the next block the
        network selects one of your tickets in.
      </p>
      {p.agendas.length === 0
        ? <p class="alert alert-info" role="status">There are no active agendas to vote on currently.</p>
        : (
          <form method="post" action="/voting" class="form form-wide">
            <CsrfField token={p.csrf} />
            {p.agendas.map((a) => (
              <div class="field">
                <label for={`field-agenda${a.index}`}>{a.id} - {a.description}</label>
                <select id={`field-agenda${a.index}`} name={`agenda${a.index}`} class="select">
                  {a.choices.map((choice) => (
                    <option value={String(choice.bits)} selected={choice.selected}>
                      {choice.description}
                    </option>
                  ))}
                </select>
              </div>
            ))}
            <button type="submit" class="button">Save voting preferences</button>
          </form>
        )}
      <p class="hint">
        Your vote bits: <Mono>{hex(p.voteBits)}</Mono>. Read about the proposals at{" "}
        <a href="https://vote.h.cash" rel="noopener noreferrer">vote.h.cash</a>.
      </p>
    </Card>
  </>
);
