/** How long to wait before trying a row again. Pure functions, so the numbers are unit-tested. */

const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** Retry-After is either delta-seconds or an HTTP date; anything else yields undefined. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(v) * 1000));
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - now.getTime()));
}

/** "Equal jitter": at least half the step, so retries spread out but never come back immediately. */
export function backoffMs(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/** A 429 without Retry-After: the default plus up to 50% jitter, so instances do not return in step. */
export function throttleDelayMs(retryAfterMs: number | undefined, defaultMs: number, random: () => number = Math.random): number {
  return retryAfterMs ?? Math.round(defaultMs + random() * defaultMs * 0.5);
}
