import { randomUUID } from "node:crypto";
import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isConflict, isNotFound, isPreconditionFailed } from "./errors";
import { decodeKeyPart, encodeKeyPart, key } from "./keys";
import { principalKey, type Principal } from "./principal";
import { COURSE_KINDS, SESSION_MODES, type Course, type Delegate, type Session } from "../training/types";

/**
 * The training programme: courses, sessions, and per session its delegates with their completion
 * record (who has answered, for chasing). Evaluation answers are never here: they live in
 * EvaluationAnswers under a pseudonym, so this table says who answered but never what.
 *
 *   PK "course"              RK courseId     a course (its partnerships are fixed when it is created)
 *   PK "session"             RK sessionId    a session (few per year: listing them is one partition)
 *   PK delegates|<session>   RK delegateId   a delegate of that session, and what they have answered
 *   PK "target"              RK <principal>  where the officer's next CSV file goes, and until when
 *   PK "headcount"           RK sessionId    how many are booked and attended, for the digest
 *
 * A headcount is a count, not a running total: a change to a session's delegates first marks it
 * stale (a new `changed` token), and whoever reads it stale counts the delegates again and
 * records which token that count answers, on the ETag read. A change that lands meanwhile changes
 * the ETag (or the token) and so leaves it stale; nothing is ever counted twice.
 *
 * Every change is conditional: creates fail on an existing row (409), updates carry the ETag read.
 */
const COURSES = "course";
const SESSIONS = "session";
const TARGETS = "target";
const HEADCOUNTS = "headcount";
const delegatesPk = (sessionId: string) => key("delegates", sessionId);

const json = <T extends z.ZodType>(schema: T, fallback: z.output<T>) =>
  z.string().transform((s) => {
    try {
      const r = schema.safeParse(JSON.parse(s));
      return r.success ? r.data : fallback;
    } catch {
      return fallback;
    }
  });

const courseSchema = z.object({
  rowKey: z.string(),
  title: z.string(),
  kind: z.enum(COURSE_KINDS).catch("core"),
  outcomes: json(z.array(z.string()), []),
  followUpWeeks: z.number().int().catch(8),
  reminderMinutes: z.number().int().catch(4320),
  escalationMinutes: z.number().int().catch(10080),
  // Rows stored before courses had partnerships have none: joint, as they always were.
  partnerships: json(z.array(z.string()), []).catch([]),
  createdAt: z.string().catch(""),
  createdBy: z.string().catch(""),
});

const opt = z.string().optional().transform((v) => (v ? v : undefined));

const sessionSchema = z.object({
  rowKey: z.string(),
  courseId: z.string(),
  courseTitle: z.string().catch(""),
  // Sessions stored before courses had partnerships have none: joint, as they always were.
  partnerships: json(z.array(z.string()), []).catch([]),
  startsAt: z.string(),
  durationMinutes: z.number().int().catch(60),
  mode: z.enum(SESSION_MODES).catch("in_person"),
  venue: z.string().catch(""),
  trainer: z.string().catch(""),
  state: z.enum(["scheduled", "closed"]).catch("scheduled"),
  closedAt: opt,
  endSentAt: opt,
  followSentAt: opt,
  createdAt: z.string().catch(""),
  createdBy: z.string().catch(""),
  etag: z.string(),
});

const delegateSchema = z.object({
  rowKey: z.string(),
  sessionId: z.string(),
  name: z.string().catch(""),
  email: z.string().catch(""),
  agency: z.string().catch(""),
  managerName: z.string().catch(""),
  managerEmail: z.string().catch(""),
  tenantId: opt,
  aadObjectId: opt,
  attended: z.boolean().catch(true),
  source: z.enum(["csv", "form", "roster", "demo"]).catch("form"),
  addedAt: z.string().catch(""),
  addedBy: z.string().catch(""),
  endAnsweredAt: opt,
  followAnsweredAt: opt,
  etag: z.string(),
});

const toCourse = (e: unknown): Course | undefined => {
  const p = courseSchema.safeParse(e);
  if (!p.success) return undefined;
  const { rowKey, ...rest } = p.data;
  return { courseId: decodeKeyPart(rowKey), ...rest };
};
const toSession = (e: unknown): Session | undefined => {
  const p = sessionSchema.safeParse(e);
  if (!p.success) return undefined;
  const { rowKey, ...rest } = p.data;
  return { sessionId: decodeKeyPart(rowKey), ...rest };
};
const toDelegate = (e: unknown): Delegate | undefined => {
  const p = delegateSchema.safeParse(e);
  if (!p.success) return undefined;
  const { rowKey, ...rest } = p.data;
  return { delegateId: decodeKeyPart(rowKey), ...rest };
};

