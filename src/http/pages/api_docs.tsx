// The readable API page, made from the same command table the API serves.
import { ApiDocsView } from "../../../templates/api_docs.tsx";
import { ResponseSigner, SIGNATURE_HEADER } from "../../signing/response_signer.ts";
import { commandPath, commonFailures, describeFields } from "../api/openapi.ts";
import { API_COMMANDS } from "../api/router.ts";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";
import { render } from "../render.tsx";

const COMMANDS = API_COMMANDS.map((cmd) => ({
  method: cmd.method,
  name: cmd.name,
  paths: cmd.versions.map((v) => commandPath(v, cmd)),
  summary: cmd.summary,
  auth: cmd.auth,
  fields: cmd.fields === undefined ? [] : describeFields(cmd.fields),
  data: cmd.data === undefined ? [] : describeFields(cmd.data),
  dataOnError: cmd.dataOnError === "null" ? "null" : "absent",
  successMessage: cmd.successMessage,
  failures: commonFailures(cmd),
}));

export default page({
  path: "/apidocs",
  access: "public",
  get: (c) =>
    runPage(c, ResponseSigner, (signer) =>
      render(
        c,
        { title: "API" },
        <ApiDocsView
          baseUrl={c.get("settings").config.baseUrl}
          publicKey={signer.publicKey}
          signatureHeader={SIGNATURE_HEADER}
          commands={COMMANDS}
        />,
      )),
});
