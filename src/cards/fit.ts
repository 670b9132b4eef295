/**
 * Cuts text shown on a card so its UTF-8 size stays within a budget: a card carries what people
 * typed (up to thousands of characters, three bytes each in many scripts), and Teams refuses a
 * message over its size limit with a generic error. Only what is shown is cut, never what is stored.
 */
export function fitText(s: string, maxBytes: number): { text: string; cut: boolean } {
  if (Buffer.byteLength(s, "utf8") <= maxBytes) return { text: s, cut: false };
  let bytes = 0;
  let end = 0;
  for (const ch of s) {
    const n = Buffer.byteLength(ch, "utf8");
    if (bytes + n > maxBytes) break;
    bytes += n;
    end += ch.length;
  }
  return { text: s.slice(0, end), cut: true };
}
