import { requestPasswordReset } from "../../accounts/password_reset.ts";
import { PasswordResetView } from "../../../templates/password_reset.tsx";
import { byField, byIp } from "../middleware/rate_limit.ts";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";
import { formExtras } from "./captcha_form.ts";

export default page({
  path: "/passwordreset",
  access: "public",
  limits: {
    get: [{ rule: "captcha:ip", key: byIp }],
    post: [{ rule: "passwordreset:ip", key: byIp }, { rule: "passwordreset:account", key: byField("email") }],
  },
  get: (c) =>
    runPage(
      c,
      formExtras,
      (extras) =>
        render(
          c,
          { title: "Reset Password" },
          <PasswordResetView csrf={c.get("session").csrfToken()} {...extras} />,
        ),
    ),
  post: (c) =>
    runPage(
      c,
      requestPasswordReset({
        email: c.get("form").get("email"),
        captchaId: c.get("form").get("verifyKey"),
        captchaAnswer: c.get("form").get("verifyValue"),
        ip: c.get("ip"),
      }),
      (result) => {
        const session = c.get("session");
        if (result.mailSent === false) session.flash("error", "Unable to send password reset email");
        session.flash(
          "success",
          `An email containing password reset instructions has been sent to ${result.email} if it was a registered account here.`,
        );
        return c.redirect("/passwordreset", 303);
      },
    ),
});
