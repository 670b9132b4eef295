import pino, { type DestinationStream, type Logger } from "pino";

/**
 * Structured logs. They carry ids and outcomes only: never evidence, comments, names or
 * e-mail addresses, which are personal or sensitive data about children's services.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: "safeguarding-assurance-bot" },
    redact: { paths: ["*.evidence", "*.comment", "*.email", "*.name", "*.text", "*.value"], censor: "[redacted]" },
  };
  // A destination is for tests that read what was logged (test/support/botUnderTest.ts); the bot logs to stdout.
  return destination ? pino(options, destination) : pino(options);
}
export type { Logger };

/**
 * What we log about an error: its kind and where it happened, never its message, which can quote
 * what a user typed (JSON.parse, zod and storage errors all do).
 */
export function errorFields(e: unknown): Record<string, unknown> {
  const err = e as { name?: unknown; code?: unknown; statusCode?: unknown; stack?: unknown; cause?: unknown };
  const frame = typeof err?.stack === "string" ? err.stack.split("\n").find((l) => l.trim().startsWith("at "))?.trim().slice(0, 200) : undefined;
  // fetch says only "fetch failed": the network's reason (ECONNRESET, a socket closed...) is its cause.
  const cause = err?.cause as { name?: unknown; code?: unknown } | undefined;
  const causeFields = cause && typeof cause === "object" ? { cause: typeof cause.name === "string" ? cause.name : "Error", causeCode: cause.code } : {};
  return { err: typeof err?.name === "string" ? err.name : typeof e, code: err?.code, status: err?.statusCode, at: frame, ...causeFields };
}
