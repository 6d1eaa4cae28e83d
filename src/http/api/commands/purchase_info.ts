// GET getpurchaseinfo: what a wallet needs to buy tickets for the token's user. VoteBitsVersion is
// filled (the original always sent 0), the one deliberate change to this answer.
import { Effect, Schema } from "effect";
import { purchaseInfo } from "../../../pool/purchase_info.ts";
import { command, Uint16, Uint32 } from "../command.ts";
import { Code, failure } from "../envelope.ts";

const PREFIX = "purchaseinfo error";

export const PurchaseInfo = Schema.Struct({
  PoolAddress: Schema.String.annotations({ description: "The user's pool fee address." }),
  PoolFees: Schema.Number.annotations({ description: "The pool fee, percent." }),
  Script: Schema.String.annotations({ description: "The 1-of-2 [pool, user] redeem script, hex." }),
  TicketAddress: Schema.String.annotations({
    description: "The P2SH address of that script: buy tickets to it.",
  }),
  VoteBits: Uint16,
  VoteBitsVersion: Uint32,
}).annotations({ identifier: "PurchaseInfo" });

export default command({
  name: "getpurchaseinfo",
  method: "GET",
  versions: [1, 2],
  summary: "Ticket purchase information of the token's user",
  auth: true,
  successMessage: "purchaseinfo successfully retrieved",
  errorPrefix: PREFIX,
  data: PurchaseInfo,
  dataOnError: "null",
  failures: [{ code: Code.FailedPrecondition, message: `${PREFIX} - no address submitted` }],
  run: ({ user }) =>
    purchaseInfo(user).pipe(
      Effect.catchTag(
        "NoAddressSubmitted",
        () => Effect.fail(failure(Code.FailedPrecondition, PREFIX, "no address submitted")),
      ),
    ),
});
