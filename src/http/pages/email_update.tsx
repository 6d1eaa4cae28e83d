import { applyEmailChange } from "../../accounts/email_change.ts";
import { page } from "../page.ts";
import { tokenResultPage } from "./token_result.tsx";

export default page({
  path: "/emailupdate",
  access: "public",
  get: (c) =>
    tokenResultPage(c, applyEmailChange, {
      title: "Email Update",
      done: "Email successfully updated",
      next: "Sign in with your new email address.",
    }, (change) => {
      // Every session of the account has ended; this one too if it was the account's.
      if (c.get("session").userId === change.UserId) {
        c.get("session").signOut();
        c.set("user", undefined);
      }
    }),
});
