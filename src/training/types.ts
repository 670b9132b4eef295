import { z } from "zod/v4";

/** The training programme's records, as the services and views see them. */

export const COURSE_KINDS = ["core", "taster", "tool", "event"] as const;
export type CourseKind = (typeof COURSE_KINDS)[number];
export const COURSE_KIND_LABELS: Record<CourseKind, string> = { core: "Core course", taster: "Taster workshop", tool: "Tool training", event: "Event" };

export const SESSION_MODES = ["virtual", "in_person"] as const;
export type SessionMode = (typeof SESSION_MODES)[number];
export const SESSION_MODE_LABELS: Record<SessionMode, string> = { virtual: "Virtual", in_person: "Face to face" };

/** The end-of-session evaluation and the follow-up (impact) evaluation weeks later. */
export const EVALUATION_KINDS = ["end", "follow"] as const;
export type EvaluationKind = (typeof EVALUATION_KINDS)[number];
export const EVALUATION_LABELS: Record<EvaluationKind, string> = { end: "end-of-session evaluation", follow: "follow-up evaluation" };

/** Ids are made by the bot (form ids), never typed: a card's id is checked against this before it reaches a key. */
export const COURSE_ID = /^c-[a-z0-9]{10}$/;
export const SESSION_ID = /^s-[a-z0-9]{10}$/;
/** A delegate's id: a keyed hash of their e-mail (or Teams identity), the same in every session. */
export const DELEGATE_ID = /^[0-9a-f]{24}$/;

export const courseIdSchema = z.string().regex(COURSE_ID);
export const sessionIdSchema = z.string().regex(SESSION_ID);
export const delegateIdSchema = z.string().regex(DELEGATE_ID);
export const kindSchema = z.enum(EVALUATION_KINDS);

export interface Course {
  courseId: string;
  title: string;
  kind: CourseKind;
  outcomes: string[];
  followUpWeeks: number;
  reminderMinutes: number;
  escalationMinutes: number;
  /** The partnerships whose digests count its sessions; none (or absent) = every partnership (a joint course). */
  partnerships?: string[];
  createdAt: string;
  createdBy: string;
}

export type SessionState = "scheduled" | "closed";

export interface Session {
  sessionId: string;
  courseId: string;
  /** Kept with the session so lists need no second read. */
  courseTitle: string;
  /**
   * The course's partnerships when the session was created (none = joint), so the digest needs no
   * read of the courses. A course's partnerships cannot be changed, so this never goes stale.
   * None (or absent) = every partnership.
   */
  partnerships?: string[];
  startsAt: string;
  durationMinutes: number;
  mode: SessionMode;
  /** The venue, or the meeting link for a virtual session. */
  venue: string;
  trainer: string;
  state: SessionState;
  closedAt?: string;
  /** When each evaluation was first sent: reminders, escalations and link expiry count from here. */
  endSentAt?: string;
  followSentAt?: string;
  createdAt: string;
  createdBy: string;
  etag: string;
}

export type DelegateSource = "csv" | "form" | "roster" | "demo";

/**
 * A booked delegate and their completion record: who must answer and who has. It never holds an
 * answer (those live apart, under a pseudonym: see EvaluationsRepo).
 */
export interface Delegate {
  sessionId: string;
  delegateId: string;
  name: string;
  email: string;
  agency: string;
  managerName: string;
  managerEmail: string;
  /** Their Teams identity, when known (from a roster): only then can a card reach them without an e-mail match. */
  tenantId?: string;
  aadObjectId?: string;
  attended: boolean;
  source: DelegateSource;
  addedAt: string;
  addedBy: string;
  endAnsweredAt?: string;
  followAnsweredAt?: string;
  etag: string;
}

export const answeredAt = (d: Delegate, kind: EvaluationKind) => (kind === "end" ? d.endAnsweredAt : d.followAnsweredAt);
export const sentAt = (s: Session, kind: EvaluationKind) => (kind === "end" ? s.endSentAt : s.followSentAt);
export const sessionEnd = (s: Pick<Session, "startsAt" | "durationMinutes">) => new Date(Date.parse(s.startsAt) + s.durationMinutes * 60_000);

/** A new delegate as a form, a CSV row or a roster gives it. */
export interface DelegateInput {
  name: string;
  email: string;
  agency: string;
  managerName: string;
  managerEmail: string;
  tenantId?: string;
  aadObjectId?: string;
}
