import type { TableClient, TransactionAction } from "@azure/data-tables";
import type { TableStore } from "./tableStore";
import { key } from "./keys";
import type { Principal } from "./principal";
import { answerColumns, returnPartition, type AnswerColumns, type ReturnHeader, type ReturnRole, type StoredAnswer } from "./returnsRepo";
import { answerCell, fullSummary, SUMMARY_ROW } from "./summaryRow";

/** An answer carried from the previous cycle, as it is written into the new return. */
export interface CarriedAnswer extends AnswerColumns {
  indicatorId: string;
}

/** At most this many operations in one transaction (Azure's limit). */
export const BATCH_LIMIT = 100;

const accessKey = (p: Principal) => key("acc", p.tenantId.toLowerCase(), p.aadObjectId.toLowerCase());

/**
 * The writes of carry forward, in the return's own partition (see ReturnsRepo for the rows). A
 * return is written in one transaction when it fits (header, answers, access rows, summary: 64
 * operations for 60 indicators); the header goes last when it does not, so a return is visible
 * only once whole and the header's `carriedFrom` marks it done. Every write is idempotent.
 */
export class CarryForwardRepo {
  private readonly table: TableClient;
  /** Transactions sent (for the bench and the admin's progress). */
  batches = 0;
  constructor(store: TableStore) {
    this.table = store.table("Returns");
  }

  /** A new return with the carried answers in it. False when the return already exists (409). */
  async createCarried(header: ReturnHeader, indicatorIds: string[], carried: CarriedAnswer[], access: Array<Principal & { name: string; roles: ReturnRole[] }>, by: string, now: string): Promise<boolean> {
    const pk = returnPartition(header.cycleId, header.agencyId);
    const byId = new Map(carried.map((a) => [a.indicatorId, a]));
    const empty: AnswerColumns = { rating: "", evidence: "", naReason: "", actionText: "", actionOwner: "", actionDue: "" };
    const rows = indicatorIds.map((id) => {
      const a = byId.get(id);
      return a ? { indicatorId: id, ...answerColumns(a), carriedFrom: header.carriedFrom ?? "", updatedAt: now, updatedBy: by, updatedByKey: "" } : { indicatorId: id, ...empty, carriedFrom: "", updatedAt: "", updatedBy: "", updatedByKey: "" };
    });
    const body: TransactionAction[] = [
      ...rows.map(({ indicatorId, ...cols }): TransactionAction => ["upsert", { partitionKey: pk, rowKey: key("ans", indicatorId), ...cols }, "Replace"]),
      ...access.filter((a) => a.roles.length).map((a): TransactionAction => ["upsert", { partitionKey: pk, rowKey: accessKey(a), name: a.name, roles: a.roles.join(",") }, "Replace"]),
      ["upsert", { partitionKey: pk, rowKey: SUMMARY_ROW, ...fullSummary(rows.filter((r) => r.updatedAt), undefined, undefined) }, "Replace"],
    ];
    const headerAction: TransactionAction = ["create", { partitionKey: pk, rowKey: "header", ...header }];
    try {
      if (body.length + 1 <= BATCH_LIMIT) {
        await this.submit([headerAction, ...body]);
      } else {
        for (let i = 0; i < body.length; i += BATCH_LIMIT) await this.submit(body.slice(i, i + BATCH_LIMIT));
        await this.submit([headerAction]);
      }
      return true;
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 409) return false;
      throw e;
    }
  }

  /**
   * Fills a return that already exists (a lead opened it before carry forward reached it): only
   * answers nobody has touched, each on the ETag read, then the header on its ETag. A save that
   * slipped in fails the batch (412) and the caller reads again.
   */
  async fillExisting(pk: string, header: { etag: string; patch: Partial<ReturnHeader> }, fill: Array<CarriedAnswer & { etag: string }>, carriedFrom: string, by: string, now: string): Promise<void> {
    const ops: TransactionAction[] = fill.map((a): TransactionAction => ["update", { partitionKey: pk, rowKey: key("ans", a.indicatorId), ...answerColumns(a), carriedFrom, updatedAt: now, updatedBy: by, updatedByKey: "" }, "Merge", { etag: a.etag }]);
    const summary: TransactionAction = ["upsert", { partitionKey: pk, rowKey: SUMMARY_ROW, ...Object.assign({}, ...fill.map((a) => answerCell(a.indicatorId, a, now))) }, "Merge"];
    const headerOp: TransactionAction = ["update", { partitionKey: pk, rowKey: "header", ...header.patch }, "Merge", { etag: header.etag }];
    const all = [...ops, summary];
    if (all.length + 1 <= BATCH_LIMIT) return this.submit([...all, headerOp]);
    for (let i = 0; i < all.length; i += BATCH_LIMIT) await this.submit(all.slice(i, i + BATCH_LIMIT));
    await this.submit([headerOp]);
  }

  private async submit(actions: TransactionAction[]): Promise<void> {
    this.batches++;
    await this.table.submitTransaction(actions);
  }
}

export type { StoredAnswer };
