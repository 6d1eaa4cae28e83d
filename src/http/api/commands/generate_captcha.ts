// GET generatecaptcha (no token): a new captcha for the sign-up, password reset and email change
// forms, as a data: URL. Draws an image, so it shares the captcha pages' per-IP limit.
import { Effect, Schema } from "effect";
import { Captcha, captchaForApi } from "../../../captcha/captcha.ts";
import { command } from "../command.ts";

export const CaptchaChallenge = Schema.Struct({
  CaptchaId: Schema.String.annotations({ description: "The form's verifyKey." }),
  ImageBlob: Schema.String.annotations({ description: "data:image/png;base64,… of the six digits." }),
}).annotations({ identifier: "CaptchaChallenge" });

export default command({
  name: "generatecaptcha",
  method: "GET",
  versions: [1, 2],
  summary: "A new captcha challenge",
  auth: false,
  successMessage: "generate captcha successful",
  errorPrefix: "generatecaptcha error",
  data: CaptchaChallenge,
  dataOnError: "null",
  failures: [],
  limits: { ip: "captcha:ip" },
  run: () => Effect.map(Effect.flatMap(Captcha, (c) => c.issue), captchaForApi),
});
