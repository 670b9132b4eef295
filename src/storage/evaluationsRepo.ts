import { odata, type TableClient } from "@azure/data-tables";
import type { TableStore } from "./tableStore";
import { isConflict, isNotFound, isPreconditionFailed } from "./errors";
import { key } from "./keys";
import { answersSchema, type Answers } from "../training/questions";
import type { EvaluationKind } from "../training/types";

/**
 * Evaluation answers, apart from who gave them: a row holds the answers and a pseudonym (a keyed
 * hash of delegate and course, see src/training/keys.ts), never a name, e-mail or user id.
 *
 *   PK answers|<sessionId>   RK <kind>|<pseudonym>
 *
 * One row per person, evaluation and session: answering again replaces the answer (conditional on
 * the ETag read), never adds a second one. The same pseudonym in the end-of-session and follow-up
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

export class EvaluationsRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("EvaluationAnswers");
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
   * Creates the answer, or replaces it on the ETag just read; a concurrent create (409) or change
   * (412) is read again and retried, so two saves at once leave one row holding one of them.
   * Returns whether this was the first answer.
   */
  async put(sessionId: string, pseudonym: string, answers: Answers): Promise<{ first: boolean }> {
    const entity = { partitionKey: pk(sessionId), rowKey: rk(answers.kind, pseudonym), sessionId, pseudonym, answers: JSON.stringify(answersSchema.parse(answers)) };
    // Most answers are first answers: try the create, and read the ETag only when one exists.
    try {
      await this.table.createEntity(entity);
      return { first: true };
    } catch (e) {
      if (!isConflict(e)) throw e;
    }
    for (let attempt = 0; attempt < 8; attempt++) {
      let etag: string | undefined;
      try {
        etag = (await this.table.getEntity(entity.partitionKey, entity.rowKey)).etag;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      try {
        if (!etag) {
          await this.table.createEntity(entity);
          return { first: true };
        }
        await this.table.updateEntity(entity, "Replace", { etag });
        return { first: false };
      } catch (e) {
        if (!isConflict(e) && !isPreconditionFailed(e) && !isNotFound(e)) throw e;
      }
    }
    throw Object.assign(new Error("the answer kept changing"), { statusCode: 503 });
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
