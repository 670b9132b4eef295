import type { ActionRow, ReturnActions } from "../storage/actionsRepo";
import type { TemplateIndex } from "../section11/template";
import { daysBetween } from "../time";

/**
 * The actions of a return as people see them (docs/actions.md). Pure: from the rows one query
 * reads (answers, action rows) and today's UK date.
 * - A self-assessment action is the action part of an answer rated partially or not met that has
 *   a due date. It is done once closed with evidence for that due date; a new due date on the
 *   answer is a new action, open again.
 * - A panel action is its own row, open until closed with evidence.
 * - Overdue: open, and its due date (a UK calendar date) is before today.
 */

export type ActionStatus = "open" | "overdue" | "done";
export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = { open: "Open", overdue: "Overdue", done: "Done" };

export const EVIDENCE_LIMIT = 2000;
/** The first reminder goes out this many days before the due date; the second on the day. */
export const REMIND_DAYS_BEFORE = 7;
/** A due-date reminder is not sent for an action more than this many days overdue (when reminders first start, or after an outage): the digest and the admin's list carry those. */
export const DUE_REMINDER_GRACE_DAYS = 7;

export interface ActionItem {
  returnId: string;
  cycleId: string;
  agencyId: string;
  agencyName: string;
  sector: string;
  actionId: string;
  source: "self" | "panel";
  indicatorId: string;
  /** -1 when the indicator is not in the template (an action on an indicator since removed). */
  standardIndex: number;
  text: string;
  owner: string;
  due: string;
  status: ActionStatus;
  evidence: string;
  closedAt: string;
  closedBy: string;
  /** The stored row, if any (a self action has one only once closed). */
  row?: ActionRow;
}

export const selfActionId = (indicatorId: string) => `s.${indicatorId}`;

export function statusOf(done: boolean, due: string, today: string): ActionStatus {
  if (done) return "done";
  return due && due < today ? "overdue" : "open";
}

export function actionsOfReturn(r: ReturnActions, index: TemplateIndex | undefined, today: string): ActionItem[] {
  const base = { returnId: r.partitionKey, cycleId: r.header.cycleId, agencyId: r.header.agencyId, agencyName: r.header.agencyName, sector: r.header.sector };
  const std = (id: string) => index?.get(id)?.standardIndex ?? -1;
  const out: ActionItem[] = [];
  for (const a of r.answers.values()) {
    if ((a.rating !== "partially" && a.rating !== "not") || !a.actionDue) continue;
    const actionId = selfActionId(a.indicatorId);
    const own = r.rows.get(actionId);
    // Closed in the cycle this answer was carried from, for the same due date: still done here.
    const carried = r.carriedClosures?.get(actionId);
    const row = own?.status === "done" && own.closedForDue === a.actionDue ? own : carried?.status === "done" && carried.closedForDue === a.actionDue ? carried : own;
    const done = row?.status === "done" && row.closedForDue === a.actionDue;
    // `row` is this return's own row (what a close here is conditional on), never the carried one.
    out.push({ ...base, actionId, source: "self", indicatorId: a.indicatorId, standardIndex: std(a.indicatorId), text: a.actionText, owner: a.actionOwner, due: a.actionDue, status: statusOf(done, a.actionDue, today), evidence: done ? row!.evidence : "", closedAt: done ? row!.closedAt : "", closedBy: done ? row!.closedBy : "", row: own });
  }
  for (const row of r.rows.values()) {
    if (row.source !== "panel") continue;
    out.push({ ...base, actionId: row.actionId, source: "panel", indicatorId: row.indicatorId, standardIndex: std(row.indicatorId), text: row.text, owner: row.owner, due: row.due, status: statusOf(row.status === "done", row.due, today), evidence: row.evidence, closedAt: row.closedAt, closedBy: row.closedBy, row });
  }
  return out.sort(byAgencyAndStandard(index));
}

/** By agency, then standard, then the indicator's place in the template, then due date. */
export const byAgencyAndStandard = (index?: TemplateIndex) => (a: ActionItem, b: ActionItem) =>
  a.agencyName.localeCompare(b.agencyName) || a.standardIndex - b.standardIndex || (index?.get(a.indicatorId)?.position ?? 0) - (index?.get(b.indicatorId)?.position ?? 0) || a.due.localeCompare(b.due) || a.actionId.localeCompare(b.actionId);

export type ReminderPoint = "before" | "due";

/** Which reminder is due today for an open action, if any. Each (action, due date, point) is sent once: the outbox batch is named for it. */
export function reminderDue(a: Pick<ActionItem, "status" | "due">, today: string): ReminderPoint | undefined {
  if (a.status === "done" || !a.due) return undefined;
  const days = daysBetween(today, a.due);
  if (Number.isNaN(days)) return undefined;
  if (days > 0 && days <= REMIND_DAYS_BEFORE) return "before";
  if (days <= 0 && days >= -DUE_REMINDER_GRACE_DAYS) return "due";
  return undefined;
}

/** The outbox batch of one reminder: one per action, due date and point, whichever process or run enqueues it. */
export const reminderBatchId = (returnId: string, actionId: string, due: string, point: ReminderPoint) => `act.remind|${returnId}|${actionId}|${due}|${point}`;
