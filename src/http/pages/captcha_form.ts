// The captcha a form page shows: a new challenge per view (none with nocaptcha), plus whether
// mail is on (the same pages say when it is off).
import { Effect } from "effect";
import { Captcha } from "../../captcha/captcha.ts";
import { Mailer } from "../../mail/mailer.ts";

export const formExtras = Effect.gen(function* () {
  const captcha = yield* Captcha;
  const mailer = yield* Mailer;
  return {
    captchaId: captcha.enabled ? (yield* captcha.issue).id : undefined,
    mailEnabled: mailer.enabled,
  };
});
