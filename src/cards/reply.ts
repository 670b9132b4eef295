import type { CardName, CardViews, MessageView } from "./views";
import { md, NO_TEXT, text, type Shown } from "./text";
import { CardTooLargeError, renderCard, type BoundCard } from "./renderCard";

/** What a handler answers: a card template and its view model. The edge renders and sends it. */
export type Reply = { [K in CardName]: { card: K; view: CardViews[K] } }[CardName];

export const reply = <K extends CardName>(card: K, view: CardViews[K]) => ({ card, view }) as Reply;

/** A message card. Plain strings are escaped; the bot's own markdown comes as `md\`...\``. */
export function messageReply(title: string | Shown, body: string | Shown = NO_TEXT, color: MessageView["color"] = "default", extra: Partial<MessageView> = {}): Reply {
  return reply("message", { title: typeof title === "string" ? text(title) : title, text: typeof body === "string" ? text(body) : body, color, facts: [], actions: [], ...extra });
}

/**
 * Binds a reply to its card. A card that would still be over Teams' size limit (views already cut
 * what they show) becomes a clear message instead of Teams' generic error.
 */
export function renderReply(r: Reply, onTooLarge?: (e: CardTooLargeError) => void): BoundCard {
  try {
    return renderCard(r.card, r.view as never);
  } catch (e) {
    if (!(e instanceof CardTooLargeError)) throw e;
    onTooLarge?.(e);
    const fallback = messageReply("That is too much to show on one card", md`Teams limits the size of a card and this one would be over it. Nothing stored was lost or cut. Open the overview and look at one standard or indicator at a time.`, "warning");
    return renderCard(fallback.card, fallback.view as never);
  }
}
