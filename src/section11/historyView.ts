import { md, text, type Shown } from "../cards/text";
import type { HistoryEntry } from "../storage/returnsRepo";
import { formatDate, formatWhen } from "../time";
import type { HistoryView } from "./views";
import { RATING_LABELS, ratingOf } from "./answer";
import { S11_VERBS } from "./verbs";

const SHOWN = 15;
const EXCERPT = 240;

const excerpt = (s: string) => (s.length > EXCERPT ? `${s.slice(0, EXCERPT - 1)}…` : s);
const rating = (r: string) => {
  const known = ratingOf(r);
  return known ? RATING_LABELS[known] : "no rating";
};

/** What one saved change altered, against the change before it (or an empty answer). */
export function describeChange(before: HistoryEntry | undefined, after: HistoryEntry): Shown[] {
  const out: Shown[] = [];
  const b = before ?? { rating: "", evidence: "", naReason: "", actionText: "", actionOwner: "", actionDue: "" };
  if (b.rating !== after.rating) out.push(md`Rating: ${before ? rating(b.rating) : "none"} → ${rating(after.rating)}`);
  const textField = (label: string, from: string, to: string) => {
    if (from === to) return;
    if (!to) out.push(md`${label} removed`);
    else out.push(md`${label} ${from ? "changed to" : "added"}: "${excerpt(to)}"`);
  };
  textField("Evidence", b.evidence, after.evidence);
  textField("Why not applicable", b.naReason, after.naReason);
  textField("Action", b.actionText, after.actionText);
  textField("Action owner", b.actionOwner, after.actionOwner);
  if (b.actionDue !== after.actionDue) out.push(after.actionDue ? md`Due date ${b.actionDue ? `changed from ${formatDate(b.actionDue)} ` : ""}set to ${formatDate(after.actionDue)}` : md`Due date removed`);
  if (!out.length) out.push(md`Saved with no change`);
  return out;
}

/** The audit trail of one indicator, newest first. */
export function historyView(info: { agencyName: string; question: string; indicatorId: string; returnId: string }, entries: HistoryEntry[], back: { title: string; verb: string; data: Record<string, string> }): HistoryView {
  const changes = entries.map((e, i) => ({ when: text(formatWhen(e.at)), who: text(e.by || "Someone"), changes: describeChange(entries[i - 1], e) })).reverse();
  return {
    agencyName: text(info.agencyName),
    question: md`${info.indicatorId} ${info.question}`,
    entries: changes.slice(0, SHOWN),
    moreText: changes.length > SHOWN ? md`and ${changes.length - SHOWN} earlier changes (the agency export has all of them)` : changes.length ? text("") : md`No change has been saved yet.`,
    actions: [back, { title: "Back to the indicator", verb: S11_VERBS.step, data: { returnId: info.returnId, indicatorId: info.indicatorId } }],
  };
}
