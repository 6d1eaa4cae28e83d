// Vote bits (HC-PROTOCOL §7; hcstakepool IsValidVoteBits, behaviour §7.8): bit 0 approves the
// previous block's regular tree; the other bits hold one choice per agenda of the vote version.
import { Data, Either } from "effect";
import { u32Bytes } from "./tx.ts";
import { agendasFor, type NetParams } from "./params.ts";

/** The wallet default: approve the previous block, abstain on everything. */
export const DEFAULT_VOTE_BITS = 1;
const BLOCK_VALID = 0x0001;

export class VoteBitsError extends Data.TaggedError("VoteBitsError")<{ readonly reason: string }> {
  override get message() {
    return this.reason;
  }
}

export const isValidVoteBits = (net: NetParams, voteVersion: number, bits: number): boolean => {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffff) return false;
  if (bits === DEFAULT_VOTE_BITS) return true;
  if ((bits & BLOCK_VALID) === 0) return false;
  let used = BLOCK_VALID;
  for (const agenda of agendasFor(net, voteVersion)) {
    used |= agenda.mask;
    if (!agenda.choices.some((c) => (bits & agenda.mask) === c.bits)) return false;
  }
  return (bits & ~used) === 0;
};

/** The choice each agenda's masked bits select (agendas whose bits match no choice are left out). */
export const voteChoices = (
  net: NetParams,
  voteVersion: number,
  bits: number,
): ReadonlyArray<{ readonly agendaId: string; readonly choiceId: string }> =>
  agendasFor(net, voteVersion).flatMap((agenda) => {
    const choice = agenda.choices.find((c) => (bits & agenda.mask) === c.bits);
    return choice ? [{ agendaId: agenda.id, choiceId: choice.id }] : [];
  });

/** Bits for the given agenda → choice ids; agendas not named keep their abstain (zero) bits. */
export const voteBitsFromChoices = (
  net: NetParams,
  voteVersion: number,
  choices: Readonly<Record<string, string>>,
): Either.Either<number, VoteBitsError> => {
  const agendas = agendasFor(net, voteVersion);
  let bits = DEFAULT_VOTE_BITS;
  for (const [agendaId, choiceId] of Object.entries(choices)) {
    const agenda = agendas.find((a) => a.id === agendaId);
    if (!agenda) {
      return Either.left(
        new VoteBitsError({
          reason: `no agenda "${agendaId}" for vote version ${voteVersion} on ${net.name}`,
        }),
      );
    }
    const choice = agenda.choices.find((c) => c.id === choiceId);
    if (!choice) {
      return Either.left(new VoteBitsError({ reason: `agenda "${agendaId}" has no choice "${choiceId}"` }));
    }
    bits |= choice.bits;
  }
  return Either.right(bits);
};

/** The wallet's extended vote bits: the vote version as a u32 LE. */
export const voteBitsExtended = (voteVersion: number): Uint8Array => u32Bytes(voteVersion);
