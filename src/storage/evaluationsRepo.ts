import { createHash } from "node:crypto";
import { odata, type TableClient } from "@azure/data-tables";
import type { TableStore } from "./tableStore";
import { isConflict, isNotFound, isPreconditionFailed } from "./errors";
import { key } from "./keys";
import { answersSchema, type Answers } from "../training/questions";
import type { EvaluationKind } from "../training/types";
import { applyChange, type SessionTally } from "../training/tally";
import { AnswerTalliesRepo } from "./answerTalliesRepo";

/**
 * Evaluation answers, apart from who gave them: a row holds the answers and a pseudonym (a keyed
 * hash of delegate and course, see src/training/keys.ts), never a name, e-mail or user id.
 *
 *   PK answers|<sessionId>   RK <kind>|<pseudonym>
 *
 * One row per person, evaluation and session: answering again replaces the answer (conditional on
 * the ETag read), never adds a second one. Each row also keeps `counted`: the answer as the
 * session's tally (PK "tallies", see answerTalliesRepo.ts) holds it, so a change moves the tally
 * by the difference and a change interrupted half-way is finished by the next save. The same pseudonym in the end-of-session and follow-up
 * rows is what lets the two be compared for one person.
 */
const pk = (sessionId: string) => key("answers", sessionId);
const rk = (kind: EvaluationKind, pseudonym: string) => key(kind, pseudonym);

export interface StoredAnswer {
  sessionId: string;
  kind: EvaluationKind;
  pseudonym: string;
  answers: Answers;
}

function fromEntity(e: Record<string, unknown>): StoredAnswer | undefined {
  try {
    const answers = answersSchema.safeParse(JSON.parse(String(e.answers)));
    if (!answers.success || typeof e.pseudonym !== "string" || typeof e.sessionId !== "string") return undefined;
    return { sessionId: e.sessionId, kind: answers.data.kind, pseudonym: e.pseudonym, answers: answers.data };
  } catch {
    return undefined;
  }
}

/** The columns of a stored answer that the tally needs: the answer, and the answer its tally counts ("" for none). */
function rowOf(e: Record<string, unknown>): { rowKey: string; etag: string; answers: string; counted: string } | undefined {
  if (typeof e.answers !== "string" || typeof e.rowKey !== "string") return undefined;
  return { rowKey: e.rowKey, etag: String(e.etag), answers: e.answers, counted: typeof e.counted === "string" ? e.counted : "" };
}

