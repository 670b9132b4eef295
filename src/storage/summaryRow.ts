import { z } from "zod/v4";

/**
 * The `summary` row of a return's partition: a compact copy of what reporting reads, kept in the
 * same transaction as the change it mirrors, so a digest reads one row per agency instead of
 * every answer and snapshot. Columns:
 *   i_<indicator>  the current answer: "<rating>|<action due>|<updated at>" (merged by each save)
 *   sub1           the first signed-off submission: {"<indicator>": ["<rating>", "<due>"]}
 *   subN, subNo    the latest signed-off submission and its number (merged by each approval)
 *   v              set by the backfill once every column was computed from the stored rows; a row
 *                  without it (written by saves only) is completed by the backfill before use
 * A save merges only its own indicator's column, so concurrent saves of different indicators
 * never overwrite each other and need no read of this row; saves of the same indicator are
 * already serialised by the answer's ETag in the same transaction.
 */
export const SUMMARY_ROW = "summary";
export const SUMMARY_VERSION = 1;

export interface CurrentCell {
  rating: string;
  actionDue: string;
  updatedAt: string;
}

export interface SubmittedCell {
  rating: string;
  actionDue: string;
}

export interface DecodedSummary {
  complete: boolean;
  current: Map<string, CurrentCell>;
  first?: Map<string, SubmittedCell>;
  latest?: Map<string, SubmittedCell>;
  latestNumber: number;
  /** Actions closed and panel actions (see the action cells below); absent in rows decoded by older code paths. */
  actions?: SummaryActions;
  /** Moderated ratings a challenge panel gave, by indicator (see moderatedCell). */
  moderated?: Map<string, string>;
}

