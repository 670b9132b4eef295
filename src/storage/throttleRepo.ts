import { odata, type TableClient } from "@azure/data-tables";
import type { TableStore } from "./tableStore";
import { isConflict, isNotFound, isPreconditionFailed } from "./errors";
import { encodeKeyPart } from "./keys";

/**
 * The shared "throttled until" time per tenant: after a 429 every instance backs off together
 * instead of each one finding the limit by itself. One small partition, read whole before each
 * dispatch round.
 */
const PK = "tenant";

export class ThrottleRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("DeliveryThrottle");
  }

  /** Tenant id (lower case) → ISO time until which nobody should send to it. */
  async all(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for await (const e of this.table.listEntities<{ tenantId?: string; until?: string }>({ queryOptions: { filter: odata`PartitionKey eq ${PK}` } })) {
      if (typeof e.tenantId === "string" && typeof e.until === "string") out.set(e.tenantId, e.until);
    }
    return out;
  }

  /** Moves the tenant's time later, never earlier (conditionally, so two instances' 429s cannot undo each other). */
  async raise(tenantId: string, untilIso: string): Promise<void> {
    const t = tenantId.toLowerCase();
    const rk = encodeKeyPart(t);
    for (let i = 0; i < 5; i++) {
      let current: { until?: string; etag: string } | undefined;
      try {
        current = await this.table.getEntity<{ until?: string }>(PK, rk);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      try {
        if (!current) {
          await this.table.createEntity({ partitionKey: PK, rowKey: rk, tenantId: t, until: untilIso });
          return;
        }
        if ((current.until ?? "") >= untilIso) return;
        await this.table.updateEntity({ partitionKey: PK, rowKey: rk, tenantId: t, until: untilIso }, "Merge", { etag: current.etag });
        return;
      } catch (e) {
        if (!isConflict(e) && !isPreconditionFailed(e)) throw e;
      }
    }
  }
}
