// Client-chosen message ids (`client_id`, docs/protocol.md §7.4): unique per sender, safe to resend.
export function newClientId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return "c-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
