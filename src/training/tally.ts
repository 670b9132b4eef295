import type { Answers } from "./questions";

/**
 * A session's running totals of its evaluation answers: counts and sums, and a few consented
 * quotes. Kept up to date as each answer is stored (src/storage/evaluationsRepo.ts), so the
 * digest reads one row per session instead of every answer. Pure: no I/O.
 *
 * A change of answer moves the totals by (new - old), so answering again never counts twice; each
 * change carries an operation id, and the last OPS_KEPT ids are kept on the row so a change that
 * two writers try to apply (a retry, or a second save finishing the first one's work) lands once.
 */
export const OPS_KEPT = 256;
/** Quotes kept per session and evaluation kind: the digest shows at most three in all. */
export const QUOTES_KEPT = 3;
export const QUOTE_CHARS = 300;

export interface TallyQuote {
  /** A short hash of the answer's row key: which answer the quote came from, so a change can remove it. Never a name. */
  k: string;
  kind: "end" | "follow";
  t: string;
}

export interface SessionTally {
  sessionId: string;
  /** End-of-session answers and their sums (1-5 scales). */
  end: number;
  overall: number;
  trainer: number;
  materials: number;
  before: number;
  after: number;
  /** Follow-up answers, the sum of confidence then, and how many say their practice changed (yes / partly). */
  follow: number;
  confidenceNow: number;
  changedYes: number;
  changedPartly: number;
  quotes: TallyQuote[];
  /** Ids of the most recent changes applied, newest last. */
  ops: string[];
  /** True once every answer of the session is known to be counted (see EvaluationsRepo.ensureTally). */
  whole: boolean;
}

export const emptyTally = (sessionId: string): SessionTally => ({ sessionId, end: 0, overall: 0, trainer: 0, materials: 0, before: 0, after: 0, follow: 0, confidenceNow: 0, changedYes: 0, changedPartly: 0, quotes: [], ops: [], whole: false });

type Counts = Omit<SessionTally, "sessionId" | "quotes" | "ops" | "whole">;
const COUNT_FIELDS = ["end", "overall", "trainer", "materials", "before", "after", "follow", "confidenceNow", "changedYes", "changedPartly"] as const satisfies ReadonlyArray<keyof Counts>;

function contribution(a: Answers | undefined): Counts {
  const c: Counts = { end: 0, overall: 0, trainer: 0, materials: 0, before: 0, after: 0, follow: 0, confidenceNow: 0, changedYes: 0, changedPartly: 0 };
  if (a?.kind === "end") Object.assign(c, { end: 1, overall: a.overall, trainer: a.trainer, materials: a.materials, before: a.confidenceBefore, after: a.confidenceAfter });
  if (a?.kind === "follow") Object.assign(c, { follow: 1, confidenceNow: a.confidenceNow, changedYes: a.practiceChanged === "yes" ? 1 : 0, changedPartly: a.practiceChanged === "partly" ? 1 : 0 });
  return c;
}

/** E-mail addresses and phone-like numbers are taken out of a quote; the text is otherwise the author's. */
export function quoteText(raw: string): string {
  const t = raw
    .replace(/[^\s@]+@[^\s@]+\.[^\s@]+/g, "[e-mail removed]")
    .replace(/\+?\d[\d ()-]{8,}\d/g, "[number removed]")
    .replace(/\s+/g, " ")
    .trim();
  return t.length > QUOTE_CHARS ? `${t.slice(0, QUOTE_CHARS - 1)}…` : t;
}

/** The quote an answer offers: only when its author agreed. */
export function quoteOf(a: Answers | undefined): string {
  if (!a?.consentQuote) return "";
  return quoteText(a.kind === "end" ? a.doDifferently : a.practiceExample);
}

/**
 * The tally after one answer changed from `before` to `after` (either may be undefined: a first
 * answer, or none). Applying the same `op` twice changes nothing the second time.
 */
export function applyChange(t: SessionTally, change: { op: string; quoteKey: string; before?: Answers; after?: Answers }): SessionTally {
  if (t.ops.includes(change.op)) return t;
  const was = contribution(change.before);
  const now = contribution(change.after);
  const next: SessionTally = { ...t, quotes: t.quotes.filter((q) => q.k !== change.quoteKey), ops: [...t.ops, change.op].slice(-OPS_KEPT) };
  for (const f of COUNT_FIELDS) next[f] = Math.max(0, t[f] - was[f] + now[f]);
  const q = quoteOf(change.after);
  if (q && change.after && next.quotes.filter((x) => x.kind === change.after!.kind).length < QUOTES_KEPT) next.quotes.push({ k: change.quoteKey, kind: change.after.kind, t: q });
  return next;
}

/** The tally of a set of answers, counted from scratch (a one-off rebuild, tests and benches). */
export function tallyOf(sessionId: string, answers: ReadonlyArray<{ quoteKey: string; answers: Answers }>): SessionTally {
  let t = emptyTally(sessionId);
  for (const [i, a] of answers.entries()) t = applyChange(t, { op: `rebuild-${i}`, quoteKey: a.quoteKey, after: a.answers });
  return { ...t, ops: [], whole: true };
}
