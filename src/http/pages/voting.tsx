// /voting (behaviour §7.8): the user's choices per agenda; saving stores the bits and pushes them
// to every stakepoold. Refused choices are flashed and nothing is stored; always back to /voting.
import { Effect } from "effect";
import { rejected } from "../../accounts/errors.ts";
import { setVoteBits, voteBitsFromAgendaFields, votingPreferences } from "../../accounts/voting.ts";
import { VotingView } from "../../../templates/voting.tsx";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";

export default page({
  path: "/voting",
  access: "user",
  get: (c) =>
    runPage(c, votingPreferences(c.get("user")!), (prefs) =>
      render(
        c,
        { title: "Voting" },
        <VotingView csrf={c.get("session").csrfToken()} {...prefs} />,
      )),
  post: (c) => {
    const user = c.get("user")!;
    return runPage(
      c,
      votingPreferences(user).pipe(
        Effect.flatMap((prefs) =>
          voteBitsFromAgendaFields(prefs.agendas.length, (f) => c.get("form").get(f))
        ),
        Effect.flatMap((voteBits) => setVoteBits({ user, voteBits, ip: c.get("ip") })),
        Effect.catchTags({
          AgendaChoiceRejected: (e) => Effect.fail(rejected(e.message)),
          VoteBitsRejected: (e) => Effect.fail(rejected(e.message)),
        }),
      ),
      (saved) => {
        const session = c.get("session");
        session.flash("success", "successfully updated voting preferences");
        const { ok, failed } = saved.stakepoolds;
        if (saved.changed && failed.length > 0) {
          session.flash(
            "info",
            `${ok} of ${
              ok + failed.length
            } voting nodes vote with these choices now; the others get them within minutes.`,
          );
        } else if (saved.changed && ok > 0) {
          session.flash("info", `All ${ok} voting nodes vote with these choices now.`);
        }
        return c.redirect("/voting", 303);
      },
      { back: "/voting" },
    );
  },
});
