import type { CardName, CardViews, MessageView } from "../cards/views";

/** What a handler answers: a card template and its view model. The edge renders and sends it. */
export type Reply = { [K in CardName]: { card: K; view: CardViews[K] } }[CardName];

export const reply = <K extends CardName>(card: K, view: CardViews[K]) => ({ card, view }) as Reply;

export function messageReply(title: string, text: string, color: MessageView["color"] = "default", extra: Partial<MessageView> = {}): Reply {
  return reply("message", { title, text, color, facts: [], actions: [], ...extra });
}
