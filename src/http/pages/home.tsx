import { HomeView } from "../../../templates/home.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";

export default page({
  path: "/",
  access: "public",
  get: (c) => {
    const { config, net } = c.var.settings;
    return render(
      c,
      { title: "Home" },
      <HomeView
        network={net.name}
        poolFees={config.poolFees}
        poolEmail={config.poolEmail}
        poolLink={config.poolLink}
        signedIn={c.var.user !== undefined}
        closedMessage={config.closePool ? config.closePoolMsg : undefined}
      />,
    );
  },
});
