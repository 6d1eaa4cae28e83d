// /address (behaviour §2.3, §7.5): the form, and its submission through submitAddress. A refused
// address or a closed pool is flashed back to the form; a stopped wallet manager shows the
// maintenance page; success goes to the tickets page.
import { Effect } from "effect";
import { submitAddress } from "../../accounts/address.ts";
import { rejected } from "../../accounts/errors.ts";
import { demoAddressForm } from "../../demo/demo_forms.tsx";
import { hcctlCommand } from "../../pool/links.ts";
import { AddressView } from "../../../templates/address.tsx";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";

export default page({
  path: "/address",
  access: "user",
  get: async (c) => {
    const user = c.get("user")!;
    const { config, net } = c.get("settings");
    // Only in the demo (deno task start): a ready-made address of hcsim's user wallet.
    const demo = await demoAddressForm(c);
    return render(
      c,
      { title: "Address" },
      <>
        {demo}
        <AddressView
          csrf={c.get("session").csrfToken()}
          hcctl={hcctlCommand(net.name)}
          submitted={user.UserPubKeyAddr === "" ? undefined : user.UserPubKeyAddr}
          closedMessage={config.closePool ? config.closePoolMsg : undefined}
        />
      </>,
    );
  },
  post: (c) =>
    runPage(
      c,
      submitAddress({
        user: c.get("user")!,
        userPubKeyAddr: c.get("form").get("UserPubKeyAddr"),
        ip: c.get("ip"),
      })
        .pipe(Effect.catchTags({
          AddressRejected: (e) => Effect.fail(rejected(e.message)),
          PoolClosed: (e) => Effect.fail(rejected(e.message)),
        })),
      (registration) => {
        c.get("session").flash(
          "success",
          `Your ticket address is ${registration.multisigAddress}. Buy tickets to it as shown below.`,
        );
        return c.redirect("/tickets", 303);
      },
    ),
});
