import type { LoadedReturn, ReturnHeader, StoredAnswer } from "../storage/returnsRepo";
import type { TextColor } from "../cards/views";
import { answerOf, isComplete, missingForCompletion, type Rating } from "./answer";
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

export const STATUS_COLORS: Record<DisplayStatus, TextColor> = {
  not_started: "default",
  draft: "warning",
  sent_back: "attention",
  awaiting_signoff: "warning",
  changed_after_request: "attention",
  submitted: "good",
  updated: "warning",
};

/**
 * Saves do not touch the header (one write per save), so what happened since a request or a
 * submission is derived here from the answers' times. A save while sign-off is pending withdraws
 * the request: the officer can no longer approve it until the lead sends it again.
 */
export function displayStatus(header: ReturnHeader, answers: Iterable<StoredAnswer>): DisplayStatus {
  const list = [...answers];
  if (header.status === "awaiting_signoff") return list.some((a) => a.updatedAt > (header.signoffRequestedAt ?? "")) ? "changed_after_request" : "awaiting_signoff";
  if (header.status === "submitted") {
    const since = header.lastSubmittedAt ?? "";
    return list.some((a) => a.updatedAt > since) ? "updated" : "submitted";
  }
  if (header.sentBackAt && !list.some((a) => a.updatedAt > header.sentBackAt!)) return "sent_back";
  return list.some((a) => a.updatedAt) ? "draft" : "not_started";
}

export const isSubmittedStatus = (s: DisplayStatus) => s === "submitted" || s === "updated";

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
      const stored = answers.get(i.id);
      const a = stored ? answerOf(stored) : undefined;
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
    if (a && isComplete(answerOf(a))) answered++;
  }
  return { answered, total: index.size };
}

export function incompleteIndicators(index: TemplateIndex, answers: Map<string, StoredAnswer>) {
  return index.ordered.filter((ref) => {
    const a = answers.get(ref.indicator.id);
    return !a || missingForCompletion(answerOf(a)).length > 0;
  });
}

/** Where a person left off: after the last answer they saved, else the first unanswered indicator. */
export function resumePoint(index: TemplateIndex, loaded: LoadedReturn, actorKey: string): string {
  let latest: StoredAnswer | undefined;
  for (const a of loaded.answers.values()) {
    if (a.updatedByKey === actorKey && (!latest || a.updatedAt > latest.updatedAt)) latest = a;
  }
  if (latest && index.get(latest.indicatorId)) {
    const after = index.next(latest.indicatorId);
    if (!isComplete(answerOf(latest))) return latest.indicatorId;
    if (after) return after.indicator.id;
  }
  const firstMissing = incompleteIndicators(index, loaded.answers)[0];
  return (firstMissing ?? index.ordered[0]).indicator.id;
}

/** The seed partnership's headline: an agency "fully meets the majority" when more than half its applicable indicators are fully met. */
export function fullyMeetsMajority(answers: Iterable<{ rating?: Rating | "" | string }>): boolean {
  let applicable = 0;
  let fully = 0;
  for (const a of answers) {
    if (!a.rating || a.rating === "na") continue;
    applicable++;
    if (a.rating === "fully") fully++;
  }
  return applicable > 0 && fully * 2 > applicable;
}
