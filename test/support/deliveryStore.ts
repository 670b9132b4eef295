import { randomUUID } from "node:crypto";
import { TableStore } from "../../src/storage/tableStore";
import { testTablesConnectionString, uniquePrefix } from "./tablePrefix";

/** A fresh set of tables on the run's Azurite, for one test file (or one test). */
export async function freshStore(): Promise<TableStore> {
  const store = new TableStore({ connectionString: testTablesConnectionString(), prefix: uniquePrefix() });
  await store.ensureTables();
  return store;
}

export const tenantA = "00000000-0000-4000-8000-00000000aaaa";
export const tenantB = "00000000-0000-4000-8000-00000000bbbb";
export const newObjectId = () => randomUUID();

/** A clock tests move by hand. */
export function manualClock(start = new Date("2026-03-02T09:00:00.000Z")) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
    set(d: Date) {
      t = d.getTime();
    },
  };
}
