// Sending an account mail from a use case: the account change is already stored, so a mail that
// fails (or the server that does not answer within SEND_TIMEOUT) is logged and reported back as
// false — the page tells the user, as the original did — never an error that undoes the change.
import { Effect } from "effect";
import { Mailer, type MailMessage } from "../mail/mailer.ts";

export const sendAccountMail = (message: MailMessage): Effect.Effect<boolean, never, Mailer> =>
  Effect.flatMap(Mailer, (mailer) => mailer.send(message)).pipe(
    Effect.as(true),
    Effect.catchAll((e) =>
      Effect.as(
        Effect.logError(`mail not sent: ${e.reason}`).pipe(
          Effect.annotateLogs({ to: e.to, subject: message.subject }),
        ),
        false,
      )
    ),
  );