function parseAnswers(raw: string): Answers | undefined {
  if (!raw) return undefined;
  try {
    const r = answersSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** A stored answer row as `put` writes it (for benches that load many rows at once). */
export const answerEntity = (sessionId: string, pseudonym: string, answers: Answers, counted: boolean) => {
  const raw = JSON.stringify(answersSchema.parse(answers));
  return { partitionKey: pk(sessionId), rowKey: rk(answers.kind, pseudonym), sessionId, pseudonym, answers: raw, counted: counted ? raw : "" };
};

export class EvaluationsRepo {
  private readonly table: TableClient;
  private readonly tallies: AnswerTalliesRepo;
  constructor(store: TableStore) {
    this.table = store.table("EvaluationAnswers");
    this.tallies = new AnswerTalliesRepo(this.table);
  }

  async get(sessionId: string, kind: EvaluationKind, pseudonym: string): Promise<StoredAnswer | undefined> {
    try {
      return fromEntity(await this.table.getEntity<Record<string, unknown>>(pk(sessionId), rk(kind, pseudonym)));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /**
   * Whether a row is stored under this pseudonym, and its answer (none while an erasure of it is
   * under way: see `erase`).
   */
  async find(sessionId: string, kind: EvaluationKind, pseudonym: string): Promise<{ stored?: StoredAnswer } | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(pk(sessionId), rk(kind, pseudonym));
      return { stored: fromEntity(e) };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /**
   * Erases one person's answer and takes it out of the session's tally, in steps each safe to
   * repeat: the answer is blanked on the ETag read (the row keeps what the tally counts), the
   * tally moves by the difference like any change (its op id is the row and that ETag, so it is
   * taken once whoever applies it), and the row, now empty and uncounted, is deleted on its ETag.
   * A crash part-way leaves a blank row that the next erase, save or ensureTally finishes; a blank
   * row is never read as an answer. Returns whether there was a row.
   */
  async erase(sessionId: string, kind: EvaluationKind, pseudonym: string): Promise<boolean> {
    const partitionKey = pk(sessionId);
    const rowKey = rk(kind, pseudonym);
    let found = false;
    for (let attempt = 0; attempt < 10; attempt++) {
      const row = await this.readRow(partitionKey, rowKey);
      if (!row) return found;
      found = true;
      try {
        if (row.answers !== "") {
          const etag = (await this.table.updateEntity({ partitionKey, rowKey, sessionId, answers: "", counted: row.counted }, "Replace", { etag: row.etag })).etag!;
          await this.settle({ sessionId, rowKey, etag, answers: "", counted: row.counted });
        } else if (row.counted !== "") {
          await this.settle({ sessionId, ...row });
        } else {
          await this.table.deleteEntity(partitionKey, rowKey, { etag: row.etag });
          return true;
        }
      } catch (e) {
        if (!isPreconditionFailed(e) && !isNotFound(e)) throw e;
      }
    }
    throw Object.assign(new Error("the answer kept changing"), { statusCode: 503 });
  }

  /**
   * Creates the answer, or replaces it on the ETag just read; a concurrent create (409) or change
   * (412) is read again and retried, so two saves at once leave one row holding one of them.
   * Each write is then counted into the session's tally (see `settle`). Returns whether this was
   * the first answer.
   */
  async put(sessionId: string, pseudonym: string, answers: Answers): Promise<{ first: boolean }> {
    const raw = JSON.stringify(answersSchema.parse(answers));
    const base = { partitionKey: pk(sessionId), rowKey: rk(answers.kind, pseudonym), sessionId, pseudonym, answers: raw };
    // Most answers are first answers: try the create, and read the ETag only when one exists.
    const created = await this.tryCreate(base);
    if (created) {
      await this.settle({ sessionId, rowKey: base.rowKey, etag: created, answers: raw, counted: "" });
      return { first: true };
    }
    for (let attempt = 0; attempt < 8; attempt++) {
      const row = await this.readRow(base.partitionKey, base.rowKey);
      if (!row) {
        const etag = await this.tryCreate(base);
        if (!etag) continue;
        await this.settle({ sessionId, rowKey: base.rowKey, etag, answers: raw, counted: "" });
        return { first: true };
      }
      // An earlier change not yet in the tally (its writer stopped, or is still at it) is finished first,
      // so the tally always moves from what it holds for this answer.
      if (row.answers !== row.counted) {
        await this.settle({ sessionId, ...row });
        continue;
      }
      let etag: string;
      try {
        etag = (await this.table.updateEntity({ ...base, counted: row.counted }, "Replace", { etag: row.etag })).etag!;
      } catch (e) {
        if (!isConflict(e) && !isPreconditionFailed(e) && !isNotFound(e)) throw e;
        continue;
      }
      await this.settle({ sessionId, rowKey: base.rowKey, etag, answers: raw, counted: row.counted });
      return { first: false };
    }
    throw Object.assign(new Error("the answer kept changing"), { statusCode: 503 });
  }

  /**
   * Moves the session's tally from the answer it counts (`counted`) to the one stored
   * (`answers`), then records on the answer row, on the ETag of that write, that it is counted.
   * The change's id is the row and its ETag: whoever applies it (the writer, or a later save
   * finishing its work), the tally takes it once.
   */
  private async settle(x: { sessionId: string; rowKey: string; etag: string; answers: string; counted: string }): Promise<void> {
    const op = createHash("sha256").update(`${x.sessionId}|${x.rowKey}|${x.etag}`).digest("base64url").slice(0, 12);
    const quoteKey = createHash("sha256").update(`${x.sessionId}|${x.rowKey}`).digest("base64url").slice(0, 10);
    const before = parseAnswers(x.counted);
    const after = parseAnswers(x.answers);
    await this.tallies.apply(x.sessionId, (t) => applyChange(t, { op, quoteKey, before, after }));
    try {
      await this.table.updateEntity({ partitionKey: pk(x.sessionId), rowKey: x.rowKey, counted: x.answers }, "Merge", { etag: x.etag });
    } catch (e) {
      // Someone changed the answer since: their save finishes this one's count before its own.
      if (!isPreconditionFailed(e) && !isNotFound(e)) throw e;
    }
  }

  /**
   * Makes sure every answer of the session is in its tally, once: answers stored before tallies
   * existed, or left uncounted by a save that stopped half-way, are counted now. Reads the
   * session's answers this one time; afterwards the tally is marked whole and kept up to date by
   * each save.
   */
  async ensureTally(sessionId: string): Promise<void> {
    if ((await this.tallies.get(sessionId))?.whole) return;
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk(sessionId)}` } })) {
      const row = rowOf(e);
      if (row && row.answers !== row.counted) await this.settle({ sessionId, ...row });
    }
    await this.tallies.change(sessionId, (t) => (t.whole ? t : { ...t, whole: true }));
  }

  /** Every session's tally: one query, however many answers. */
  listTallies(): Promise<SessionTally[]> {
    return this.tallies.list();
  }

  getTally(sessionId: string) {
    return this.tallies.get(sessionId);
  }

  private async tryCreate(entity: Record<string, unknown> & { partitionKey: string; rowKey: string }): Promise<string | undefined> {
    try {
      return (await this.table.createEntity({ ...entity, counted: "" })).etag!;
    } catch (e) {
      if (isConflict(e)) return undefined;
      throw e;
    }
  }

  private async readRow(partitionKey: string, rowKey: string) {
    try {
      return rowOf(await this.table.getEntity<Record<string, unknown>>(partitionKey, rowKey));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list(sessionId: string): Promise<StoredAnswer[]> {
    const out: StoredAnswer[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk(sessionId)}` } })) {
      const a = fromEntity(e);
      if (a) out.push(a);
    }
    return out;
  }
}
