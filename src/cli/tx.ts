// `hcpool tx <hex>`: decode a serialized transaction: txid, stake type, inputs, outputs and, for
// tickets, votes and revocations, their stake fields. Amounts are atoms, scripts and hashes hex.
import { Either } from "effect";
import { reversedHex, toHex } from "../domain/bytes.ts";
import { classifyScript, type StakeDest } from "../domain/script.ts";
import { parseRevocation, parseTicket, parseVote, type Payout } from "../domain/stake.ts";
import { type DecodedTx, txFromHex, txid } from "../domain/tx.ts";
import { command, UsageError } from "./command.ts";

const dest = (d: StakeDest) => ({
  kind: d.kind,
  hash160: toHex(d.hash160),
  ...(d.bliss ? { bliss: true } : {}),
});
const payouts = (ps: ReadonlyArray<Payout>) => ps.map((p) => ({ ...dest(p.dest), amount: Number(p.amount) }));

/** The stake form the transaction takes, tried in stake.DetermineTxType's order (as txType does). */
const stakeFields = (tx: DecodedTx) => {
  const ticket = parseTicket(tx);
  if (Either.isRight(ticket)) {
    const t = ticket.right;
    return {
      type: "ticket",
      ticket: {
        votingDest: dest(t.votingDest),
        price: Number(t.price),
        commitments: t.commitments.map((c) => ({
          hash160: toHex(c.hash160),
          isP2SH: c.isP2SH,
          sigType: c.sigType,
          amount: Number(c.amount),
          feeLimits: c.feeLimits,
        })),
      },
    };
  }
  const vote = parseVote(tx);
  if (Either.isRight(vote)) {
    const v = vote.right;
    return { type: "vote", vote: { ...v, extendedBits: toHex(v.extendedBits), payouts: payouts(v.payouts) } };
  }
  const revocation = parseRevocation(tx);
  if (Either.isRight(revocation)) {
    const r = revocation.right;
    return { type: "revocation", revocation: { ticketHash: r.ticketHash, payouts: payouts(r.payouts) } };
  }
  return { type: "regular" };
};

export default command({
  name: "tx",
  usage: "<hex>",
  summary: "decode a transaction: txid, type (regular/ticket/vote/revocation), inputs, outputs, stake fields",
  run: (argv) =>
    argv.length !== 1 ? Either.left(new UsageError({ message: "usage: tx <hex>" })) : Either.map(
      txFromHex(argv[0].trim()),
      (tx) => ({
        txid: txid(tx),
        version: tx.version,
        serType: tx.serType,
        lockTime: tx.lockTime,
        expiry: tx.expiry,
        inputs: tx.inputs.map((i) => ({
          prevHash: reversedHex(i.prevHash),
          prevIndex: i.prevIndex,
          tree: i.tree,
          sequence: i.sequence,
          valueIn: Number(i.valueIn),
          blockHeight: i.blockHeight,
          blockIndex: i.blockIndex,
          sigScript: toHex(i.sigScript),
        })),
        outputs: tx.outputs.map((o) => ({
          value: Number(o.value),
          version: o.version,
          pkScript: toHex(o.pkScript),
          class: classifyScript(o.pkScript).class,
        })),
        ...stakeFields(tx),
      }),
    ),
});
