import { odata, type TableClient } from "@azure/data-tables";
import type { TableStore } from "./tableStore";
import { isConflict, isNotFound } from "./errors";
import { encodeKeyPart } from "./keys";

/** Templates are stored as JSON split into 30,000-character columns (a string property holds at most 32K UTF-16 units). */
const CHUNK = 30_000;
const version = (v: number) => String(v).padStart(6, "0");

export class TemplatesRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Templates");
  }

  async create(templateId: string, v: number, json: string, createdBy: string): Promise<boolean> {
    const cols: Record<string, string | number> = { chunks: Math.ceil(json.length / CHUNK), createdBy, createdAt: new Date().toISOString() };
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

  async latestVersion(templateId: string): Promise<number> {
    let max = 0;
    for await (const e of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${encodeKeyPart(templateId)}`, select: ["RowKey"] } })) {
      max = Math.max(max, Number(e.rowKey));
    }
    return max;
  }
}
