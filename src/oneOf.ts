/** Narrows a value read from a card or a row to one of a fixed list, without a cast that would also let a wrong value through. */
export function isOneOf<T extends string>(list: readonly T[], v: unknown): v is T {
  return typeof v === "string" && (list as readonly string[]).includes(v);
}
