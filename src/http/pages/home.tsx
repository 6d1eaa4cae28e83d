import { HomeView } from "../../../templates/home.tsx";
import { ResponseSigner } from "../../signing/response_signer.ts";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { memoView, render } from "../render.tsx";

export default page({
  path: "/",
  access: "public",
  get: (c) => {
    const { config, net } = c.get("settings");
    return runPage(c, ResponseSigner, (signer) =>
      render(
        c,
        { title: "Home" },
        memoView(HomeView, {
          network: net.name,
          poolFees: config.poolFees,
          poolEmail: config.poolEmail,
          poolLink: config.poolLink,
          signedIn: c.get("user") !== undefined,
          closedMessage: config.closePool ? config.closePoolMsg : undefined,
          apiSigningKey: signer.publicKey,
        }),
      ));
  },
});
