/**
 * Azure Tables forbids `/ \ # ?` and control characters in PartitionKey and RowKey. We also
 * reserve `|` as the separator between key parts and `%` as the escape, so every part is
 * percent-encoded for those characters and a key can always be split back into its parts.
 */
const UNSAFE = /[/\\#?%|\u0000-\u001f\u007f-\u009f]/g;

const FORBIDDEN = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

/**
 * Whether Table Storage can hold `k` as a PartitionKey or RowKey as it is (at most 1 KiB, none of the
 * characters above). A point read of any other key is answered as "not found" (see tableStore.ts).
 */
export function isStorableKey(k: string): boolean {
  return k.length <= 1024 && !FORBIDDEN.test(k);
}

export function encodeKeyPart(part: string): string {
  return part.replace(UNSAFE, (ch) => "%" + ch.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase());
}

export function decodeKeyPart(part: string): string {
  return part.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function key(...parts: string[]): string {
  return parts.map(encodeKeyPart).join("|");
}

export function splitKey(k: string): string[] {
  return k.split("|").map(decodeKeyPart);
}
