import { odata, type TableClient } from "@azure/data-tables";
import type { TableStore } from "./tableStore";
import { key, splitKey } from "./keys";
import { isNotFound } from "./errors";
import { returnPartition } from "./returnsRepo";

/**
 * One agency's own deadline in a cycle (an extension for that agency alone): a `deadline` row in
 * the return's partition, apart from the header so that moving a date never changes the version a
 * senior officer is signing. Outside the rows `ReturnsRepo.load` reads.
 */
export interface DeadlineOverride {
  cycleId: string;
  agencyId: string;
  /** yyyy-mm-dd */
  deadline: string;
  setAt: string;
  setBy: string;
  etag: string;
}

const ROW = "deadline";

export class DeadlineOverridesRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Returns");
  }

  async get(cycleId: string, agencyId: string): Promise<DeadlineOverride | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(returnPartition(cycleId, agencyId), ROW);
      return { cycleId, agencyId, deadline: String(e.deadline ?? ""), setAt: String(e.setAt ?? ""), setBy: String(e.setBy ?? ""), etag: e.etag };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Creates the row, or replaces it on the ETag read (`etag` undefined: only if there is none yet). */
  async set(o: Omit<DeadlineOverride, "etag">, etag: string | undefined): Promise<void> {
    const entity = { partitionKey: returnPartition(o.cycleId, o.agencyId), rowKey: ROW, deadline: o.deadline, setAt: o.setAt, setBy: o.setBy };
    if (etag) await this.table.updateEntity(entity, "Replace", { etag });
    else await this.table.createEntity(entity);
  }

  /** Every agency's own deadline in a cycle, in one query. */
  async listForCycle(cycleId: string): Promise<Map<string, DeadlineOverride>> {
    const lo = key(cycleId) + "|";
    const hi = key(cycleId) + "}";
    const out = new Map<string, DeadlineOverride>();
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey ge ${lo} and PartitionKey lt ${hi} and RowKey eq ${ROW}` } })) {
      const [, agencyId] = splitKey(e.partitionKey!);
      out.set(agencyId, { cycleId, agencyId, deadline: String(e.deadline ?? ""), setAt: String(e.setAt ?? ""), setBy: String(e.setBy ?? ""), etag: e.etag });
    }
    return out;
  }
}
