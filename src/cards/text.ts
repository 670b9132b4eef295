import { escapeMarkdown } from "./escape";

/**
 * Text a card shows where Teams reads markdown (TextBlock text, Fact titles and values). Its type
 * decides the escaping, never the name of the field it lands in:
 * - `text(s)` is for anything that came from people or storage: markdown in it is escaped, so it
 *   shows exactly as typed and never becomes a link or emphasis;
 * - `md\`...\`` is the bot's own wording: its literal parts are markdown, and every value
 *   interpolated into it is escaped unless it is already `Shown`.
 * View model fields that are displayed are typed `Shown`, so a raw string cannot reach them by
 * mistake; values that travel back to the server (input values, action data, choice values) stay
 * plain strings and are never escaped. `renderCard` turns each `Shown` into its string.
 */
export class Shown {
  private constructor(readonly value: string) {}
  /** Only this module makes them: see text, md, trusted, joinShown. */
  static make(value: string): Shown {
    return new Shown(value);
  }
  toString(): string {
    return this.value;
  }
  get isEmpty(): boolean {
    return this.value === "";
  }
}

export const text = (s: string): Shown => Shown.make(escapeMarkdown(s));

export const NO_TEXT = Shown.make("");

/** A plain value escaped where it sits: spaces around it are kept (escaping a whole text drops a line's leading spaces). */
function escapeInline(v: string): string {
  const lead = /^ */.exec(v)![0];
  const trail = / *$/.exec(v.slice(lead.length))![0];
  return lead + escapeMarkdown(v.slice(lead.length, v.length - trail.length)) + trail;
}

const piece = (v: string | number | Shown): string =>
  v instanceof Shown ? v.value : typeof v === "number" ? v.toLocaleString("en-GB") : escapeInline(v);

export function md(strings: TemplateStringsArray, ...values: Array<string | number | Shown>): Shown {
  let out = strings[0];
  values.forEach((v, i) => {
    out += piece(v) + strings[i + 1];
  });
  return Shown.make(out);
}

/** The bot's own markdown held in a constant (never anything a person typed). */
export const trusted = (s: string): Shown => Shown.make(s);

/** Joins parts, escaping the plain strings among them. */
export function joinShown(parts: Array<Shown | string>, separator: string): Shown {
  return Shown.make(parts.map((p) => piece(p)).join(separator));
}

/** A view with every Shown replaced by its string: what the templates bind. */
export function unwrapShown(value: unknown): unknown {
  if (value instanceof Shown) return value.value;
  if (Array.isArray(value)) return value.map(unwrapShown);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = unwrapShown(v);
    return out;
  }
  return value;
}

/** What a person reads, for a terminal: the escaping backslashes and paragraph breaks removed. */
export function plainText(s: Shown | string): string {
  return String(s).replace(/\\([\\`*_{}[\]()#+\-.!~>|=])/g, "$1").replace(/\n\n/g, "\n");
}
