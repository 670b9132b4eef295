import type { TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isNotFound } from "./errors";

/** The partnership's own settings, changed by its admins in Teams. One row; absent = the defaults. */
export const settingsSchema = z.object({
  /** The person who signs a return off must not be the lead who asked for it. */
  separateSignoff: z.boolean(),
});
export type PartnershipSettings = z.infer<typeof settingsSchema>;

export class SettingsRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Settings");
  }

  async get(): Promise<{ settings?: PartnershipSettings; etag?: string }> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>("partnership", "settings");
      const parsed = settingsSchema.safeParse(e);
      return parsed.success ? { settings: parsed.data, etag: e.etag } : { etag: e.etag };
    } catch (e) {
      if (isNotFound(e)) return {};
      throw e;
    }
  }

  /** Conditional on the ETag read (or on the row not existing yet). */
  async put(settings: PartnershipSettings, etag: string | undefined): Promise<void> {
    const entity = { partitionKey: "partnership", rowKey: "settings", ...settings };
    if (etag) await this.table.updateEntity(entity, "Replace", { etag });
    else await this.table.createEntity(entity);
  }
}
