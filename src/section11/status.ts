import type { LoadedReturn, ReturnHeader, StoredAnswer } from "../storage/returnsRepo";
import { isComplete, missingForCompletion, type Rating } from "./answer";
import type { TemplateIndex } from "./template";

/** Pure rules over a loaded return: progress, status as the user sees it, counts per standard. */

export type DisplayStatus = "not_started" | "draft" | "sent_back" | "awaiting_signoff" | "changed_after_request" | "submitted" | "updated";

export const STATUS_LABELS: Record<DisplayStatus, string> = {
  not_started: "Not started",
  draft: "Draft",
  sent_back: "Sent back by the senior officer",
  awaiting_signoff: "Awaiting sign-off",
  changed_after_request: "Changed after sign-off was requested: send it again",
  submitted: "Submitted",
  updated: "Updated since submission",
};

export const STATUS_COLORS: Record<DisplayStatus, "good" | "warning" | "attention" | "default"> = {
  not_started: "default",
  draft: "warning",
  sent_back: "attention",
  awaiting_signoff: "warning",
  changed_after_request: "attention",
  submitted: "good",
  updated: "warning",
};

export function displayStatus(header: ReturnHeader, answers: Iterable<StoredAnswer>): DisplayStatus {
  const list = [...answers];
  // Saves do not touch the header (one write per save), so "changed since the request" is derived here.
  if (header.status === "awaiting_signoff") return list.some((a) => a.updatedAt > (header.signoffRequestedAt ?? "")) ? "changed_after_request" : "awaiting_signoff";
  if (header.status === "submitted") {
    const since = header.lastSubmittedAt ?? "";
    return list.some((a) => a.updatedAt > since) ? "updated" : "submitted";
  }
  if (header.sentBackAt && !list.some((a) => a.updatedAt > header.sentBackAt!)) return "sent_back";
  return list.some((a) => a.updatedAt) ? "draft" : "not_started";
}

export interface StandardCounts {
  fully: number;
  partially: number;
  not: number;
  na: number;
  missing: number;
  total: number;
}

export function countsByStandard(index: TemplateIndex, answers: Map<string, StoredAnswer>): StandardCounts[] {
  return index.template.standards.map((s) => {
    const c: StandardCounts = { fully: 0, partially: 0, not: 0, na: 0, missing: 0, total: s.indicators.length };
    for (const i of s.indicators) {
      const a = answers.get(i.id);
      if (!a || !isComplete(a)) c.missing++;
      else c[a.rating as Rating]++;
    }
    return c;
  });
}

export function progress(index: TemplateIndex, answers: Map<string, StoredAnswer>): { answered: number; total: number } {
  let answered = 0;
  for (const ref of index.ordered) {
    const a = answers.get(ref.indicator.id);
    if (a && isComplete(a)) answered++;
  }
  return { answered, total: index.size };
}

export function incompleteIndicators(index: TemplateIndex, answers: Map<string, StoredAnswer>) {
  return index.ordered.filter((ref) => {
    const a = answers.get(ref.indicator.id);
    return !a || missingForCompletion(a).length > 0;
  });
}

/** Where a person left off: after the last answer they saved, else the first unanswered indicator. */
export function resumePoint(index: TemplateIndex, loaded: LoadedReturn, actorKey: string): string {
  let latest: StoredAnswer | undefined;
  for (const a of loaded.answers.values()) {
    if (a.updatedByKey === actorKey && (!latest || a.updatedAt > latest.updatedAt)) latest = a;
  }
  if (latest) {
    const after = index.next(latest.indicatorId);
    if (!isComplete(latest)) return latest.indicatorId;
    if (after) return after.indicator.id;
  }
  const firstMissing = incompleteIndicators(index, loaded.answers)[0];
  return (firstMissing ?? index.ordered[0]).indicator.id;
}

/** The seed partnership's headline: an agency "fully meets the majority" when more than half its applicable indicators are fully met. */
export function fullyMeetsMajority(answers: Iterable<{ rating?: Rating | "" }>): boolean {
  let applicable = 0;
  let fully = 0;
  for (const a of answers) {
    if (!a.rating || a.rating === "na") continue;
    applicable++;
    if (a.rating === "fully") fully++;
  }
  return applicable > 0 && fully * 2 > applicable;
}

export function daysLeftText(deadline: string, today: string): string {
  const days = Math.round((Date.parse(`${deadline}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (Number.isNaN(days)) return "";
  if (days > 1) return `${days} days left`;
  if (days === 1) return "1 day left";
  if (days === 0) return "due today";
  return `${-days} day${days === -1 ? "" : "s"} overdue`;
}
