import { ZodError } from "zod/v4";
import { md } from "../cards/text";
import { messageReply, type Reply } from "../cards/reply";
import { CardTooLargeError } from "../cards/renderCard";
import { PartialWriteError, UserFacingError } from "../errors";
import { errorFields, type Logger } from "../log";
import { isStorageOutage } from "../storage/errors";

export { isStorageOutage };

/**
 * Turns any failure into a card the person can act on, saying only what is true: "nothing was
 * changed" only where nothing was written, "this may have partly applied" where an operation of
 * several writes stopped part-way (every such operation completes when run again). Unexpected
 * failures are logged without content.
 */
export function failureReply(e: unknown, log: Logger, where: string): Reply {
  if (e instanceof UserFacingError) {
    return messageReply(e.kind === "denied" ? "Not available to you" : "That didn't work", e.message, e.kind === "denied" ? "attention" : "warning", {
      actions: [{ title: "Help", verb: "cmd", data: { command: "help" }, kind: "submit" }],
    });
  }
  if (e instanceof ZodError) {
    return messageReply("That button's data was not valid", md`This card may be from an older version of the bot. Type **audit** or **help** to start again from a fresh card.`, "warning");
  }
  if (e instanceof PartialWriteError) {
    log.error({ where, ...errorFields(e.failure) }, "operation stopped part-way");
    return messageReply("This may have partly applied", md`The audit store stopped answering part-way through. Press the same button again in a minute to finish: what was already done is recognised and nothing is doubled.`, "attention");
  }
  if (e instanceof CardTooLargeError) {
    log.warn({ where, card: e.cardName, bytes: e.bytes }, "card too large");
    return messageReply("That is too much to show on one card", md`Teams limits the size of a card and this one would be over it. Nothing was lost. Open the overview and look at one standard or indicator at a time.`, "warning");
  }
  if (isStorageOutage(e)) {
    log.error({ where, status: (e as { statusCode?: number }).statusCode, code: (e as { code?: string }).code }, "storage unavailable");
    return messageReply("The audit store did not answer", md`Nothing was changed. Please try again in a minute.`, "attention");
  }
  log.error({ where, ...errorFields(e) }, "unexpected failure");
  return messageReply("Something went wrong on our side", md`Please try again; if it keeps happening, tell your partnership's business manager.`, "attention");
}
