import type { CardName, CardViews, MessageView } from "./views";
import { NO_TEXT, text, type Shown } from "./text";

/** What a handler answers: a card template and its view model. The edge renders and sends it. */
export type Reply = { [K in CardName]: { card: K; view: CardViews[K] } }[CardName];

export const reply = <K extends CardName>(card: K, view: CardViews[K]) => ({ card, view }) as Reply;

/** A message card. Plain strings are escaped; the bot's own markdown comes as `md\`...\``. */
export function messageReply(title: string | Shown, body: string | Shown = NO_TEXT, color: MessageView["color"] = "default", extra: Partial<MessageView> = {}): Reply {
  return reply("message", { title: typeof title === "string" ? text(title) : title, text: typeof body === "string" ? text(body) : body, color, facts: [], actions: [], ...extra });
}
