import { createHash } from "node:crypto";
import { z } from "zod/v4";
import { agencyIdFor, SECTORS, SECTOR_LABELS, type Sector } from "../storage/agenciesRepo";
import { formatDate, isRealDate } from "../time";

/**
 * Field rules shared by the admin forms and the CSV import, so a value accepted in one is
 * accepted in the other and every problem is worded the same way. Pure: no I/O.
 */

export const FIELD_LIMITS = {
  cycleName: { min: 3, max: 80 },
  agencyName: { min: 2, max: 120 },
  partnership: 60,
  cyclePartnerships: 4,
  agencyPartnerships: 2,
  personName: 120,
  email: 254,
} as const;

const n = (x: number) => x.toLocaleString("en-GB");

/**
 * One line of text as a person meant it: control characters and line breaks become spaces,
 * bidirectional overrides (used to disguise text) are removed, runs of spaces collapse and the
 * ends are trimmed. Everything else (quotes, markdown characters, emoji, any script) is kept as
 * typed: card templates show these strings as text, and storage keys never contain them.
 */
export function cleanLine(v: unknown): string {
  if (typeof v === "number" && Number.isFinite(v)) v = String(v);
  if (typeof v !== "string") return "";
  return v
    .replace(/[\u202a-\u202e\u2066-\u2069]/g, "")
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

const quoted = (s: string, max = 60) => `"${s.length > max ? s.slice(0, max - 1) + "…" : s}"`;

export interface Field<T> {
  value: T;
  /** What to show back in the form: what was typed, cut to the limit. */
  shown: string;
  problems: string[];
}

/** A required or optional single-line text with length bounds. */
export function textField(raw: unknown, label: string, limits: { min?: number; max: number }): Field<string> {
  const v = cleanLine(raw);
  const problems: string[] = [];
  let shown = v;
  if (!v) {
    if (limits.min) problems.push(`${label} is missing.`);
  } else if (v.length > limits.max) {
    problems.push(`${label} is ${n(v.length)} characters; the limit is ${n(limits.max)}. We kept the first ${n(limits.max)}: shorten it and send again.`);
    shown = v.slice(0, limits.max);
  } else if (limits.min && v.length < limits.min) {
    problems.push(`${label} needs at least ${limits.min} characters.`);
  }
  return { value: v, shown, problems };
}

export function sectorOf(raw: unknown): Sector | undefined {
  const v = cleanLine(raw).toLowerCase();
  if (!v) return undefined;
  const asId = v.replace(/[\s-]+/g, "_");
  if ((SECTORS as readonly string[]).includes(asId)) return asId as Sector;
  return SECTORS.find((s) => SECTOR_LABELS[s].toLowerCase() === v);
}

export const SECTOR_LIST = SECTORS.join(", ");

export function sectorField(raw: unknown, label = "The sector"): Field<Sector | undefined> {
  const v = cleanLine(raw);
  if (!v) return { value: undefined, shown: "", problems: [`${label} is missing: choose one of ${SECTOR_LIST}.`] };
  const s = sectorOf(v);
  if (!s) return { value: undefined, shown: "", problems: [`Unknown sector ${quoted(v, 40)}: use one of ${SECTOR_LIST}.`] };
  return { value: s, shown: s, problems: [] };
}

/**
 * Partnership names, separated by `separator` (commas in forms, semicolons in the CSV).
 * A name that matches a known partnership ignoring case takes the known spelling, so
 * "westmere" and "Westmere" are one partnership (cycles match agencies by exact name).
 */
export function partnershipsField(raw: unknown, opts: { separator: "," | ";"; max: number; known?: Iterable<string>; label?: string }): Field<string[]> {
  const label = opts.label ?? "Partnerships";
  const typed = typeof raw === "string" ? raw : "";
  const known = new Map<string, string>();
  for (const k of opts.known ?? []) known.set(k.toLowerCase(), k);
  const names: string[] = [];
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const part of typed.split(opts.separator)) {
    const p = cleanLine(part);
    if (!p) continue;
    if (p.length > FIELD_LIMITS.partnership) {
      problems.push(`The partnership name ${quoted(p)} is ${n(p.length)} characters; the limit is ${FIELD_LIMITS.partnership}.`);
      continue;
    }
    const canonical = known.get(p.toLowerCase()) ?? p;
    if (seen.has(canonical.toLowerCase())) continue;
    seen.add(canonical.toLowerCase());
    names.push(canonical);
  }
  const sep = opts.separator === "," ? "commas" : "semicolons";
  const knownText = known.size ? ` (known: ${[...known.values()].join(", ")})` : "";
  if (!names.length && !problems.length) problems.push(`${label}: name at least one partnership${opts.max > 1 ? `, separated by ${sep}` : ""}${knownText}.`);
  if (names.length > opts.max) problems.push(`${label}: at most ${opts.max} partnerships (you gave ${names.length}).`);
  return { value: names, shown: cleanLine(typed).slice(0, 300), problems };
}

