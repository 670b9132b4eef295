import { randomBytes } from "node:crypto";
import type { TableClient } from "@azure/data-tables";
import type { TableStore } from "./tableStore";
import { isNotFound } from "./errors";
import type { Principal } from "./principal";

/**
 * Files offered to a person (exports) between the offer and their "Allow": Teams asks them first,
 * and the answer can reach any instance, so the bytes wait here, not in memory. One entity holds
 * at most about 1 MB: base64 in 30,000-character columns, up to 700 KB of file.
 */
const CHUNK = 30_000;
export const MAX_OFFERED_FILE_BYTES = 700 * 1024;

export interface OfferedFile {
  id: string;
  owner: Principal;
  name: string;
  contentType: string;
  bytes: Buffer;
  createdAt: string;
}

export class FilesRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Files");
  }

  async put(f: Omit<OfferedFile, "id">): Promise<string> {
    if (f.bytes.byteLength > MAX_OFFERED_FILE_BYTES) throw new Error(`file too large to offer (${f.bytes.byteLength} bytes)`);
    const id = randomBytes(16).toString("base64url");
    const b64 = f.bytes.toString("base64");
    const cols: Record<string, string | number> = { ownerTenantId: f.owner.tenantId, ownerObjectId: f.owner.aadObjectId, name: f.name, contentType: f.contentType, createdAt: f.createdAt, chunks: Math.ceil(b64.length / CHUNK) };
    for (let i = 0; i * CHUNK < b64.length; i++) cols[`c${i}`] = b64.slice(i * CHUNK, (i + 1) * CHUNK);
    await this.table.createEntity({ partitionKey: id, rowKey: "file", ...cols });
    return id;
  }

  async get(id: string): Promise<OfferedFile | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(id, "file");
      let b64 = "";
      for (let i = 0; i < Number(e.chunks ?? 0); i++) b64 += String(e[`c${i}`] ?? "");
      return { id, owner: { tenantId: String(e.ownerTenantId), aadObjectId: String(e.ownerObjectId) }, name: String(e.name), contentType: String(e.contentType), createdAt: String(e.createdAt), bytes: Buffer.from(b64, "base64") };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.table.deleteEntity(id, "file");
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
