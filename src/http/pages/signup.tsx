import { signUp } from "../../accounts/sign_up.ts";
import { SignUpView } from "../../../templates/signup.tsx";
import { byIp } from "../middleware/rate_limit.ts";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";
import { formExtras } from "./captcha_form.ts";

export default page({
  path: "/signup",
  access: "public",
  limits: { get: [{ rule: "captcha:ip", key: byIp }], post: [{ rule: "signup:ip", key: byIp }] },
  get: (c) => {
    const { config } = c.get("settings");
    return runPage(c, formExtras, (extras) =>
      render(
        c,
        { title: "Sign Up" },
        <SignUpView
          csrf={c.get("session").csrfToken()}
          {...extras}
          closedMessage={config.closePool ? config.closePoolMsg : undefined}
        />,
      ));
  },
  post: (c) => {
    const form = c.get("form");
    return runPage(
      c,
      signUp({
        email: form.get("email"),
        password: form.get("password"),
        passwordRepeat: form.get("passwordrepeat"),
        captchaId: form.get("verifyKey"),
        captchaAnswer: form.get("verifyValue"),
        ip: c.get("ip"),
      }),
      (result) => {
        const session = c.get("session");
        if (result.mailSent === true) {
          session.flash("success", `A verification email has been sent to ${result.email}`);
        } else if (result.mailSent === false) session.flash("error", "Unable to send signup email");
        else {
          session.flash(
            "info",
            "Your account was created, but mail is off on this pool: ask the administrator for your verification link.",
          );
        }
        return render(
          c,
          { title: "Sign Up" },
          <SignUpView
            csrf={session.csrfToken()}
            captchaId={undefined}
            mailEnabled={result.mailSent !== undefined}
            done
          />,
        );
      },
    );
  },
});
