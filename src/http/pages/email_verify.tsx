import { verifyEmail } from "../../accounts/email_verification.ts";
import { page } from "../page.ts";
import { tokenResultPage } from "./token_result.tsx";

export default page({
  path: "/emailverify",
  access: "public",
  get: (c) =>
    tokenResultPage(c, verifyEmail, {
      title: "Email Verification",
      done: "Email successfully verified",
      next: "You may now sign in and submit your address.",
    }),
});
