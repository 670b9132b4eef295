import { createHash } from "node:crypto";
import { mapPool } from "../admin/pool";
import type { DeliveryRow } from "../delivery/types";
import { normaliseEmail } from "../storage/peopleRepo";
import type { StoredAnswer } from "../storage/evaluationsRepo";
import type { TrainingDeps } from "./deps";
import { EVALUATION_KINDS, type Delegate, type EvaluationKind, type Session } from "./types";
import { batchId, type Round } from "./verbs";

/**
 * Everything the training feature stores about one person, found by their e-mail address: for a
 * subject access request and for erasure. Reads only.
 *
 * - bookings: their delegate rows (name, e-mail, agency, manager, attendance, completion record),
 *   matched by address or by the delegate id the address gives;
 * - answers: found through the pseudonym the bot computes from their delegate id and the course
 *   (the bot holds the key; nobody reading the answers table can do this);
 * - messages: their evaluation requests and reminders, from the outbox rows naming their id;
 * - as a manager: other people's rows naming them as manager, and the messages sent to them about
 *   their staff (counted, never naming the staff in what the person is given).
 *
 * Erasure deletes in the reverse order of how things are found here (answers, then messages, then
 * the manager's name on others' rows, then the bookings), so a crash part-way leaves the rows
 * that lead to what is left, and asking again finds and finishes it.
 */
export interface SubjectBooking {
  session: Session;
  delegate: Delegate;
}

export interface SubjectAnswer {
  session: Session;
  kind: EvaluationKind;
  delegateId: string;
  pseudonym: string;
  /** Undefined while an erasure of it is under way (the row is blank until it is deleted). */
  stored?: StoredAnswer;
}

export interface SubjectMessage {
  session: Session;
  kind: EvaluationKind;
  round: Round;
  row: DeliveryRow;
}

export interface SubjectRecords {
  /** As stored: trimmed, lower case. */
  email: string;
  bookings: SubjectBooking[];
  answers: SubjectAnswer[];
  messages: SubjectMessage[];
  /** Other people's bookings that name this person as their manager. */
  managed: SubjectBooking[];
  /** Messages sent to this person as a manager about their staff's outstanding evaluations. */
  escalations: SubjectMessage[];
}

export const isEmpty = (r: SubjectRecords) => !r.bookings.length && !r.answers.length && !r.messages.length && !r.managed.length && !r.escalations.length;

export async function gatherSubject(d: Pick<TrainingDeps, "repo" | "answers" | "outbox" | "keys">, rawEmail: string): Promise<SubjectRecords> {
  const email = normaliseEmail(rawEmail);
  const idFromEmail = d.keys.delegateId({ email });
  const sessions = (await d.repo.listSessions()).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  const perSession = await mapPool(sessions, 8, async (session) => {
    const delegates = await d.repo.listDelegates(session.sessionId);
    const own = delegates.filter((x) => x.delegateId === idFromEmail || (x.email && normaliseEmail(x.email) === email));
    const managed = delegates.filter((x) => !own.includes(x) && x.managerEmail && normaliseEmail(x.managerEmail) === email);
    const ids = new Set(own.map((x) => x.delegateId));
    const answers: SubjectAnswer[] = [];
    const messages: SubjectMessage[] = [];
    const escalations: SubjectMessage[] = [];
    for (const kind of EVALUATION_KINDS) {
      for (const delegateId of ids) {
        const pseudonym = d.keys.pseudonym(delegateId, session.courseId);
        const found = await d.answers.find(session.sessionId, kind, pseudonym);
        if (found) answers.push({ session, kind, delegateId, pseudonym, stored: found.stored });
      }
      if (ids.size) {
        for (const round of ["request", "reminder"] as const) {
          for (const row of (await d.outbox.batchStatus(batchId(session.sessionId, kind, round))).rows) if (ids.has(String(row.params.delegateId ?? ""))) messages.push({ session, kind, round, row });
        }
      }
      if (managed.length) {
        for (const row of (await d.outbox.batchStatus(batchId(session.sessionId, kind, "escalation"))).rows) if (normaliseEmail(String(row.params.managerEmail ?? "")) === email) escalations.push({ session, kind, round: "escalation", row });
      }
    }
    return { bookings: own.map((delegate) => ({ session, delegate })), managed: managed.map((delegate) => ({ session, delegate })), answers, messages, escalations };
  });
  return {
    email,
    bookings: perSession.flatMap((p) => p.bookings),
    answers: perSession.flatMap((p) => p.answers),
    messages: perSession.flatMap((p) => p.messages),
    managed: perSession.flatMap((p) => p.managed),
    escalations: perSession.flatMap((p) => p.escalations),
  };
}

/** A message row is pending until it has an outcome: erasing deletes it; a finished one is kept as a count. */
export const isPending = (row: DeliveryRow) => row.state === "pending" || row.state === "sending";

/** What an erasure would do, counted: shown on the confirmation card and compared when it is confirmed. */
export interface ErasureCounts {
  bookings: number;
  completions: number;
  answers: number;
  pendingMessages: number;
  sentMessages: number;
  managerNamings: number;
}

export function erasureCounts(r: SubjectRecords): ErasureCounts {
  const all = [...r.messages, ...r.escalations];
  return {
    bookings: r.bookings.length,
    completions: r.bookings.reduce((n, b) => n + (b.delegate.endAnsweredAt ? 1 : 0) + (b.delegate.followAnsweredAt ? 1 : 0), 0),
    answers: r.answers.length,
    pendingMessages: all.filter((m) => isPending(m.row)).length,
    sentMessages: all.filter((m) => !isPending(m.row)).length,
    managerNamings: r.managed.length,
  };
}

/**
 * The version of what was read, for the confirmation button: a hash of every row an erasure
 * would touch and what about it decides what erasure does with it (a booking's ETag, an answer's
 * existence, a message's state). Confirming erases only if it still matches; names nothing.
 */
export function subjectVersion(r: SubjectRecords): string {
  const parts = [
    ...r.bookings.map((b) => `b|${b.session.sessionId}|${b.delegate.delegateId}|${b.delegate.etag}`),
    ...r.managed.map((b) => `m|${b.session.sessionId}|${b.delegate.delegateId}|${b.delegate.etag}`),
    ...r.answers.map((a) => `a|${a.session.sessionId}|${a.kind}|${a.pseudonym}`),
    ...[...r.messages, ...r.escalations].map((m) => `o|${m.row.batchId}|${m.row.recipientKey}|${isPending(m.row) ? "pending" : "done"}`),
  ].sort();
  return createHash("sha256").update(`${r.email}\u0000${parts.join("\n")}`).digest("base64url").slice(0, 22);
}
