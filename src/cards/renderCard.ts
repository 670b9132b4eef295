import { cardTemplate } from "./templates";
import { unwrapShown } from "./text";
import type { ChoiceView } from "./views";
import type { CardName, CardViews } from "./views";

/**
 * Binds a typed view model to its template. Escaping was decided when the view was built (see
 * ./text): here every `Shown` becomes its string and nothing else is changed.
 */

/** Teams accepts messages of about 100 KB; cards are kept well under that. UTF-8 bytes of JSON.stringify. */
export const CARD_SIZE_LIMIT = 28 * 1024;

export class CardTooLargeError extends Error {
  constructor(
    readonly cardName: string,
    readonly bytes: number,
    readonly limit: number = CARD_SIZE_LIMIT,
  ) {
    super(`Card "${cardName}" is ${bytes} bytes once bound; the limit is ${limit} bytes.`);
    this.name = "CardTooLargeError";
  }
}

/**
 * A bound card: plain JSON. Structurally compatible with teams-ai's `AdaptiveCard`
 * (`{ type: "AdaptiveCard"; [key: string]: any }`), so an Action.Execute handler can return it as is.
 */
export interface BoundCard {
  type: "AdaptiveCard";
  version: string;
  [key: string]: unknown;
}

/** UTF-8 size in bytes of the card as it is sent (JSON.stringify, no whitespace). */
export function cardSize(card: object): number {
  return Buffer.byteLength(JSON.stringify(card), "utf8");
}

/** Renderers reject a choice without a title or a value: drop value-less choices, title the rest. */
function cleanChoices(root: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(root)) {
    if (key.endsWith("Choices") && Array.isArray(value)) {
      root[key] = (value as ChoiceView[]).filter((c) => c.value !== "").map((c) => (c.title === "" ? { ...c, title: c.value } : c));
    }
  }
}

/**
 * Templates give every action a `verb` (one entry per ActionView keeps the view's order whatever the
 * kind); on an Action.Submit the verb travels inside `data`, so the top-level property is removed.
 */
function dropSubmitVerbs(node: unknown): void {
  if (Array.isArray(node)) node.forEach(dropSubmitVerbs);
  else if (node !== null && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (o.type === "Action.Submit") delete o.verb;
    Object.values(o).forEach(dropSubmitVerbs);
  }
}

/**
 * Binds a view to its template. Throws CardTooLargeError when the bound card is over
 * CARD_SIZE_LIMIT: views cut what they show first (see the views' "more" texts), and the edge
 * turns what still does not fit into a clear message.
 */
export function renderCard<N extends CardName>(name: N, view: CardViews[N]): BoundCard {
  const root = unwrapShown(view) as Record<string, unknown>;
  cleanChoices(root);
  // JSON round trip: a plain tree that shares no objects with the view or the template.
  const text = JSON.stringify(cardTemplate(name).expand({ $root: root }));
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > CARD_SIZE_LIMIT) throw new CardTooLargeError(name, bytes);
  const card = JSON.parse(text) as BoundCard;
  dropSubmitVerbs(card);
  return card;
}

export interface CardAttachment {
  contentType: "application/vnd.microsoft.card.adaptive";
  content: object;
}

/** The Bot Framework attachment for a bound card (a plain object, so this folder needs no botbuilder). */
export function cardAttachment(card: object): CardAttachment {
  return { contentType: "application/vnd.microsoft.card.adaptive", content: card };
}
