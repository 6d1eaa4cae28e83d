import { page } from "../page.ts";

/** POST only (with the navbar's CSRF token): a link elsewhere cannot sign anyone out. */
export default page({
  path: "/logout",
  access: "public",
  post: (c) => {
    c.get("session").signOut();
    return c.redirect("/", 303);
  },
});
