import { cardAttachment, type BoundCard } from "../cards/renderCard";
import { renderReply as renderReplyCard } from "../cards/reply";
import type { Reply } from "../cards/reply";
import { md } from "../cards/text";
import type { NoticeView } from "../cards/views";
import type { Logger } from "../log";

export function renderReply(r: Reply, log: Logger): BoundCard {
  return renderReplyCard(r, (e) => log.warn({ card: e.cardName, bytes: e.bytes }, "card too large to send"));
}

export const cardActivity = (card: object) => ({ type: "message" as const, attachments: [cardAttachment(card)] });

/** Adds a sentence to a reply's notice (what happened to the messages it sent), where the card has one. */
export function appendNotice(r: Reply, add: NoticeView): void {
  const view = r.view as { notice?: NoticeView; bottomNotice?: NoticeView };
  if (!("notice" in view) && r.card !== "review" && r.card !== "signoffRequest" && r.card !== "overview") return;
  view.notice = view.notice ? { text: md`${view.notice.text} ${add.text}`, color: add.color === "default" ? view.notice.color : add.color } : add;
  if ("bottomNotice" in view) view.bottomNotice = view.notice;
}
