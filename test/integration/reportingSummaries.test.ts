import { TableStore } from "../../src/storage/tableStore";
import { ReturnsRepo, returnPartition, returnVersion } from "../../src/storage/returnsRepo";
import { ReturnSummariesRepo } from "../../src/storage/returnSummariesRepo";
import { AgenciesRepo } from "../../src/storage/agenciesRepo";
import { CyclesRepo } from "../../src/storage/cyclesRepo";
import { TemplatesRepo } from "../../src/storage/templatesRepo";
import { TemplateCatalog } from "../../src/section11/templateCatalog";
import { ReportingService } from "../../src/reporting/summaries";
import { testTablesConnectionString, uniquePrefix } from "../support/tablePrefix";
import { StorageCounter } from "../../bench/storageCounter";

/**
 * The reporting copy of a return (its `summary` row) changes in the same transaction as the
 * answer or the sign-off it mirrors, so it can never disagree with them; the backfill computes the
 * same row from the stored answers and snapshots for returns written before it existed.
 */
const counter = new StorageCounter();
let store: TableStore;
let returns: ReturnsRepo;
let summaries: ReturnSummariesRepo;
let reporting: ReportingService;
const blank = { rating: "", evidence: "", naReason: "", actionText: "", actionOwner: "", actionDue: "" };
const IDS = ["1.1", "1.2", "2.1", "2.2"];
const who = { name: "Lead", key: "t:lead" };

async function newReturn(agencyId: string): Promise<string> {
  await returns.create({ cycleId: "c1", agencyId, agencyName: agencyId, sector: "health", templateId: "t", templateVersion: 1, status: "draft", createdAt: "", requestSeq: 0, submissionCount: 0 }, IDS, []);
  return returnPartition("c1", agencyId);
}

async function approve(pk: string, number: number): Promise<void> {
  let loaded = (await returns.load(pk))!;
  if (number > 1) {
    await returns.updateHeader(pk, { requestSeq: loaded.header.requestSeq + 1 }, loaded.headerEtag);
    loaded = (await returns.load(pk))!;
  }
  await returns.decide(loaded, { decision: "approved", by: "O", byKey: "t:o", at: `2026-0${number}-01T00:00:00.000Z`, version: returnVersion(loaded), patch: { status: "submitted", submissionCount: number, lastSubmittedAt: `2026-0${number}-01T00:00:00.000Z` }, snapshot: { number } });
}

beforeAll(async () => {
  store = new TableStore({ connectionString: testTablesConnectionString(), prefix: uniquePrefix(), policies: [counter.policy] });
  await store.ensureTables();
  returns = new ReturnsRepo(store);
  summaries = new ReturnSummariesRepo(store);
  reporting = new ReportingService({ summaries, returns, agencies: new AgenciesRepo(store), cycles: new CyclesRepo(store), catalog: new TemplateCatalog(new TemplatesRepo(store)), now: () => new Date() });
});

test("a save stays one request and merges only its own indicator into the summary; concurrent saves of other indicators are all kept", async () => {
  const pk = await newReturn("a1");
  const loaded = (await returns.load(pk))!;
  counter.reset();
  await returns.saveAnswer(pk, "1.1", loaded.answers.get("1.1")!.etag, { ...blank, rating: "partially", actionDue: "2026-05-01", evidence: "e" }, who, "2026-01-01T10:00:00.000Z");
  expect(counter.since(0)).toHaveLength(1);
  expect(counter.since(0)[0]).toMatchObject({ kind: "POST $batch", batchOps: 3 });
  await Promise.all(IDS.slice(1).map((id, i) => returns.saveAnswer(pk, id, loaded.answers.get(id)!.etag, { ...blank, rating: i % 2 ? "fully" : "not", actionDue: i % 2 ? "" : "2026-06-01" }, who, `2026-01-01T10:0${i + 1}:00.000Z`)));
  const s = (await summaries.read(pk))!.summary;
  expect(Object.fromEntries(s.current)).toEqual({
    "1.1": { rating: "partially", actionDue: "2026-05-01", updatedAt: "2026-01-01T10:00:00.000Z" },
    "1.2": { rating: "not", actionDue: "2026-06-01", updatedAt: "2026-01-01T10:01:00.000Z" },
    "2.1": { rating: "fully", actionDue: "", updatedAt: "2026-01-01T10:02:00.000Z" },
    "2.2": { rating: "not", actionDue: "2026-06-01", updatedAt: "2026-01-01T10:03:00.000Z" },
  });
});

test("a save on a stale ETag changes neither the answer nor the summary", async () => {
  const pk = returnPartition("c1", "a1");
  const before = await summaries.read(pk);
  await expect(returns.saveAnswer(pk, "1.1", "W/\"datetime'2020-01-01T00%3A00%3A00.0000000Z'\"", { ...blank, rating: "fully" }, who, "2026-02-01T00:00:00.000Z")).rejects.toMatchObject({ statusCode: 412 });
  expect(await summaries.read(pk)).toEqual(before);
});

test("approvals record the first submission once and the latest every time, in the decision's transaction", async () => {
  const pk = returnPartition("c1", "a1");
  await approve(pk, 1);
  let s = (await summaries.read(pk))!.summary;
  expect(s.first?.get("1.1")).toEqual({ rating: "partially", actionDue: "2026-05-01" });
  expect(s.latestNumber).toBe(1);
  const loaded = (await returns.load(pk))!;
  await returns.saveAnswer(pk, "1.1", loaded.answers.get("1.1")!.etag, { ...blank, rating: "fully", evidence: "done" }, who, "2026-03-01T00:00:00.000Z");
  s = (await summaries.read(pk))!.summary;
  expect(s.latest?.get("1.1")?.rating).toBe("partially"); // not signed off yet
  await approve(pk, 2);
  s = (await summaries.read(pk))!.summary;
  expect([s.first?.get("1.1")?.rating, s.latest?.get("1.1")?.rating, s.latestNumber]).toEqual(["partially", "fully", 2]);
});

test("the backfill computes the same row from the answers and snapshots, and never overwrites a save made meanwhile", async () => {
  const pk = returnPartition("c1", "a1");
  const kept = (await summaries.read(pk))!.summary;
  await store.table("Returns").deleteEntity(pk, "summary");
  const rebuilt = await reporting.backfill(pk);
  expect(rebuilt).toMatchObject({ complete: true, latestNumber: 2 });
  expect(Object.fromEntries(rebuilt!.current)).toEqual(Object.fromEntries(kept.current));
  expect(Object.fromEntries(rebuilt!.first!)).toEqual(Object.fromEntries(kept.first!));
  expect(Object.fromEntries(rebuilt!.latest!)).toEqual(Object.fromEntries(kept.latest!));

  // A backfill that read the row before a save must not write over it.
  const seen = (await summaries.read(pk))!;
  const loaded = (await returns.load(pk))!;
  await returns.saveAnswer(pk, "2.1", loaded.answers.get("2.1")!.etag, { ...blank, rating: "not", actionDue: "2026-09-01" }, who, "2026-04-01T00:00:00.000Z");
  expect(await summaries.write(pk, { v: 1 }, seen.etag)).toBe(false);
  expect((await summaries.read(pk))!.summary.current.get("2.1")?.rating).toBe("not");
});

test("a cycle's summaries are one query, whatever the number of answers", async () => {
  for (const a of ["a2", "a3", "a4"]) await newReturn(a);
  counter.reset();
  const rows = await summaries.listForCycle("c1");
  expect(rows.map((r) => r.header.agencyId).sort()).toEqual(["a1", "a2", "a3", "a4"]);
  expect(counter.since(0)).toHaveLength(1);
});
