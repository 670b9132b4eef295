import { TableStore } from "../../src/storage/tableStore";
import { ReturnsRepo, returnPartition } from "../../src/storage/returnsRepo";
import { ActionsRepo } from "../../src/storage/actionsRepo";
import { actionsOfReturn, reminderBatchId } from "../../src/actions/model";
import { ReturnSummariesRepo } from "../../src/storage/returnSummariesRepo";
import { testTablesConnectionString, uniquePrefix } from "../support/tablePrefix";

/**
 * Answers carried forward into a new cycle bring their actions; one closed in the previous cycle
 * for the same due date stays done there (read with one more query), one given a new due date is
 * open again, and closing in the new cycle writes the new return's own row.
 */
let store: TableStore;
const prefix = uniquePrefix();
let returns: ReturnsRepo;
let actions: ActionsRepo;
const IDS = ["1.1", "1.2", "2.1"];
const head = (cycleId: string, extra: Record<string, unknown> = {}) => ({ cycleId, agencyId: "plover", agencyName: "Plover", sector: "education", templateId: "t", templateVersion: 1, status: "draft" as const, createdAt: "", requestSeq: 0, submissionCount: 0, ...extra });
const TODAY = "2026-12-02";

beforeAll(async () => {
  store = new TableStore({ connectionString: testTablesConnectionString(), prefix });
  await store.ensureTables();
  returns = new ReturnsRepo(store);
  actions = new ActionsRepo(store);
  const lead = { tenantId: "t", aadObjectId: "lead", name: "Lee", roles: ["lead" as const] };
  await returns.create(head("c0"), IDS, [lead]);
  await returns.create(head("c1", { carriedFrom: "c0" }), IDS, [lead]);
  const table = store.table("Returns");
  for (const cycle of ["c0", "c1"]) {
    await table.updateEntity({ partitionKey: returnPartition(cycle, "plover"), rowKey: "ans|1.1", rating: "partially", actionText: "Write it", actionOwner: "HR", actionDue: "2026-12-20" }, "Merge");
    await table.updateEntity({ partitionKey: returnPartition(cycle, "plover"), rowKey: "ans|1.2", rating: "not", actionText: "Do it", actionOwner: "CEO", actionDue: cycle === "c0" ? "2026-11-01" : "2027-03-01" }, "Merge");
  }
  const c0 = returnPartition("c0", "plover");
  await actions.close(c0, { actionId: "s.1.1", indicatorId: "1.1", due: "2026-12-20", evidence: "Written and issued", by: "Lee", byKey: "t:lead", at: "2026-11-20T10:00:00Z", source: "self" });
  await actions.close(c0, { actionId: "s.1.2", indicatorId: "1.2", due: "2026-11-01", evidence: "Done then", by: "Lee", byKey: "t:lead", at: "2026-10-20T10:00:00Z", source: "self" });
});

test("a carried action closed before for the same due date stays done; one with a new due date is open", async () => {
  for (const r of [(await actions.forReturn(returnPartition("c1", "plover")))!, (await actions.forCycle("c1"))[0]]) {
    const items = actionsOfReturn(r, undefined, TODAY);
    expect(items.find((a) => a.actionId === "s.1.1")).toMatchObject({ status: "done", evidence: "Written and issued", row: undefined });
    expect(items.find((a) => a.actionId === "s.1.2")).toMatchObject({ status: "open", evidence: "" });
  }
});

test("the closure is adopted into the new return once (with its summary cell), then read from there", async () => {
  const { composeServices } = await import("../../src/compose");
  const { loadConfig } = await import("../../src/config");
  const { createLogger } = await import("../../src/log");
  // The real services over the same tables, on a clock set to the morning of TODAY.
  const services = composeServices(loadConfig({ TABLES_CONNECTION_STRING: testTablesConnectionString(), TABLE_PREFIX: prefix, LOG_LEVEL: "silent" }), store, createLogger("silent"), () => new Date(`${TODAY}T09:00:00Z`));
  await services.repos.cycles.create({ cycleId: "c1", name: "C1", deadline: "2027-03-31", templateId: "t", templateVersion: 1, partnerships: ["W"], status: "open", createdAt: "", createdBy: "" });
  await services.actions.sweep();
  await services.actions.sweep();
  const pk = returnPartition("c1", "plover");
  const own = (await actions.forReturn(pk))!.rows.get("s.1.1")!;
  expect(own).toMatchObject({ status: "done", closedForDue: "2026-12-20", evidence: "Written and issued", closedBy: "Lee" });
  expect((await new ReturnSummariesRepo(store).read(pk))!.summary.actions!.selfDone.get("1.1")).toBe("2026-12-20");
  // No reminder for the done one.
  for (const point of ["before", "due"] as const) expect((await services.delivery.outbox.batchStatus(reminderBatchId(pk, "s.1.1", "2026-12-20", point))).total).toBe(0);
});

test("a return not carried forward reads no earlier cycle", async () => {
  const r = (await actions.forReturn(returnPartition("c0", "plover")))!;
  expect(r.carriedClosures).toBeUndefined();
  expect(actionsOfReturn(r, undefined, TODAY).map((a) => [a.actionId, a.status]).sort()).toEqual([["s.1.1", "done"], ["s.1.2", "done"]]);
});
