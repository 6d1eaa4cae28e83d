import { signIn } from "../../accounts/sign_in.ts";
import { SignInView } from "../../../templates/signin.tsx";
import { byField, byIp } from "../middleware/rate_limit.ts";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";

export default page({
  path: "/signin",
  access: "public",
  limits: { post: [{ rule: "signin:ip", key: byIp }, { rule: "signin:account", key: byField("email") }] },
  get: (c) => render(c, { title: "Sign In" }, <SignInView csrf={c.get("session").csrfToken()} />),
  post: (c) =>
    runPage(
      c,
      signIn({ email: c.get("form").get("email"), password: c.get("form").get("password") }),
      (user) => {
        c.get("session").signIn(user.UserId);
        return c.redirect(user.MultiSigAddress === "" ? "/settings" : "/tickets", 303);
      },
    ),
});
