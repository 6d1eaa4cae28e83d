import { Effect } from "effect";
import { apiTokenOf, regenerateApiToken } from "../../accounts/api_token.ts";
import { requestEmailChange } from "../../accounts/email_change.ts";
import { rejected } from "../../accounts/errors.ts";
import { changePassword } from "../../accounts/password_change.ts";
import { SettingsView } from "../../../templates/settings.tsx";
import type { Ctx } from "../context.ts";
import { byIp, byUser } from "../middleware/rate_limit.ts";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";
import { formExtras } from "./captcha_form.ts";

/** The three forms of the page, told apart by their button (the original's updateEmail / updatePassword). */
const settingsPost = (c: Ctx) => {
  const form = c.get("form");
  const user = c.get("user")!;
  const session = c.get("session");
  const done = () => c.redirect("/settings", 303);
  if (form.get("updateEmail") === "true") {
    return runPage(
      c,
      requestEmailChange({
        user,
        newEmail: form.get("email"),
        password: form.get("password"),
        captchaId: form.get("verifyKey"),
        captchaAnswer: form.get("verifyValue"),
        ip: c.get("ip"),
      }),
      (result) => {
        if (result.mailSent === false) session.flash("error", "Unable to send email change token.");
        else if (result.mailSent === undefined) {
          session.flash("info", "Mail is off on this pool: ask the administrator for the confirmation link.");
        } else session.flash("success", "Verification token sent to new email address");
        return done();
      },
    );
  }
  if (form.get("updatePassword") === "true") {
    return runPage(
      c,
      changePassword({
        user,
        password: form.get("password"),
        newPassword: form.get("newpassword"),
        newPasswordRepeat: form.get("newpasswordrepeat"),
        ip: c.get("ip"),
      }),
      () => {
        // Every session of the account ended; this browser continues in a new one.
        session.signIn(user.UserId);
        session.flash("success", "Password successfully updated");
        return done();
      },
    );
  }
  if (form.get("regenerateToken") === "true") {
    return runPage(c, regenerateApiToken(user, c.get("ip")), () => {
      session.flash("success", "A new API token was made; the old one no longer works.");
      return done();
    });
  }
  return runPage(c, Effect.fail(rejected("invalid or unknown form action type")), done);
};

export default page({
  path: "/settings",
  access: "user",
  limits: {
    get: [{ rule: "captcha:ip", key: byIp }],
    post: [{ rule: "settings:ip", key: byIp }, { rule: "settings:account", key: byUser }],
  },
  get: (c) => {
    const user = c.get("user")!;
    return runPage(
      c,
      Effect.all({ apiToken: apiTokenOf(user, c.get("ip")), extras: formExtras }),
      ({ apiToken, extras }) =>
        render(
          c,
          { title: "Settings" },
          <SettingsView
            csrf={c.get("session").csrfToken()}
            email={user.Email}
            apiToken={apiToken}
            {...extras}
            showInstructions={user.MultiSigAddress === ""}
          />,
        ),
    );
  },
  post: settingsPost,
});