/** Empty strings stand for "not set": a Merge cannot remove a column. */
const columns = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== "etag").map(([k, v]) => [k, v === undefined ? "" : v]));

export interface Headcount {
  sessionId: string;
  booked: number;
  attended: number;
  /** False when a change to the delegates came after the count. */
  fresh: boolean;
}

function headcountOf(e: Record<string, unknown>): Headcount | undefined {
  if (typeof e.rowKey !== "string" || typeof e.booked !== "number" || typeof e.attended !== "number") return undefined;
  return { sessionId: decodeKeyPart(e.rowKey), booked: e.booked, attended: e.attended, fresh: String(e.changed ?? "") === String(e.counted ?? "") };
}

/** A session row as `createSession` writes it (benches load many at once). */
export function sessionEntity(s: Omit<Session, "etag">) {
  const { sessionId, partnerships, ...rest } = s;
  return { partitionKey: SESSIONS, rowKey: encodeKeyPart(sessionId), ...columns(rest), partnerships: JSON.stringify(partnerships ?? []) };
}

/** An up-to-date headcount row, as a recount leaves it (benches load many at once). */
export const headcountEntity = (sessionId: string, booked: number, attended: number) => ({ partitionKey: HEADCOUNTS, rowKey: encodeKeyPart(sessionId), booked, attended, changed: "", counted: "" });

export type SessionPatch = Partial<Pick<Session, "state" | "closedAt" | "endSentAt" | "followSentAt">>;
export type DelegatePatch = Partial<Pick<Delegate, "name" | "agency" | "managerName" | "managerEmail" | "tenantId" | "aadObjectId" | "attended" | "endAnsweredAt" | "followAnsweredAt" | "email">>;

