import { odata, type TableClient } from "@azure/data-tables";
import type { TableStore } from "./tableStore";
import { isConflict, isNotFound } from "./errors";
import { decodeKeyPart, encodeKeyPart } from "./keys";

/** Templates are stored as JSON split into 30,000-character columns (a string property holds at most 32K UTF-16 units). */
const CHUNK = 30_000;
const version = (v: number) => String(v).padStart(6, "0");

export class TemplatesRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Templates");
  }

  async create(templateId: string, v: number, json: string, createdBy: string, summary: { name: string; standards: number; indicators: number }): Promise<boolean> {
    const cols: Record<string, string | number> = { chunks: Math.ceil(json.length / CHUNK), createdBy, createdAt: new Date().toISOString(), ...summary };
    for (let i = 0; i * CHUNK < json.length; i++) cols[`body${i}`] = json.slice(i * CHUNK, (i + 1) * CHUNK);
    try {
      await this.table.createEntity({ partitionKey: encodeKeyPart(templateId), rowKey: version(v), ...cols });
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  async getJson(templateId: string, v: number): Promise<string | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(encodeKeyPart(templateId), version(v));
      let out = "";
      for (let i = 0; i < Number(e.chunks ?? 0); i++) out += String(e[`body${i}`] ?? "");
      return out;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Every stored template version, without bodies: for the cycle form's choice. */
  async list(): Promise<Array<{ id: string; version: number; name: string; standards: number; indicators: number }>> {
    const out = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { select: ["PartitionKey", "RowKey", "name", "standards", "indicators"] } })) {
      out.push({ id: decodeKeyPart(e.partitionKey!), version: Number(e.rowKey), name: String(e.name ?? ""), standards: Number(e.standards ?? 0), indicators: Number(e.indicators ?? 0) });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id) || b.version - a.version);
  }

  async latestVersion(templateId: string): Promise<number> {
    let max = 0;
    for await (const e of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${encodeKeyPart(templateId)}`, select: ["RowKey"] } })) {
      max = Math.max(max, Number(e.rowKey));
    }
    return max;
  }
}