const emailSchema = z.email();

/** An e-mail address; empty is allowed only when `optional`. */
export function emailField(raw: unknown, label: string, optional = false): Field<string> {
  const v = cleanLine(raw);
  if (!v) return { value: "", shown: "", problems: optional ? [] : [`${label} is missing.`] };
  if (v.length > FIELD_LIMITS.email) return { value: v, shown: v.slice(0, FIELD_LIMITS.email), problems: [`${label} is ${n(v.length)} characters; an e-mail address has at most ${FIELD_LIMITS.email}.`] };
  if (!emailSchema.safeParse(v).success) return { value: v, shown: v, problems: [`${quoted(v)} is not a valid e-mail address${label.startsWith("The ") ? "" : ` (${label})`}.`] };
  return { value: v, shown: v, problems: [] };
}

/** An ISO date that is today or later and within five years. */
export function deadlineField(raw: unknown, today: string): Field<string> {
  const v = cleanLine(raw).slice(0, 10);
  if (!v) return { value: "", shown: "", problems: ["The deadline is missing: pick a date."] };
  if (!isRealDate(v)) return { value: v, shown: v, problems: [`The deadline ${quoted(v)} is not a real date: pick it from the calendar (yyyy-mm-dd).`] };
  if (v < today) return { value: v, shown: v, problems: [`The deadline ${formatDate(v)} is in the past: choose today or a later date.`] };
  const limit = `${Number(today.slice(0, 4)) + 5}${today.slice(4)}`;
  if (v > limit) return { value: v, shown: v, problems: [`The deadline ${formatDate(v)} is more than five years away: check the year.`] };
  return { value: v, shown: v, problems: [] };
}

/**
 * The stable id of an agency or cycle, from its name: the readable slug of `agencyIdFor`, plus a
 * short hash when the name has letters the slug cannot show (other scripts, emoji only), so
 * "Служба" and "家庭" do not both become "agency". The same name always gives the same id, which
 * is what makes registering twice collide instead of duplicating.
 */
export function idForName(name: string, kind: "agency" | "cycle" = "agency"): string {
  const cleaned = cleanLine(name);
  const slug = agencyIdFor(cleaned);
  const folded = cleaned.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
  const lost = /[^\x00-\x7f]/.test(folded.replace(/[\u2018\u2019\u201c\u201d\u2013\u2014\u00a0]/g, ""));
  const empty = !/[a-z0-9]/i.test(folded);
  if (!lost && !empty) return slug;
  const hash = createHash("sha256").update(cleaned.toLowerCase()).digest("hex").slice(0, 8);
  return empty ? `${kind}-${hash}` : `${slug}-${hash}`;
}

/** Card data is untrusted: an agency id must look like one of ours before it reaches a storage key. */
export const AGENCY_ID = /^[a-z0-9][a-z0-9-]{0,79}$/;

/** An optional Microsoft 365 tenant id (a GUID), as shown in the Entra admin centre. */
export function tenantField(raw: unknown, label = "The tenant id"): { value: string; shown: string; problems: string[] } {
  const shown = cleanLine(raw).slice(0, 100);
  if (!shown) return { value: "", shown, problems: [] };
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(shown)
    ? { value: shown.toLowerCase(), shown, problems: [] }
    : { value: "", shown, problems: [`${label} "${shown.slice(0, 40)}" is not a tenant id: it looks like 00000000-0000-0000-0000-000000000000 (Entra admin centre, Overview). Leave it empty if you don't know it.`] };
}
