import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { key } from "./keys";
import { normaliseEmail } from "./peopleRepo";
import { principalKey, type Principal } from "./principal";

/**
 * What a person may do. A grant is held either by a linked person (tenant + object id) or,
 * until they first talk to the bot, by the e-mail address the admin registered. Each grant is
 * written twice: under the holder (what can I do?) and under the agency (who works on it?).
 */
export const ROLES = ["admin", "lead", "officer"] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_LABELS: Record<Role, string> = { admin: "Partnership admin", lead: "Safeguarding lead", officer: "Senior officer (signs off)" };

export type Holder = { kind: "person"; principal: Principal } | { kind: "email"; email: string };

export const holderKey = (h: Holder) => (h.kind === "person" ? `p:${principalKey(h.principal)}` : `e:${normaliseEmail(h.email)}`);

export const grantSchema = z.object({
  role: z.enum(ROLES),
  /** "*" for partnership-wide roles such as admin. */
  agencyId: z.string(),
  holder: z.string(),
  /** The agency's name (for "what can I do?" without another read). */
  name: z.string().catch(""),
  /** The holder's display name, for access rows and "sent to X" messages. */
  personName: z.string().catch(""),
  email: z.string().catch(""),
  grantedAt: z.string().catch(""),
  grantedBy: z.string().catch(""),
});
export type Grant = z.infer<typeof grantSchema>;

const HOLDER = "h";
const AGENCY = "a";

export class GrantsRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Grants");
  }

  async add(g: Grant): Promise<void> {
    const cols = { role: g.role, agencyId: g.agencyId, holder: g.holder, name: g.name, personName: g.personName, email: g.email, grantedAt: g.grantedAt, grantedBy: g.grantedBy };
    await this.table.upsertEntity({ partitionKey: key(HOLDER, g.holder), rowKey: key(g.role, g.agencyId), ...cols }, "Replace");
    await this.table.upsertEntity({ partitionKey: key(AGENCY, g.agencyId), rowKey: key(g.role, g.holder), ...cols }, "Replace");
  }

  async remove(g: Pick<Grant, "role" | "agencyId" | "holder">): Promise<void> {
    for (const [pk, rk] of [[key(HOLDER, g.holder), key(g.role, g.agencyId)], [key(AGENCY, g.agencyId), key(g.role, g.holder)]]) {
      try {
        await this.table.deleteEntity(pk, rk);
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 404) throw e;
      }
    }
  }

  forHolder(holder: string): Promise<Grant[]> {
    return this.inPartition(key(HOLDER, holder));
  }

  forAgency(agencyId: string): Promise<Grant[]> {
    return this.inPartition(key(AGENCY, agencyId));
  }

  /** A malformed row (written by hand, or by an older version) is skipped rather than failing the turn. */
  private async inPartition(pk: string): Promise<Grant[]> {
    const out: Grant[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk}` } })) {
      const parsed = grantSchema.safeParse(e);
      if (parsed.success) out.push(parsed.data);
    }
    return out;
  }
}

export function holderPrincipal(holder: string): Principal | undefined {
  if (!holder.startsWith("p:")) return undefined;
  const [tenantId, aadObjectId] = holder.slice(2).split(":");
  return tenantId && aadObjectId ? { tenantId, aadObjectId } : undefined;
}
