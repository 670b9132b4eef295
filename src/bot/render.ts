import { cardAttachment, CardTooLargeError, renderCard, type BoundCard } from "../cards/renderCard";
import type { Reply } from "../cards/reply";
import { md } from "../cards/text";
import type { NoticeView } from "../cards/views";
import { messageReply } from "../cards/reply";
import type { Logger } from "../log";

/**
 * Binds a reply to its card. A card that would still be over Teams' size limit (views already cut
 * what they show) becomes a clear message instead of Teams' generic error.
 */
export function renderReply(r: Reply, log: Logger): BoundCard {
  try {
    return renderCard(r.card, r.view as never);
  } catch (e) {
    if (!(e instanceof CardTooLargeError)) throw e;
    log.warn({ card: e.cardName, bytes: e.bytes }, "card too large to send");
    const fallback = messageReply("That is too much to show on one card", md`Teams limits the size of a card and this one would be over it. Nothing stored was lost or cut. Open the overview and look at one standard or indicator at a time.`, "warning");
    return renderCard(fallback.card, fallback.view as never);
  }
}

export const cardActivity = (card: object) => ({ type: "message" as const, attachments: [cardAttachment(card)] });

/** Adds a sentence to a reply's notice (what happened to the messages it sent), where the card has one. */
export function appendNotice(r: Reply, add: NoticeView): void {
  const view = r.view as { notice?: NoticeView };
  if (!("notice" in view) && r.card !== "review" && r.card !== "signoffRequest" && r.card !== "overview") return;
  view.notice = view.notice ? { text: md`${view.notice.text} ${add.text}`, color: add.color === "default" ? view.notice.color : add.color } : add;
}
