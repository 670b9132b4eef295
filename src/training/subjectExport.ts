import type { Answers } from "./questions";
import { questionsFor } from "./questions";
import { reachOf } from "./reach";
import type { SubjectMessage, SubjectRecords } from "./subject";
import { EVALUATION_LABELS, type Session } from "./types";
import { formatSessionDay, formatSessionTime } from "./ukTime";

/**
 * A subject access copy of what the training feature holds about one person, as one table:
 * what kind of record, which session, what, and its value. Pure: no I/O. Only their own data:
 * their bookings, completion records, the messages sent to them and their answers; where they
 * are someone's manager, only how many such bookings there are and the messages sent to them,
 * never their staff's names (other people's data).
 */
export const SUBJECT_HEADER = ["Record", "Session", "Item", "Value"] as const;

const sessionLabel = (s: Session) => `${s.courseTitle}, ${formatSessionDay(s.startsAt)}`;
const when = (iso: string | undefined) => (iso && !Number.isNaN(Date.parse(iso)) ? formatSessionTime(iso) : "");
const SOURCES: Record<string, string> = { csv: "a CSV file of delegates", form: "the training officer's form", roster: "a Teams chat's members", demo: "demo data" };

function answerRows(a: Answers, outcomes: readonly string[]): Array<[string, string]> {
  const values: Record<string, unknown> = a.kind === "end" ? { ...a, ...Object.fromEntries(a.outcomes.map((o, i) => [`outcome${i + 1}`, o])) } : { ...a };
  return questionsFor(a.kind, outcomes).map((q) => {
    const v = values[q.id];
    const shown = typeof v === "boolean" ? (v ? "yes" : "no") : v === undefined ? "" : String(v);
    const label = q.type === "choice" ? q.choices.find((c) => c.value === shown)?.label ?? shown : shown;
    return [q.label, label];
  });
}

function messageRow(m: SubjectMessage): string[] {
  const what = m.round === "escalation" ? `Message to you as a manager about your staff's ${EVALUATION_LABELS[m.kind]}` : `${m.round === "reminder" ? "Reminder" : "Request"}: ${EVALUATION_LABELS[m.kind]}`;
  const sent = m.row.sentAt ? `, ${when(m.row.sentAt)}` : `, queued ${when(m.row.createdAt)}`;
  return ["Message sent to you", sessionLabel(m.session), what, `${reachOf(m.row).text}${sent}`];
}

export function subjectRows(r: SubjectRecords, outcomesOf: (courseId: string) => readonly string[]): string[][] {
  const rows: string[][] = [];
  for (const { session, delegate: x } of r.bookings) {
    const s = sessionLabel(session);
    const add = (item: string, value: string) => rows.push(["Booking", s, item, value]);
    add("Name", x.name);
    add("E-mail", x.email);
    add("Agency", x.agency);
    add("Manager's name", x.managerName);
    add("Manager's e-mail", x.managerEmail);
    if (x.tenantId && x.aadObjectId) add("Microsoft 365 identity (organisation id : user id)", `${x.tenantId} : ${x.aadObjectId}`);
    add("Booked", `${when(x.addedAt)} by ${x.addedBy || "the training officer"}, from ${SOURCES[x.source] ?? x.source}`);
    add("Attended", x.attended ? "yes" : "no (marked as not attending)");
    rows.push(["Completion record", s, `Answered the ${EVALUATION_LABELS.end}`, x.endAnsweredAt ? when(x.endAnsweredAt) : "no"]);
    if (session.followSentAt || x.followAnsweredAt) rows.push(["Completion record", s, `Answered the ${EVALUATION_LABELS.follow}`, x.followAnsweredAt ? when(x.followAnsweredAt) : "no"]);
  }
  for (const m of r.messages) rows.push(messageRow(m));
  for (const a of r.answers) {
    const s = sessionLabel(a.session);
    const head = a.kind === "end" ? "End-of-session" : "Follow-up";
    if (!a.stored) {
      rows.push([`Answer (${head})`, s, "Your answer", "being erased"]);
      continue;
    }
    rows.push([`Answer (${head})`, s, "Stored under the code (pseudonym)", a.pseudonym]);
    for (const [item, value] of answerRows(a.stored.answers, outcomesOf(a.session.courseId))) rows.push([`Answer (${head})`, s, item, value]);
  }
  if (r.managed.length) {
    const sessions = new Set(r.managed.map((m) => m.session.sessionId)).size;
    rows.push(["As a manager", "", "Bookings naming you as a delegate's manager (name and e-mail)", `${r.managed.length} in ${sessions} session${sessions === 1 ? "" : "s"}`]);
    rows.push(["As a manager", "", "Messages sent to you about your staff's outstanding evaluations", `you were sent ${r.escalations.length}`]);
  }
  for (const m of r.escalations) rows.push(messageRow(m));
  return rows;
}
