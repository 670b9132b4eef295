import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Template } from "adaptivecards-templating";
import { escapeMarkdown } from "./escape";
import type { CardName, CardViews, ChoiceView } from "./views";

/**
 * Binds the typed view models of ./views to the Adaptive Card templates in cards/*.json.
 *
 * Before binding, a deep copy of the view has markdown escaped in every string the card shows as
 * text. Strings the card does not show as markdown stay exactly as they are:
 * - the card's input values (what the user typed must come back unchanged when the card is redrawn),
 * - anything under a `data` object, and `verb`, `etag`, `returnId`, `indicatorId` (sent back to the server),
 * - choices (`...Choices` arrays: values are sent back, titles are plain text in pickers),
 * - action titles (buttons are plain text) and the enum-like `kind`, `style`, `color`, `statusColor`.
 * Where a card also shows such a value as text, the template reads an escaped copy instead:
 * `asText.<inputId>` for input values (a read-only answer, a decided sign-off comment) and
 * `<action>.titleText` for an action's title (the "Open ›" cue of a tappable row).
 */

export const CARD_NAMES = [
  "welcome",
  "help",
  "overview",
  "indicatorStep",
  "review",
  "signoffRequest",
  "message",
  "adminMenu",
  "cycleForm",
  "agencyForm",
  "assignForm",
  "status",
  "importReport",
] as const satisfies readonly CardName[];

// Compile-time check that CARD_NAMES lists every card of CardViews.
type MissingCardNames = Exclude<CardName, (typeof CARD_NAMES)[number]>;
const _allCardNamesListed: MissingCardNames extends never ? true : never = true;
void _allCardNamesListed;

/** Teams accepts messages of about 100 KB; cards are kept well under that. UTF-8 bytes of JSON.stringify. */
export const CARD_SIZE_LIMIT = 28 * 1024;

export class CardTooLargeError extends Error {
  constructor(
    readonly cardName: CardName,
    readonly bytes: number,
    readonly limit: number = CARD_SIZE_LIMIT,
  ) {
    super(`Card "${cardName}" is ${bytes} bytes once bound; the limit is ${limit} bytes.`);
    this.name = "CardTooLargeError";
  }
}

interface CardSpec {
  /** Top-level keys bound to input values: kept raw; an escaped copy is offered as asText.<key>. */
  inputs: readonly string[];
  /** Inputs whose value is a yyyy-mm-dd date (Input.Date): anything else is bound as "". */
  dates?: readonly string[];
  /** ChoiceSet inputs: asText.<input> shows the chosen choice's title instead of its value. */
  choiceTitles?: Readonly<Record<string, string>>;
}

const SPECS: { readonly [N in CardName]: CardSpec } = {
  welcome: { inputs: [] },
  help: { inputs: [] },
  overview: { inputs: [] },
  indicatorStep: {
    inputs: ["rating", "evidence", "naReason", "actionText", "actionOwner", "actionDue"],
    dates: ["actionDue"],
    choiceTitles: { rating: "ratingChoices" },
  },
  review: { inputs: ["substituteContact"] },
  signoffRequest: { inputs: ["comment"] },
  message: { inputs: [] },
  adminMenu: { inputs: [] },
  cycleForm: { inputs: ["name", "deadline", "partnerships", "templateId"], dates: ["deadline"] },
  agencyForm: { inputs: ["name", "sector", "partnerships", "tenantId"] },
  assignForm: { inputs: ["agencyId", "role", "email", "personName"] },
  status: { inputs: [] },
  importReport: { inputs: [] },
};

/** Keys kept raw wherever they appear: server round-trip values and enum-like values. */
const RAW_KEYS = new Set(["etag", "returnId", "indicatorId", "verb", "kind", "style", "color", "statusColor"]);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

type Path = readonly (string | number)[];

function isRawPath(spec: CardSpec, path: Path): boolean {
  const key = path[path.length - 1];
  if (path.length === 1 && spec.inputs.includes(String(key))) return true;
  if (typeof key === "string" && RAW_KEYS.has(key)) return true;
  if (path.some((p) => p === "data" || (typeof p === "string" && p.endsWith("Choices")))) return true;
  // An action's title: actions[i].title or <something>.open.title (OverviewStandardView, review's incomplete list).
  if (key === "title" && path.length >= 2) {
    const parent = path[path.length - 2];
    if (parent === "open") return true;
    if (typeof parent === "number" && path[path.length - 3] === "actions") return true;
  }
  return false;
}

