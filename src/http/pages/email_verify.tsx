import { verifyEmail } from "../../accounts/email_verification.ts";
import { TokenResultView } from "../../../templates/token_result.tsx";
import { runPage, userFailures } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";

export default page({
  path: "/emailverify",
  access: "public",
  get: (c) =>
    runPage(c, userFailures(verifyEmail(c.req.query("t") ?? "", c.var.ip)), (result) =>
      render(
        c,
        { title: "Email Verification", status: result.ok ? 200 : 400 },
        <TokenResultView
          title="Email Verification"
          ok={result.ok}
          message={result.ok ? "Email successfully verified" : result.message}
          next="You may now sign in and submit your address."
        />,
      )),
});
