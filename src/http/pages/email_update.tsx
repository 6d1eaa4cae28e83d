import { applyEmailChange } from "../../accounts/email_change.ts";
import { TokenResultView } from "../../../templates/token_result.tsx";
import { runPage, userFailures } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";

export default page({
  path: "/emailupdate",
  access: "public",
  get: (c) =>
    runPage(c, userFailures(applyEmailChange(c.req.query("t") ?? "", c.var.ip)), (result) => {
      // Every session of the account has ended; this one too if it was the account's.
      if (result.ok && c.var.session.userId === result.value.UserId) {
        c.var.session.signOut();
        c.set("user", undefined);
      }
      return render(
        c,
        { title: "Email Update", status: result.ok ? 200 : 400 },
        <TokenResultView
          title="Email Update"
          ok={result.ok}
          message={result.ok ? "Email successfully updated" : result.message}
          next="Sign in with your new email address."
        />,
      );
    }),
});