/** Indicator ids are [A-Za-z0-9._-]; property names allow letters, digits and underscores only. */
export function cellName(indicatorId: string): string {
  return "i_" + indicatorId.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function indicatorOfCell(name: string): string | undefined {
  if (!name.startsWith("i_")) return undefined;
  return name.slice(2).replace(/_([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The column a save merges into the summary row. */
export function answerCell(indicatorId: string, a: { rating: string; actionDue: string }, updatedAt: string): Record<string, string> {
  return { [cellName(indicatorId)]: `${a.rating}|${a.actionDue}|${updatedAt}` };
}

const submitted = (answers: Iterable<{ indicatorId: string; rating: string; actionDue: string }>) => JSON.stringify(Object.fromEntries([...answers].map((a) => [a.indicatorId, [a.rating, a.actionDue]])));

/** The columns an approval merges: submission `number` as signed; the first one is kept for good. */
export function submissionCells(number: number, answers: Iterable<{ indicatorId: string; rating: string; actionDue: string }>): Record<string, string | number> {
  const json = submitted(answers);
  return { subN: json, subNo: number, ...(number === 1 ? { sub1: json } : {}) };
}

/** Every column, computed from the stored rows by the backfill. */
export function fullSummary(
  answers: Iterable<{ indicatorId: string; rating: string; actionDue: string; updatedAt: string }>,
  first: Iterable<{ indicatorId: string; rating: string; actionDue: string }> | undefined,
  latest: { number: number; answers: Iterable<{ indicatorId: string; rating: string; actionDue: string }> } | undefined,
): Record<string, string | number> {
  const out: Record<string, string | number> = { v: SUMMARY_VERSION };
  for (const a of answers) Object.assign(out, answerCell(a.indicatorId, a, a.updatedAt));
  if (first) out.sub1 = submitted(first);
  if (latest) Object.assign(out, { subN: submitted(latest.answers), subNo: latest.number });
  return out;
}

const submittedSchema = z.record(z.string(), z.tuple([z.string(), z.string()]));

function parseSubmitted(v: unknown): Map<string, SubmittedCell> | undefined {
  if (typeof v !== "string" || !v) return undefined;
  try {
    const parsed = submittedSchema.safeParse(JSON.parse(v));
    return parsed.success ? new Map(Object.entries(parsed.data).map(([id, [rating, actionDue]]) => [id, { rating, actionDue }])) : undefined;
  } catch {
    return undefined;
  }
}

export function decodeSummary(e: Record<string, unknown>): DecodedSummary {
  const current = new Map<string, CurrentCell>();
  for (const [k, v] of Object.entries(e)) {
    const id = indicatorOfCell(k);
    if (!id || typeof v !== "string") continue;
    const [rating = "", actionDue = "", ...rest] = v.split("|");
    current.set(id, { rating, actionDue, updatedAt: rest.join("|") });
  }
  const latestNumber = typeof e.subNo === "number" ? e.subNo : 0;
  return { complete: e.v === SUMMARY_VERSION, current, first: parseSubmitted(e.sub1), latest: latestNumber ? parseSubmitted(e.subN) : undefined, latestNumber, actions: decodeSummaryActions(e), moderated: decodeModerated(e) };
}

/**
 * Action cells (docs/actions.md), merged by the transaction that changes the action:
 *   x_<indicator>  the self-assessment action closed: "<the due date it had>|<closed at>"
 *   pa_<action>    a panel's action: "<indicator>|<due>|<open or done>"
 * Property names take letters, digits and underscores only, so ids are encoded as in cellName.
 */
const encodeId = (id: string) => id.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
const decodeId = (s: string) => s.replace(/_([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

export function actionDoneCell(indicatorId: string, due: string, at: string): Record<string, string> {
  return { [`x_${encodeId(indicatorId)}`]: `${due}|${at}` };
}

export function panelActionCell(actionId: string, a: { indicatorId: string; due: string; status: "open" | "done" }): Record<string, string> {
  return { [`pa_${encodeId(actionId)}`]: `${a.indicatorId}|${a.due}|${a.status}` };
}

export interface SummaryActions {
  /** Self-assessment actions closed: indicator -> the due date they were closed for. */
  selfDone: Map<string, string>;
  panel: Array<{ actionId: string; indicatorId: string; due: string; status: "open" | "done" }>;
}

/** The action cells of a summary row (an absent cell: nothing closed, no panel action). */
export function decodeSummaryActions(e: Record<string, unknown>): SummaryActions {
  const selfDone = new Map<string, string>();
  const panel: SummaryActions["panel"] = [];
  for (const [k, v] of Object.entries(e)) {
    if (typeof v !== "string") continue;
    if (k.startsWith("x_")) selfDone.set(decodeId(k.slice(2)), v.split("|")[0] ?? "");
    else if (k.startsWith("pa_")) {
      const [indicatorId = "", due = "", status = ""] = v.split("|");
      panel.push({ actionId: decodeId(k.slice(3)), indicatorId, due, status: status === "done" ? "done" : "open" });
    }
  }
  return { selfDone, panel };
}

/** m_<indicator>: the moderated rating a challenge panel gave, "<rating>|<panel id>|<at>" (docs/panels.md). */
export function moderatedCell(indicatorId: string, rating: string, panelId: string, at: string): Record<string, string> {
  return { [`m_${encodeId(indicatorId)}`]: `${rating}|${panelId}|${at}` };
}

function decodeModerated(e: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(e)) if (k.startsWith("m_") && typeof v === "string") out.set(decodeId(k.slice(2)), v.split("|")[0] ?? "");
  return out;
}

/**
 * The action and moderated-rating cells again, for a backfill that rewrites the whole row: they
 * are not answers, so they are not recomputed from answers, only carried over as read.
 */
export function actionCells(a: SummaryActions | undefined, moderated?: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [indicatorId, rating] of moderated ?? []) Object.assign(out, moderatedCell(indicatorId, rating, "", ""));
  if (!a) return out;
  for (const [indicatorId, due] of a.selfDone) Object.assign(out, actionDoneCell(indicatorId, due, ""));
  for (const p of a.panel) Object.assign(out, panelActionCell(p.actionId, p));
  return out;
}
