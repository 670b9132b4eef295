import { odata, type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isNotFound } from "./errors";
import { encodeKeyPart } from "./keys";
import type { Principal } from "./principal";

/**
 * People the bot has met: (tenant, object id) with the e-mail Teams reported and the reference of
 * their personal chat, needed to message them later. An e-mail index row lets an admin's assignment by
 * e-mail reach someone who is already linked.
 */
export const personSchema = z.object({
  tenantId: z.string(),
  aadObjectId: z.string(),
  name: z.string().catch(""),
  email: z.string().catch(""),
  /** The sign-in name (UPN) Teams reported: shown to admins beside the tenant of who was linked. */
  upn: z.string().catch("").default(""),
  /** The reference of this person's personal (1:1) chat with the bot: never a channel or group chat. */
  conversation: z.string().catch(""),
  firstSeenAt: z.string().catch(""),
});
export type Person = z.infer<typeof personSchema>;

/** Index rows: one partition per e-mail address, one row per person reporting it (people in different tenants can). */
const emailPartition = (email: string) => `email|${encodeKeyPart(normaliseEmail(email))}`;

export const normaliseEmail = (e: string) => e.trim().toLowerCase();

export class PeopleRepo {
  private readonly table: TableClient;
  constructor(store: TableStore) {
    this.table = store.table("People");
  }

  async get(p: Principal): Promise<Person | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(p.tenantId.toLowerCase(), p.aadObjectId.toLowerCase());
      return personSchema.parse({ ...e, tenantId: e.partitionKey, aadObjectId: e.rowKey });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async upsert(person: Person): Promise<void> {
    const { tenantId, aadObjectId, ...rest } = person;
    await this.table.upsertEntity({ partitionKey: tenantId.toLowerCase(), rowKey: aadObjectId.toLowerCase(), ...rest }, "Merge");
    if (person.email) {
      const t = tenantId.toLowerCase();
      const o = aadObjectId.toLowerCase();
      await this.table.upsertEntity({ partitionKey: emailPartition(person.email), rowKey: `${t}:${o}`, tenantId: t, aadObjectId: o }, "Replace");
    }
  }

  /** Everyone who has reported this e-mail address to the bot, in any tenant. */
  async withEmail(email: string): Promise<Principal[]> {
    const out: Principal[] = [];
    for await (const e of this.table.listEntities<{ tenantId: string; aadObjectId: string }>({ queryOptions: { filter: odata`PartitionKey eq ${emailPartition(email)}` } })) {
      out.push({ tenantId: e.tenantId, aadObjectId: e.aadObjectId });
    }
    return out;
  }

  /**
   * The one person with this e-mail address, or undefined when nobody or more than one person
   * (in different organisations) reported it: an assignment by e-mail must never go to the wrong one.
   */
  async findByEmail(email: string): Promise<Principal | undefined> {
    const all = await this.withEmail(email);
    return all.length === 1 ? all[0] : undefined;
  }
}
