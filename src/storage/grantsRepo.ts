import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isNotFound } from "./errors";
import { key } from "./keys";
import { normaliseEmail } from "./peopleRepo";
import { principalKey, type Principal } from "./principal";

/**
 * What a person may do. A grant is held either by a linked person (tenant + object id) or,
 * until they first talk to the bot, by the e-mail address the admin registered. Each grant is
 * written twice: under the agency (who works on it?) and under the holder (what can I do?).
 */
export const ROLES = ["admin", "lead", "officer", "trainer"] as const;
export type Role = (typeof ROLES)[number];

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
  /** For a linked person: the sign-in name Teams reported, shown to admins beside the tenant. */
  upn: z.string().catch("").default(""),
  grantedAt: z.string().catch(""),
  grantedBy: z.string().catch(""),
  /**
   * For a grant waiting on an e-mail address: the last time someone signed in from another
   * organisation with that address and was not linked (JSON {tenantId, upn, at}).
   */
  refusedLink: z.string().catch("").default(""),
});
export type Grant = z.infer<typeof grantSchema>;

const HOLDER = "h";
const AGENCY = "a";

const columns = (g: Grant) => ({ role: g.role, agencyId: g.agencyId, holder: g.holder, name: g.name, personName: g.personName, email: g.email, upn: g.upn, grantedAt: g.grantedAt, grantedBy: g.grantedBy, refusedLink: g.refusedLink });

export class GrantsRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("Grants");
  }

  /** The agency side: what admins see. Written first when granting, removed last when revoking. */
  async putAgencySide(g: Grant): Promise<void> {
    await this.table.upsertEntity({ partitionKey: key(AGENCY, g.agencyId), rowKey: key(g.role, g.holder), ...columns(g) }, "Replace");
  }

  /** The holder side: what the person's rights are read from. */
  async putHolderSide(g: Grant): Promise<void> {
    await this.table.upsertEntity({ partitionKey: key(HOLDER, g.holder), rowKey: key(g.role, g.agencyId), ...columns(g) }, "Replace");
  }

  async removeHolderSide(g: Pick<Grant, "role" | "agencyId" | "holder">): Promise<void> {
    await this.deleteIfThere(key(HOLDER, g.holder), key(g.role, g.agencyId));
  }

  async removeAgencySide(g: Pick<Grant, "role" | "agencyId" | "holder">): Promise<void> {
    await this.deleteIfThere(key(AGENCY, g.agencyId), key(g.role, g.holder));
  }

  /** Notes on a waiting e-mail grant that someone from another organisation used its address. */
  async noteRefusedLink(g: Pick<Grant, "role" | "agencyId" | "holder">, refused: { tenantId: string; upn: string; at: string }): Promise<void> {
    await this.table.upsertEntity({ partitionKey: key(AGENCY, g.agencyId), rowKey: key(g.role, g.holder), refusedLink: JSON.stringify(refused) }, "Merge");
  }

  private async deleteIfThere(pk: string, rk: string): Promise<void> {
    try {
      await this.table.deleteEntity(pk, rk);
    } catch (e) {
      if (!isNotFound(e)) throw e;
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

export const holderEmail = (holder: string) => (holder.startsWith("e:") ? holder.slice(2) : undefined);
