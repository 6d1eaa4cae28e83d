import { checkResetToken, resetPassword } from "../../accounts/password_reset.ts";
import { PasswordUpdateView } from "../../../templates/password_update.tsx";
import { byIp } from "../middleware/rate_limit.ts";
import { runPage, userFailures } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";

export default page({
  path: "/passwordupdate",
  access: "public",
  limits: { post: [{ rule: "passwordupdate:ip", key: byIp }] },
  get: (c) => {
    const token = c.req.query("t") ?? "";
    return runPage(c, userFailures(checkResetToken(token)), (result) =>
      render(
        c,
        { title: "Password Update" },
        <PasswordUpdateView
          csrf={c.get("session").csrfToken()}
          token={token}
          problem={result.ok ? undefined : result.message}
        />,
      ));
  },
  post: (c) =>
    runPage(
      c,
      resetPassword({
        token: c.req.query("t") ?? "",
        password: c.get("form").get("password"),
        passwordRepeat: c.get("form").get("passwordrepeat"),
        ip: c.get("ip"),
      }),
      () => {
        c.get("session").flash("success", "Password successfully updated");
        return c.redirect("/signin", 303);
      },
    ),
});
