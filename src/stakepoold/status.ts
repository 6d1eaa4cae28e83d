// What a stakepoold holds and has done (the control API's `status`, the web app's /status page):
// the ticket set, the votes, the connections, where the preferences came from, the loops.
import { Effect } from "effect";
import type { StakepooldStatus } from "../rpc/stakepoold_protocol.ts";
import { Supervisor } from "../runtime/supervisor.ts";
import { LocalNode } from "./local_node.ts";
import { TicketKeeper } from "./ticket_keeper.ts";
import { Voter } from "./voter.ts";
import { VotingPrefs } from "./voting_prefs.ts";

export const stakepooldStatus: Effect.Effect<
  StakepooldStatus,
  never,
  TicketKeeper | Voter | VotingPrefs | LocalNode | Supervisor
> = Effect.gen(function* () {
  const { node, wallet } = yield* LocalNode;
  const voter = yield* Voter;
  const votes = yield* voter.votes;
  const lastVote = yield* voter.lastVote;
  return {
    ...(yield* Effect.flatMap(TicketKeeper, (k) => k.status)),
    votes: {
      voted: votes.voted,
      duplicate: votes.duplicate,
      spentElsewhere: votes["spent-elsewhere"],
      failed: votes.failed,
    },
    ...(lastVote === undefined ? {} : { lastVote }),
    hcdConnected: yield* node.client.connected,
    walletConnected: yield* wallet.client.connected,
    ...(yield* Effect.flatMap(VotingPrefs, (p) => p.status)),
    loops: yield* Effect.flatMap(Supervisor, (s) => s.loops),
  };
});
