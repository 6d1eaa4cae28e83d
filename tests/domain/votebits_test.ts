import assert from "node:assert/strict";
import { Either, FastCheck as fc } from "effect";
import { NETWORKS } from "../../src/domain/params.ts";
import {
  DEFAULT_VOTE_BITS,
  isValidVoteBits,
  voteBitsExtended,
  voteBitsFromChoices,
  voteChoices,
} from "../../src/domain/votebits.ts";

const { mainnet, testnet2, simnet } = NETWORKS;

Deno.test("testnet2 and simnet v7 (maxblocksize, mask 0x6): valid bits are 1, 1|no, 1|yes", () => {
  for (const net of [testnet2, simnet]) {
    assert.equal(net.walletVoteVersion, 7);
    for (const bits of [0x0001, 0x0003, 0x0005]) {
      assert.ok(isValidVoteBits(net, 7, bits), `${net.name} ${bits}`);
    }
    // 0x7 sets both choice bits, 0x2/0x4 lack bit 0, 0x9/0x8001 touch bits no agenda uses.
    for (const bits of [0x0000, 0x0002, 0x0004, 0x0007, 0x0009, 0x8001, 0x10001, -1, 1.5]) {
      assert.ok(!isValidVoteBits(net, 7, bits), `${net.name} ${bits}`);
    }
    // A version without agendas only allows the default.
    assert.ok(isValidVoteBits(net, 6, DEFAULT_VOTE_BITS));
    assert.ok(!isValidVoteBits(net, 6, 0x0005));
  }
});

Deno.test("mainnet has no agendas: only bit 0 may be set", () => {
  assert.equal(mainnet.walletVoteVersion, 0);
  assert.ok(isValidVoteBits(mainnet, 0, 1));
  for (const bits of [0, 3, 5, 0xffff]) assert.ok(!isValidVoteBits(mainnet, 0, bits));
  assert.deepEqual(voteChoices(mainnet, 0, 5), []);
});

Deno.test("choices ⇄ bits on v7", () => {
  assert.deepEqual(voteChoices(simnet, 7, 1), [{ agendaId: "maxblocksize", choiceId: "abstain" }]);
  assert.deepEqual(voteChoices(simnet, 7, 3), [{ agendaId: "maxblocksize", choiceId: "no" }]);
  assert.deepEqual(voteChoices(simnet, 7, 5), [{ agendaId: "maxblocksize", choiceId: "yes" }]);
  assert.deepEqual(voteChoices(simnet, 7, 7), []);
  assert.equal(Either.getOrThrow(voteBitsFromChoices(simnet, 7, { maxblocksize: "yes" })), 5);
  assert.equal(Either.getOrThrow(voteBitsFromChoices(simnet, 7, { maxblocksize: "no" })), 3);
  assert.equal(Either.getOrThrow(voteBitsFromChoices(simnet, 7, {})), 1);
  const unknownAgenda = voteBitsFromChoices(mainnet, 0, { maxblocksize: "yes" });
  assert.ok(Either.isLeft(unknownAgenda) && unknownAgenda.left._tag === "VoteBitsError");
  assert.ok(Either.isLeft(voteBitsFromChoices(testnet2, 7, { maxblocksize: "maybe" })));
});

Deno.test("property: bits built from choices are valid and map back to the same choices", () => {
  const ids = simnet.deployments.get(7)![0].choices.map((c) => c.id);
  fc.assert(
    fc.property(fc.constantFrom(...ids), (choiceId) => {
      const bits = Either.getOrThrow(voteBitsFromChoices(simnet, 7, { maxblocksize: choiceId }));
      assert.ok(isValidVoteBits(simnet, 7, bits));
      assert.deepEqual(voteChoices(simnet, 7, bits), [{ agendaId: "maxblocksize", choiceId }]);
    }),
  );
});

Deno.test("extended vote bits carry the vote version as u32 LE", () => {
  assert.deepEqual(voteBitsExtended(7), Uint8Array.of(7, 0, 0, 0));
  assert.deepEqual(voteBitsExtended(0x01020304), Uint8Array.of(4, 3, 2, 1));
});
