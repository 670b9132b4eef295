/**
 * What we store or log about an error: its kind and HTTP status, never its message (messages can
 * quote what people typed: JSON.parse, zod and storage errors all do).
 */
export function errorKind(e: unknown): string {
  const err = e as { name?: unknown; statusCode?: unknown; status?: unknown; code?: unknown } | undefined;
  const name = typeof err?.name === "string" && /^[A-Za-z][\w.]{0,60}$/.test(err.name) ? err.name : typeof e;
  const status = typeof err?.statusCode === "number" ? err.statusCode : typeof err?.status === "number" ? err.status : undefined;
  const code = typeof err?.code === "string" && /^[A-Za-z_][\w.]{0,40}$/.test(err.code) ? err.code : undefined;
  return [name, status, code].filter((x) => x !== undefined).join(" ").slice(0, 120);
}
