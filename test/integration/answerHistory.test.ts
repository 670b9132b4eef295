import { TableStore } from "../../src/storage/tableStore";
import { ReturnsRepo, returnPartition } from "../../src/storage/returnsRepo";
import { testTablesConnectionString, uniquePrefix } from "../support/tablePrefix";

/**
 * The audit trail: every save records the whole answer after it, who and when, in a row of its own
 * written in the same transaction as the answer (so a conflict writes neither), and never trimmed.
 */
let repo: ReturnsRepo;
const pk = returnPartition("c1", "a1");
const blank = { rating: "", evidence: "", naReason: "", actionText: "", actionOwner: "", actionDue: "" };

beforeAll(async () => {
  const store = new TableStore({ connectionString: testTablesConnectionString(), prefix: uniquePrefix() });
  await store.ensureTables();
  repo = new ReturnsRepo(store);
  await repo.create({ cycleId: "c1", agencyId: "a1", agencyName: "A", sector: "health", templateId: "t", templateVersion: 1, status: "draft", createdAt: "", requestSeq: 0, submissionCount: 0 }, ["1.1"], []);
});

test("each save records what the answer became, who and when; all of them, oldest first", async () => {
  let row = (await repo.getAnswer(pk, "1.1"))!;
  for (let i = 0; i < 250; i++) {
    const at = new Date(Date.UTC(2026, 10, 1, 9, 0, i)).toISOString();
    await repo.saveAnswer(pk, "1.1", row.etag, { ...blank, rating: i % 2 ? "fully" : "partially", evidence: `v${i} ${"é".repeat(3000)}`, actionText: i % 2 ? "" : "Brief managers" }, { name: `Lead ${i}`, key: "k" }, at);
    row = (await repo.getAnswer(pk, "1.1"))!;
  }
  const history = await repo.history(pk, "1.1");
  // Past the 252 properties a row may hold and far past 1 MB in all: nothing is trimmed or lost.
  expect(history).toHaveLength(250);
  expect(history[0]).toMatchObject({ by: "Lead 0", rating: "partially", actionText: "Brief managers" });
  expect(history[249]).toMatchObject({ by: "Lead 249", rating: "fully", actionText: "" });
  expect(history[249].evidence.startsWith("v249 ")).toBe(true);
  expect(row.updatedBy).toBe("Lead 249");
});

test("a save on a stale ETag writes neither the answer nor a history row", async () => {
  const before = (await repo.history(pk, "1.1")).length;
  const stale = "W/\"datetime'2020-01-01T00%3A00%3A00.0000000Z'\"";
  await expect(repo.saveAnswer(pk, "1.1", stale, { ...blank, rating: "not" }, { name: "Late", key: "k" }, new Date().toISOString())).rejects.toMatchObject({ statusCode: 412 });
  expect(await repo.history(pk, "1.1")).toHaveLength(before);
  expect((await repo.getAnswer(pk, "1.1"))!.rating).toBe("fully");
});
