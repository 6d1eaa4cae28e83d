// stakepoold: the voting daemon entry (built in the stakepoold issue).
if (import.meta.main) {
  console.error("stakepoold: not built yet");
  Deno.exit(1);
}