/** An ActionView sits in an `actions` array or under an `open` key. */
function isActionPath(path: Path): boolean {
  const last = path[path.length - 1];
  return last === "open" || (typeof last === "number" && path[path.length - 2] === "actions");
}

function prepare(value: unknown, spec: CardSpec, path: Path): unknown {
  if (typeof value === "string") return isRawPath(spec, path) ? value : escapeMarkdown(value);
  if (Array.isArray(value)) return value.map((v, i) => prepare(v, spec, [...path, i]));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = prepare(v, spec, [...path, k]);
    }
    if (isActionPath(path) && typeof out.title === "string") out.titleText = escapeMarkdown(out.title);
    return out;
  }
  return value;
}

function buildRoot(name: CardName, view: object): Record<string, unknown> {
  const spec = SPECS[name];
  const root = prepare(view, spec, []) as Record<string, unknown>;
  // Renderers reject a choice without a title or a value: drop value-less choices, title the rest.
  for (const [key, value] of Object.entries(root)) {
    if (key.endsWith("Choices") && Array.isArray(value)) {
      root[key] = (value as ChoiceView[]).filter((c) => c.value !== "").map((c) => (c.title === "" ? { ...c, title: c.value } : c));
    }
  }
  for (const key of spec.dates ?? []) {
    if (typeof root[key] === "string" && !ISO_DATE.test(root[key] as string)) root[key] = "";
  }
  const asText: Record<string, string> = {};
  for (const key of spec.inputs) {
    const raw = root[key];
    let shown = typeof raw === "string" ? raw : "";
    const choicesKey = spec.choiceTitles?.[key];
    if (choicesKey && shown) {
      const choices = root[choicesKey] as ChoiceView[] | undefined;
      shown = choices?.find((c) => c.value === shown)?.title ?? shown;
    }
    // A date input holds yyyy-mm-dd or nothing (see above): no markdown to escape, and no backslashes to show.
    asText[key] = spec.dates?.includes(key) ? shown : escapeMarkdown(shown);
  }
  root.asText = asText;
  return root;
}

// ---------------------------------------------------------------------------------------------
// Templates: cards/*.json at the repository root, loaded once.

/** Walks up from this file to the folder holding both cards/ and package.json (works from src/ and dist/). */
export function findCardsDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, "cards")) && existsSync(join(dir, "package.json"))) return join(dir, "cards");
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No cards/ folder next to a package.json above ${start}`);
    dir = parent;
  }
}

let templates: Map<string, Template> | undefined;

function loadTemplates(): Map<string, Template> {
  if (templates) return templates;
  const dir = findCardsDir();
  const loaded = new Map<string, Template>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const json: unknown = JSON.parse(readFileSync(join(dir, file), "utf8"));
    loaded.set(file.slice(0, -".json".length), new Template(json));
  }
  const missing = CARD_NAMES.filter((n) => !loaded.has(n));
  if (missing.length) throw new Error(`Card templates missing from ${dir}: ${missing.map((n) => `${n}.json`).join(", ")}`);
  templates = loaded;
  return loaded;
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

/** UTF-8 size in bytes of the card as it is sent (JSON.stringify, no whitespace). */
export function cardSize(card: object): number {
  return Buffer.byteLength(JSON.stringify(card), "utf8");
}

/**
 * Binds a view to its template. Throws CardTooLargeError when the bound card is over CARD_SIZE_LIMIT:
 * the caller should show fewer rows (views have "moreText" for that) rather than send it.
 */
export function renderCard<N extends CardName>(name: N, view: CardViews[N]): BoundCard {
  const template = loadTemplates().get(name);
  if (!template) throw new Error(`Unknown card template "${name}"`);
  const root = buildRoot(name, view);
  // JSON round trip: a plain tree that shares no objects with the view or the template. The size
  // is taken from the same text (before Submit verbs are dropped, so it can only over-count).
  const text = JSON.stringify(template.expand({ $root: root }));
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
