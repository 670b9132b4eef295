import { type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isConflict, isNotFound } from "./errors";

export const SECTORS = ["health", "police", "education", "local_authority", "voluntary", "secure_estate", "justice", "fire", "housing", "early_years", "other"] as const;
export type Sector = (typeof SECTORS)[number];
export const SECTOR_LABELS: Record<Sector, string> = {
  health: "Health",
  police: "Police",
  education: "Education",
  local_authority: "Local authority",
  voluntary: "Voluntary and community",
  secure_estate: "Secure estate",
  justice: "Probation and youth justice",
  fire: "Fire and rescue",
  housing: "Housing",
  early_years: "Early years",
  other: "Other",
};

export const agencySchema = z.object({
  agencyId: z.string(),
  name: z.string(),
  sector: z.enum(SECTORS).catch("other"),
  partnerships: z.array(z.string()),
  /**
   * The Microsoft 365 tenant the agency's staff sign in to, when the admin knows it. Access given
   * by e-mail then links only to a person in that tenant (see AccessService.link).
   */
  tenantId: z.string().catch("").default(""),
  createdAt: z.string().catch(""),
  createdBy: z.string().catch(""),
});
export type Agency = Omit<z.infer<typeof agencySchema>, "tenantId"> & { tenantId?: string };

/** A readable, stable id from the name, so registering the same agency twice collides instead of duplicating. */
export function agencyIdFor(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/&/g, " and ")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return slug || "agency";
}

const PK = "agency";

export class AgenciesRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Agencies");
  }

  private static fromEntity(e: Record<string, unknown>): Agency {
    return agencySchema.parse({ ...e, agencyId: e.rowKey, partnerships: String(e.partnerships ?? "").split("\n").filter(Boolean) });
  }

  /** False when an agency with the same id is already registered. */
  async create(a: Agency): Promise<boolean> {
    try {
      await this.table.createEntity({ partitionKey: PK, rowKey: a.agencyId, name: a.name, sector: a.sector, partnerships: a.partnerships.join("\n"), tenantId: (a.tenantId ?? "").toLowerCase(), createdAt: a.createdAt, createdBy: a.createdBy });
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  async upsert(a: Agency): Promise<void> {
    await this.table.upsertEntity({ partitionKey: PK, rowKey: a.agencyId, name: a.name, sector: a.sector, partnerships: a.partnerships.join("\n"), tenantId: (a.tenantId ?? "").toLowerCase(), createdAt: a.createdAt, createdBy: a.createdBy }, "Replace");
  }

  async get(agencyId: string): Promise<Agency | undefined> {
    try {
      return AgenciesRepo.fromEntity(await this.table.getEntity<Record<string, unknown>>(PK, agencyId));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list(): Promise<Agency[]> {
    const out: Agency[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>()) out.push(AgenciesRepo.fromEntity(e));
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}