export class TrainingRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Training");
  }

  /** False when a course with this id exists (the same form sent twice). */
  async createCourse(c: Course): Promise<boolean> {
    const { courseId, outcomes, partnerships, ...rest } = c;
    return this.create({ partitionKey: COURSES, rowKey: encodeKeyPart(courseId), ...rest, outcomes: JSON.stringify(outcomes), partnerships: JSON.stringify(partnerships ?? []) });
  }

  async getCourse(courseId: string): Promise<Course | undefined> {
    return toCourse(await this.read(COURSES, encodeKeyPart(courseId)));
  }

  async listCourses(): Promise<Course[]> {
    return (await this.list(COURSES)).map(toCourse).filter((c): c is Course => !!c);
  }

  async createSession(s: Omit<Session, "etag">): Promise<boolean> {
    return this.create(sessionEntity(s));
  }

  async getSession(sessionId: string): Promise<Session | undefined> {
    return toSession(await this.read(SESSIONS, encodeKeyPart(sessionId)));
  }

  async listSessions(): Promise<Session[]> {
    return (await this.list(SESSIONS)).map(toSession).filter((s): s is Session => !!s);
  }

  /** Conditional Merge: throws a 412 error when the session changed since `etag`. Returns the new ETag. */
  async updateSession(sessionId: string, patch: SessionPatch, etag: string): Promise<string> {
    const r = await this.table.updateEntity({ partitionKey: SESSIONS, rowKey: encodeKeyPart(sessionId), ...columns(patch) }, "Merge", { etag });
    return r.etag!;
  }

  /** False when the delegate is already booked on the session (same e-mail or Teams identity). */
  async createDelegate(d: Omit<Delegate, "etag">): Promise<boolean> {
    const { delegateId, ...rest } = d;
    await this.headcountChanging(d.sessionId);
    return this.create({ partitionKey: delegatesPk(d.sessionId), rowKey: encodeKeyPart(delegateId), ...columns(rest) });
  }

  async getDelegate(sessionId: string, delegateId: string): Promise<Delegate | undefined> {
    return toDelegate(await this.read(delegatesPk(sessionId), encodeKeyPart(delegateId)));
  }

  async listDelegates(sessionId: string): Promise<Delegate[]> {
    return (await this.list(delegatesPk(sessionId))).map(toDelegate).filter((d): d is Delegate => !!d);
  }

  /** Conditional Merge on the ETag read: throws 412 when someone changed the row meanwhile. */
  async updateDelegate(sessionId: string, delegateId: string, patch: DelegatePatch, etag: string): Promise<string> {
    if (patch.attended !== undefined) await this.headcountChanging(sessionId);
    const r = await this.table.updateEntity({ partitionKey: delegatesPk(sessionId), rowKey: encodeKeyPart(delegateId), ...columns(patch) }, "Merge", { etag });
    return r.etag!;
  }

  /**
   * Deletes a delegate's row (their booking and completion record) if it is still as read.
   * False when it changed since `etag` (read it again); true when it is gone. The headcount is
   * marked stale first, like any change to who is booked.
   */
  async deleteDelegate(sessionId: string, delegateId: string, etag: string): Promise<boolean> {
    await this.headcountChanging(sessionId);
    try {
      await this.table.deleteEntity(delegatesPk(sessionId), encodeKeyPart(delegateId), { etag });
      return true;
    } catch (e) {
      if (isNotFound(e)) return true;
      if (isPreconditionFailed(e)) return false;
      throw e;
    }
  }

  /** Reads the delegate, applies `change` and writes it back on the ETag read; retried when another write came first. */
  async changeDelegate(sessionId: string, delegateId: string, change: (d: Delegate) => DelegatePatch | undefined): Promise<Delegate | undefined> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const d = await this.getDelegate(sessionId, delegateId);
      if (!d) return undefined;
      const patch = change(d);
      if (!patch || !Object.keys(patch).length) return d;
      try {
        const etag = await this.updateDelegate(sessionId, delegateId, patch, d.etag);
        return { ...d, ...patch, etag };
      } catch (e) {
        if (!isPreconditionFailed(e)) throw e;
      }
    }
    throw Object.assign(new Error("the delegate kept changing"), { statusCode: 503 });
  }

  /**
   * Marks the session's headcount stale, before the change it announces (so a change that is
   * written is never missed; one that then fails costs a recount). A blind merge of a new token:
   * nothing is read, so there is no ETag to check and nothing to lose.
   */
  private async headcountChanging(sessionId: string): Promise<void> {
    await this.table.upsertEntity({ partitionKey: HEADCOUNTS, rowKey: encodeKeyPart(sessionId), changed: randomUUID() }, "Merge");
  }

  /** Every session's headcount, and whether it is up to date: one query. */
  async listHeadcounts(): Promise<Map<string, Headcount>> {
    const out = new Map<string, Headcount>();
    for (const e of await this.list(HEADCOUNTS)) {
      const h = headcountOf(e);
      if (h) out.set(h.sessionId, h);
    }
    return out;
  }

  /** The session's headcount, counted again from its delegates when it is stale or missing. */
  async freshHeadcount(sessionId: string): Promise<Headcount> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const row = await this.read(HEADCOUNTS, encodeKeyPart(sessionId));
      const h = row && headcountOf(row);
      if (h?.fresh) return h;
      const delegates = await this.listDelegates(sessionId);
      const counts = { booked: delegates.length, attended: delegates.filter((d) => d.attended).length };
      try {
        if (row) await this.table.updateEntity({ partitionKey: HEADCOUNTS, rowKey: encodeKeyPart(sessionId), ...counts, counted: String(row.changed ?? "") }, "Merge", { etag: String(row.etag) });
        else if (!(await this.create({ partitionKey: HEADCOUNTS, rowKey: encodeKeyPart(sessionId), ...counts, changed: "", counted: "" }))) continue;
        return { sessionId, ...counts, fresh: true };
      } catch (e) {
        if (!isPreconditionFailed(e) && !isNotFound(e)) throw e;
      }
    }
    // Delegates are being added right now: this count is right as of the listing, and stays marked stale.
    const delegates = await this.listDelegates(sessionId);
    return { sessionId, booked: delegates.length, attended: delegates.filter((d) => d.attended).length, fresh: false };
  }

  /** The session the officer's next CSV file is for, until `until`. */
  async setTarget(officer: Principal, sessionId: string, until: string): Promise<void> {
    const rk = key(principalKey(officer));
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.read(TARGETS, rk);
      if (!current) {
        if (await this.create({ partitionKey: TARGETS, rowKey: rk, sessionId, until })) return;
        continue;
      }
      try {
        await this.table.updateEntity({ partitionKey: TARGETS, rowKey: rk, sessionId, until }, "Merge", { etag: String(current.etag) });
        return;
      } catch (e) {
        if (!isPreconditionFailed(e) && !isNotFound(e)) throw e;
      }
    }
    throw Object.assign(new Error("could not record where the file goes"), { statusCode: 503 });
  }

  async getTarget(officer: Principal): Promise<{ sessionId: string; until: string } | undefined> {
    const e = await this.read(TARGETS, key(principalKey(officer)));
    return e && typeof e.sessionId === "string" && typeof e.until === "string" ? { sessionId: e.sessionId, until: e.until } : undefined;
  }

  private async create(entity: Record<string, unknown> & { partitionKey: string; rowKey: string }): Promise<boolean> {
    try {
      await this.table.createEntity(entity);
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  private async read(pk: string, rk: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.table.getEntity<Record<string, unknown>>(pk, rk);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async list(pk: string): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk}` } })) out.push(e);
    return out;
  }
}
