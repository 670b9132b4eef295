import { type TableClient } from "@azure/data-tables";
import { z } from "zod/v4";
import type { TableStore } from "./tableStore";
import { isNotFound } from "./errors";
import { encodeKeyPart } from "./keys";
import type { Principal } from "./principal";

/**
 * People the bot has met: (tenant, object id) with the e-mail Teams reported and the conversation
 * reference needed to message them later. An e-mail index row lets an admin's assignment by
 * e-mail reach someone who is already linked.
 */
export const personSchema = z.object({
  tenantId: z.string(),
  aadObjectId: z.string(),
  name: z.string().catch(""),
  email: z.string().catch(""),
  conversation: z.string().catch(""),
  firstSeenAt: z.string().catch(""),
});
export type Person = z.infer<typeof personSchema>;

const EMAIL_PK = "email";

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
      await this.table.upsertEntity({ partitionKey: EMAIL_PK, rowKey: encodeKeyPart(normaliseEmail(person.email)), tenantId: tenantId.toLowerCase(), aadObjectId: aadObjectId.toLowerCase() }, "Replace");
    }
  }

  async findByEmail(email: string): Promise<Principal | undefined> {
    try {
      const e = await this.table.getEntity<{ tenantId: string; aadObjectId: string }>(EMAIL_PK, encodeKeyPart(normaliseEmail(email)));
      return { tenantId: e.tenantId, aadObjectId: e.aadObjectId };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}
