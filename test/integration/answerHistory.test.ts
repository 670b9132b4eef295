import { TableStore } from "../../src/storage/tableStore";
import { ReturnsRepo, HISTORY_TRIM_AT, returnPartition } from "../../src/storage/returnsRepo";
import { testTablesConnectionString, uniquePrefix } from "../support/tablePrefix";
import { EMPTY_ANSWER } from "../../src/section11/answer";

/** Every change records who and when, on the answer row itself, without a read before the write. */
let repo: ReturnsRepo;
const pk = returnPartition("c1", "a1");

beforeAll(async () => {
  const store = new TableStore({ connectionString: testTablesConnectionString(), prefix: uniquePrefix() });
  await store.ensureTables();
  repo = new ReturnsRepo(store);
  await repo.create({ cycleId: "c1", agencyId: "a1", agencyName: "A", sector: "health", templateId: "t", templateVersion: 1, status: "draft", createdAt: "", submissionCount: 0 }, ["1.1"]);
});

test("each save adds who, when and the rating; the newest 20 are shown, newest first", async () => {
  let row = (await repo.getAnswer(pk, "1.1"))!;
  for (let i = 0; i < 25; i++) {
    const at = new Date(Date.UTC(2026, 10, 1, 9, i)).toISOString();
    await repo.updateAnswer(pk, row, { ...EMPTY_ANSWER, rating: i % 2 ? "fully" : "partially", evidence: `v${i}` }, { name: `Lead ${i}`, key: "k" }, at);
    row = (await repo.getAnswer(pk, "1.1"))!;
  }
  expect(row.historyCount).toBe(25);
  expect(row.history).toHaveLength(20);
  expect(row.history[0]).toMatchObject({ by: "Lead 24", rating: "partially" });
  expect(row.history[0].at > row.history[1].at).toBe(true);
  expect(row.updatedBy).toBe("Lead 24");
});

test("a long history is trimmed before the row nears Azure's 252-property limit, and a stale ETag still fails", async () => {
  let row = (await repo.getAnswer(pk, "1.1"))!;
  while (row.historyCount < HISTORY_TRIM_AT) {
    await repo.updateAnswer(pk, row, { ...EMPTY_ANSWER, rating: "fully", evidence: `n${row.historyCount}` }, { name: "Lead", key: "k" }, new Date(Date.UTC(2026, 10, 2, 0, 0, row.historyCount)).toISOString());
    row = (await repo.getAnswer(pk, "1.1"))!;
  }
  const stale = { ...row };
  await repo.updateAnswer(pk, row, { ...EMPTY_ANSWER, rating: "not", evidence: "after trim" }, { name: "Trimmer", key: "k" }, "2026-11-03T00:00:00.000Z");
  row = (await repo.getAnswer(pk, "1.1"))!;
  expect(row.historyCount).toBeLessThanOrEqual(HISTORY_TRIM_AT / 2 + 1);
  expect(row.history[0]).toMatchObject({ by: "Trimmer", rating: "not" });
  await expect(repo.updateAnswer(pk, stale, { ...EMPTY_ANSWER, rating: "fully" }, { name: "Late", key: "k" }, "2026-11-04T00:00:00.000Z")).rejects.toMatchObject({ statusCode: 412 });
});
