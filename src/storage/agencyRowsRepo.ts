import { odata, type TableClient, type TransactionAction } from "@azure/data-tables";
import type { TableStore } from "./tableStore";
import { isNotFound } from "./errors";
import { key, splitKey } from "./keys";

/** A stored row as it came from the table (without its ETag). */
export type RawRow = { partitionKey: string; rowKey: string } & Record<string, unknown>;

const BATCH = 100;

function cleanRow(e: Record<string, unknown>): RawRow {
  const { etag: _etag, "odata.metadata": _meta, ...rest } = e;
  return rest as RawRow;
}

/**
 * Whole-agency reads and deletes for backups and data requests (src/admin/agencyData.ts): every
 * row stored about one agency, verbatim, across Returns, Grants and Agencies. The features'
 * repositories read rows as their meaning; this one reads them as they are, so nothing is left out.
 */
export class AgencyRowsRepo {
  private readonly returns: TableClient;
  private readonly grants: TableClient;
  private readonly agencies: TableClient;
  constructor(store: TableStore) {
    this.returns = store.table("Returns");
    this.grants = store.table("Grants");
    this.agencies = store.table("Agencies");
  }

  private static async list(table: TableClient, filter: string, select?: string[]): Promise<RawRow[]> {
    const out: RawRow[] = [];
    for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select } })) out.push(cleanRow(e));
    return out;
  }

  /** Every row of one return partition: header, answers, access, history, decisions, snapshots. */
  returnRows(pk: string, keysOnly = false): Promise<RawRow[]> {
    return AgencyRowsRepo.list(this.returns, odata`PartitionKey eq ${pk}`, keysOnly ? ["PartitionKey", "RowKey"] : undefined);
  }

  /** Return partitions of this agency found by their header rows (also those whose cycle row is gone). */
  async returnPartitionsOf(agencyId: string): Promise<string[]> {
    const out: string[] = [];
    for (const row of await AgencyRowsRepo.list(this.returns, odata`RowKey eq 'header'`, ["PartitionKey"])) {
      const parts = splitKey(row.partitionKey);
      if (parts.length === 2 && parts[1] === agencyId) out.push(row.partitionKey);
    }
    return out;
  }

  /** Grant rows under the agency (`a|<agencyId>`). */
  agencySideGrants(agencyId: string, keysOnly = false): Promise<RawRow[]> {
    return AgencyRowsRepo.list(this.grants, odata`PartitionKey eq ${key("a", agencyId)}`, keysOnly ? ["PartitionKey", "RowKey"] : undefined);
  }

  /** Grant rows of this agency under each holder: any `h|…` partition, RowKey `<role>|<agencyId>`. */
  async holderSideGrants(agencyId: string): Promise<RawRow[]> {
    const rows = await AgencyRowsRepo.list(this.grants, odata`PartitionKey ge 'h|' and PartitionKey lt 'h}'`);
    return rows.filter((row) => {
      const parts = splitKey(row.rowKey);
      return parts.length === 2 && parts[1] === agencyId;
    });
  }

  /**
   * Deletes the listed rows in transactions of at most 100 rows of one partition, listing again
   * until nothing is left (a row deleted by someone else meanwhile fails its batch with 404; a row
   * written meanwhile is picked up by the next listing). `last` goes in the last batch of its
   * partition (a return's header), so a run cut short still finds what is left.
   */
  async sweep(table: "Returns" | "Grants", list: () => Promise<Array<{ partitionKey: string; rowKey: string }>>, last?: string): Promise<number> {
    const client = table === "Returns" ? this.returns : this.grants;
    let deleted = 0;
    for (let round = 0; ; round++) {
      const rows = await list();
      if (!rows.length) return deleted;
      if (round >= 5) throw new Error(`Rows keep appearing in ${client.tableName} while deleting (${rows.length} left): stop the bot and try again.`);
      const byPartition = new Map<string, string[]>();
      for (const row of rows) byPartition.set(row.partitionKey, [...(byPartition.get(row.partitionKey) ?? []), row.rowKey]);
      try {
        for (const [pk, rowKeys] of byPartition) {
          rowKeys.sort((a, b) => Number(a === last) - Number(b === last));
          for (let i = 0; i < rowKeys.length; i += BATCH) {
            const chunk = rowKeys.slice(i, i + BATCH);
            await client.submitTransaction(chunk.map((rk): TransactionAction => ["delete", { partitionKey: pk, rowKey: rk }]));
            deleted += chunk.length;
          }
        }
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  async deleteAgencyRow(agencyId: string): Promise<boolean> {
    try {
      await this.agencies.deleteEntity("agency", agencyId);
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }
}
