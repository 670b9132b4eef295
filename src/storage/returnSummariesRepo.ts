import { odata, type TableClient } from "@azure/data-tables";
import type { TableStore } from "./tableStore";
import { key } from "./keys";
import { isConflict, isNotFound, isPreconditionFailed } from "./errors";
import { headerSchema, type ReturnHeader } from "./returnsRepo";
import { decodeSummary, SUMMARY_ROW, type DecodedSummary } from "./summaryRow";

export interface ReturnSummaryRow {
  partitionKey: string;
  header: ReturnHeader;
  summary?: DecodedSummary;
  /** The agency's own deadline (an extension for it alone), from the same query. */
  ownDeadline?: string;
}

/**
 * Reads the reporting copy of every return of a cycle: the header and `summary` rows only, one
 * query whose size grows with agencies, never with answers (see summaryRow.ts). The backfill's
 * write is conditional on the summary row as it was read before the answers were, so a save that
 * lands in between makes it start again rather than be overwritten.
 */
export class ReturnSummariesRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Returns");
  }

  async listForCycle(cycleId: string): Promise<ReturnSummaryRow[]> {
    const lo = key(cycleId) + "|";
    const hi = key(cycleId) + "}";
    const byPk = new Map<string, { header?: ReturnHeader; summary?: DecodedSummary; ownDeadline?: string }>();
    // The `deadline` row (deadlineOverridesRepo) rides along: an agency's own date costs no extra request.
    const filter = odata`PartitionKey ge ${lo} and PartitionKey lt ${hi} and (RowKey eq 'header' or RowKey eq ${SUMMARY_ROW} or RowKey eq 'deadline')`;
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const entry = byPk.get(e.partitionKey!) ?? {};
      if (e.rowKey === "header") {
        const h = headerSchema.safeParse(e);
        if (h.success) entry.header = h.data;
      } else if (e.rowKey === "deadline") entry.ownDeadline = typeof e.deadline === "string" ? e.deadline : undefined;
      else entry.summary = decodeSummary(e);
      byPk.set(e.partitionKey!, entry);
    }
    return [...byPk.entries()].filter(([, v]) => v.header).map(([partitionKey, v]) => ({ partitionKey, header: v.header!, summary: v.summary, ownDeadline: v.ownDeadline }));
  }

  /** The summary row as it is now, with its ETag (read before the answers it will be computed from). */
  async read(pk: string): Promise<{ etag: string; summary: DecodedSummary } | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(pk, SUMMARY_ROW);
      return { etag: e.etag, summary: decodeSummary(e) };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** False when the row changed (or appeared) since it was read: read again and recompute. */
  async write(pk: string, columns: Record<string, string | number>, etag: string | undefined): Promise<boolean> {
    try {
      if (etag) await this.table.updateEntity({ partitionKey: pk, rowKey: SUMMARY_ROW, ...columns }, "Replace", { etag });
      else await this.table.createEntity({ partitionKey: pk, rowKey: SUMMARY_ROW, ...columns });
      return true;
    } catch (e) {
      if (isPreconditionFailed(e) || isConflict(e) || isNotFound(e)) return false;
      throw e;
    }
  }
}
