import pino, { type Logger } from "pino";

/**
 * Structured logs. They carry ids and outcomes only: never evidence, comments, names or
 * e-mail addresses, which are personal or sensitive data about children's services.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: "safeguarding-assurance-bot" },
    redact: { paths: ["*.evidence", "*.comment", "*.email", "*.name", "*.text", "*.value"], censor: "[redacted]" },
  });
}
export type { Logger };
