import { ZodError } from "zod/v4";
import { UserFacingError } from "../section11/errors";
import { messageReply, type Reply } from "./reply";
import { errorFields, type Logger } from "../log";

/** True for errors where storage (or the network to it) failed rather than our logic. */
export function isStorageOutage(e: unknown): boolean {
  const err = e as { statusCode?: number; code?: string };
  return (
    (typeof err?.statusCode === "number" && (err.statusCode >= 500 || err.statusCode === 429)) ||
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN"].includes(err?.code ?? "")
  );
}

/** Turns any failure into a card the person can act on; unexpected ones are logged without content. */
export function failureReply(e: unknown, log: Logger, where: string): Reply {
  if (e instanceof UserFacingError) {
    return messageReply(e.kind === "denied" ? "Not available to you" : "That didn't work", e.message, e.kind === "denied" ? "attention" : "warning", {
      actions: [{ title: "Help", verb: "cmd", data: { command: "help" }, kind: "submit" }],
    });
  }
  if (e instanceof ZodError) {
    return messageReply("That button's data was not valid", "This card may be from an older version of the bot. Type **audit** to open your return again.", "warning");
  }
  if (isStorageOutage(e)) {
    log.error({ where, status: (e as { statusCode?: number }).statusCode, code: (e as { code?: string }).code }, "storage unavailable");
    return messageReply("The audit store did not answer", "Nothing was changed. Please try again in a minute.", "attention");
  }
  log.error({ where, ...errorFields(e) }, "unexpected failure");
  return messageReply("Something went wrong on our side", "Nothing was changed. Please try again; if it keeps happening, tell your partnership's business manager.", "attention");
}
