// hcsim standalone entry (built in the hcsim issue).
if (import.meta.main) {
  console.error("hcsim: not built yet");
  Deno.exit(1);
}
