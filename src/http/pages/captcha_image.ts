// The image of a pending captcha (the form's <img>); 404 once it is answered or expired.
import { Effect, Option } from "effect";
import { Captcha } from "../../captcha/captcha.ts";
import { runPage } from "../outcomes.tsx";
import { page } from "../page.ts";

export default page({
  path: "/captcha/:file{[A-Za-z0-9_-]{1,64}\\.png}",
  access: "public",
  get: (c) =>
    runPage(
      c,
      Effect.flatMap(Captcha, (captcha) => captcha.image((c.req.param("file") ?? "").replace(/\.png$/, ""))),
      (png) =>
        Option.match(png, {
          onNone: () => c.notFound(),
          onSome: (bytes) =>
            c.body(bytes.slice(), 200, { "Content-Type": "image/png", "Cache-Control": "no-store" }),
        }),
    ),
});
