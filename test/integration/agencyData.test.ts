/** Export and deletion of one agency's data (backup, subject access, leaver requests) against a real Azurite. */
import { odata, type TableClient } from "@azure/data-tables";
import { closeAgencyMatches, DeleteNotConfirmedError, deleteAgency, exportAgency, UnknownAgencyError, type AgencyDataProgress, type AgencyExport } from "../../src/admin/agencyData";
import { adminHarness, type AdminHarness } from "../support/adminHarness";
import type { Actor } from "../../src/people/actor";
import type { Answer } from "../../src/section11/answer";
import type { Agency } from "../../src/storage/agenciesRepo";
import { holderKey } from "../../src/storage/grantsRepo";
import { key, splitKey } from "../../src/storage/keys";
import type { Person } from "../../src/storage/peopleRepo";
import { returnPartition } from "../../src/storage/returnsRepo";
import { TABLE_NAMES, TableStore, type TableName } from "../../src/storage/tableStore";
import { columnsOf } from "../../src/section11/answer";

const TENANT = "11111111-2222-3333-4444-555555555555";
const ADMIN: Actor = { principal: { tenantId: TENANT, aadObjectId: "aaaaaaaa-0000-0000-0000-000000000001" }, name: "Bea Manager" };
const HANNAH: Person = { tenantId: "99999999-0000-0000-0000-000000000009", aadObjectId: "cccccccc-0000-0000-0000-000000000003", name: "Hannah Marsh", email: "hannah@alpha.example", upn: "hannah@alpha.example", conversation: "", firstSeenAt: "2025-06-01T08:00:00.000Z" };
const OLU: Person = { tenantId: "99999999-0000-0000-0000-000000000009", aadObjectId: "dddddddd-0000-0000-0000-000000000004", name: "Olu Adeyemi", email: "olu@alpha.example", upn: "olu@alpha.example", conversation: "", firstSeenAt: "2025-06-01T08:00:00.000Z" };
const ALPHA = "alpha-trust";
const ANNEX = "alpha-trust-annex"; // shares a prefix with ALPHA: must never be caught by it
const OBRIEN = "o'brien";

const blank: Answer = { evidence: "", naReason: "", actionText: "", actionOwner: "", actionDue: "" };

interface World {
  s: AdminHarness;
  store: TableStore;
  cycle1: string;
  cycle2: string;
  clock: { t: number };
}

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string };

async function dump(table: TableClient): Promise<Row[]> {
  const out: Row[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>()) out.push(e as Row);
  return out.sort((a, b) => (a.partitionKey + "\u0000" + a.rowKey).localeCompare(b.partitionKey + "\u0000" + b.rowKey));
}

async function dumpAll(store: TableStore): Promise<Record<TableName, Row[]>> {
  const out = {} as Record<TableName, Row[]>;
  for (const name of TABLE_NAMES) out[name] = await dump(store.table(name));
  return out;
}

/** Is this stored row part of the agency (what deleteAgency must remove)? */
function belongsTo(table: TableName, row: Row, agencyId: string): boolean {
  if (table === "Agencies") return row.rowKey === agencyId;
  if (table === "Returns") return splitKey(row.partitionKey)[1] === agencyId;
  if (table === "Grants") return row.partitionKey === key("a", agencyId) || (row.partitionKey.startsWith("h|") && splitKey(row.rowKey)[1] === agencyId);
  return false;
}

async function answer(w: World, pk: string, indicatorId: string, a: Partial<Answer>, who: Person, at: string): Promise<void> {
  const stored = (await w.s.returns.getAnswer(pk, indicatorId))!;
  await w.s.returns.saveAnswer(pk, indicatorId, stored.etag, columnsOf({ ...blank, ...a }), { name: who.name, key: `${who.tenantId}:${who.aadObjectId}` }, at);
}

async function build(): Promise<World> {
  const clock = { t: Date.parse("2025-06-02T09:00:00Z") };
  const s = await adminHarness({ ADMIN_AAD_OBJECT_IDS: `${TENANT}:${ADMIN.principal.aadObjectId}` }, () => new Date(clock.t));
  const store = s.store;
  const w: World = { s, store, cycle1: "audit-2024-26", cycle2: "audit-2025-27", clock };

  // Two cycles (created an hour apart, so the newest is first), both open.
  for (const name of ["Audit 2024-26", "Audit 2025-27"]) {
    const r = await s.admin.createCycle(ADMIN, { name, deadline: "2025-11-30", partnerships: "Westmere", templateId: "s11-default" });
    if (r.view !== "message") throw new Error(`cycle not created: ${JSON.stringify(r.data)}`);
    clock.t += 3_600_000;
  }
  for (const name of ["Alpha Trust", "Alpha Trust Annex"]) {
    const form = await s.admin.createAgency(ADMIN, { name, sector: "health", partnerships: "Westmere" });
    expect(form.problems).toEqual([]);
  }
  // Hannah leads both agencies, Olu signs off Alpha; someone not yet linked is waiting on an e-mail grant.
  await s.admin.assign(ADMIN, { agencyId: ALPHA, role: "lead", email: HANNAH.email, personName: HANNAH.name });
  await s.admin.assign(ADMIN, { agencyId: ANNEX, role: "lead", email: HANNAH.email, personName: HANNAH.name });
  await s.admin.assign(ADMIN, { agencyId: ALPHA, role: "officer", email: OLU.email, personName: OLU.name });
  await s.admin.assign(ADMIN, { agencyId: ALPHA, role: "lead", email: "deputy@alpha.example", personName: "Dee Puty" });
  await s.access.link(HANNAH);
  await s.access.link(OLU);

  // Alpha's 2024-26 return: every indicator answered, one of them three times, then submitted.
  const pk1 = returnPartition(w.cycle1, ALPHA);
  const ids = [...(await s.returns.load(pk1))!.answers.keys()];
  for (const [i, id] of ids.entries()) await answer(w, pk1, id, { rating: "fully", evidence: `Alpha evidence ${id}` }, HANNAH, new Date(clock.t + i * 1000).toISOString());
  await answer(w, pk1, ids[0], { rating: "partially", evidence: "First try", actionText: "Fix it", actionOwner: "Dee", actionDue: "2025-09-01" }, HANNAH, "2025-06-03T10:00:00.000Z");
  await answer(w, pk1, ids[0], { rating: "fully", evidence: "Fixed: audit trail in place" }, OLU, "2025-06-04T10:00:00.000Z");
  // Sent for sign-off by Hannah and signed off by Olu, through the service.
  const savedClock = clock.t;
  clock.t = Date.parse("2025-06-05T09:00:00Z");
  await s.returnService.requestSignoff({ principal: HANNAH, name: HANNAH.name }, pk1);
  clock.t = Date.parse("2025-06-05T10:00:00Z");
  const approved = await s.returnService.approve({ principal: OLU, name: OLU.name }, pk1);
  expect(String(approved.view.notice?.text)).toContain("Signed off and submitted");
  clock.t = savedClock;
  // After submission Hannah changes one answer: the first-submission copy must keep the old one.
  await answer(w, pk1, ids[1], { rating: "not", evidence: "Found a gap", actionText: "Train staff", actionOwner: "Hannah", actionDue: "2025-10-01" }, HANNAH, "2025-06-06T10:00:00.000Z");

  // Alpha's 2025-27 return: one answer, plus 150 rows the export does not know (more than one 100-row batch).
  const pk2 = returnPartition(w.cycle2, ALPHA);
  await answer(w, pk2, ids[2], { rating: "na", naReason: "We do not run that service" }, HANNAH, "2025-06-07T10:00:00.000Z");
  const returnsTable = store.table("Returns");
  for (let i = 0; i < 150; i += 100) {
    await returnsTable.submitTransaction(Array.from({ length: Math.min(100, 150 - i) }, (_, j) => ["create", { partitionKey: pk2, rowKey: `zz|${String(i + j).padStart(4, "0")}`, note: "legacy row" }] as ["create", { partitionKey: string; rowKey: string; note: string }]));
  }

  // The Annex: a couple of answers in each cycle.
  for (const cycleId of [w.cycle1, w.cycle2]) await answer(w, returnPartition(cycleId, ANNEX), ids[0], { rating: "fully", evidence: "ANNEX-ONLY evidence" }, HANNAH, "2025-06-08T10:00:00.000Z");

  // An agency whose id has a quote (not a slug the admin card would make, but the store allows it).
  const obrien: Agency = { agencyId: OBRIEN, name: "O'Brien's \"Trust\"", sector: "voluntary", partnerships: ["Westmere"], createdAt: "2025-06-02T09:00:00.000Z", createdBy: "test" };
  expect(await s.agencies.create(obrien)).toBe(true);
  for (const cycleId of [w.cycle1, w.cycle2]) await s.returnService.ensureReturn((await s.cycles.get(cycleId))!, obrien);
  await s.access.grant({ role: "lead", agencyId: OBRIEN, agencyName: obrien.name, holder: { kind: "person", principal: HANNAH }, name: HANNAH.name, email: HANNAH.email, by: "test" });
  await answer(w, returnPartition(w.cycle1, OBRIEN), ids[0], { rating: "fully", evidence: "It's all in O'Brien's folder" }, HANNAH, "2025-06-09T10:00:00.000Z");
  return w;
}

describe("exportAgency / deleteAgency", () => {
  let w: World;
  let exported: AgencyExport;
  beforeAll(async () => {
    w = await build();
  }, 60_000);

  it("exports everything of the agency and nothing of any other", async () => {
    const progress: AgencyDataProgress[] = [];
    exported = await exportAgency({ store: w.store, now: () => new Date(w.clock.t) }, ALPHA, { onProgress: (p) => { progress.push(p); } });

    expect(exported).toMatchObject({ format: 2, kind: "agency-export", exportedAt: new Date(w.clock.t).toISOString() });
    expect(exported.agency).toMatchObject({ agencyId: ALPHA, name: "Alpha Trust", sector: "health", partnerships: ["Westmere"] });
    expect(JSON.parse(JSON.stringify(exported))).toEqual(exported);

    // Newest cycle first, each return complete.
    expect(exported.returns.map((r) => r.cycleId)).toEqual([w.cycle2, w.cycle1]);
    const [r2, r1] = exported.returns;
    expect(r1.cycle).toMatchObject({ name: "Audit 2024-26", deadline: "2025-11-30", status: "open", templateId: "s11-default" });
    expect(r1.header).toMatchObject({ agencyId: ALPHA, cycleId: w.cycle1, status: "submitted", submissionCount: 1, signedOffBy: OLU.name });
    expect(r1.answers).toHaveLength(42);
    expect(r1.answers.every((a) => a.rating !== null && a.updatedAt !== "")).toBe(true);
    const [first, second] = r1.answers;
    expect(first).toMatchObject({ rating: "fully", evidence: "Fixed: audit trail in place", updatedBy: OLU.name, updatedByKey: `${OLU.tenantId}:${OLU.aadObjectId}`, updatedAt: "2025-06-04T10:00:00.000Z" });
    // The whole audit trail: every change with who, when and what the answer became.
    expect(first.history).toEqual([
      expect.objectContaining({ at: "2025-06-04T10:00:00.000Z", by: OLU.name, rating: "fully", evidence: "Fixed: audit trail in place", actionText: "" }),
      expect.objectContaining({ at: "2025-06-03T10:00:00.000Z", by: HANNAH.name, rating: "partially", evidence: "First try", actionText: "Fix it", actionOwner: "Dee", actionDue: "2025-09-01" }),
      expect.objectContaining({ at: expect.stringMatching(/^2025-06-02T1/), by: HANNAH.name, rating: "fully" }),
    ]);
    expect(second).toMatchObject({ rating: "not", evidence: "Found a gap", actionText: "Train staff", actionDue: "2025-10-01" });
    expect(r1.access.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { tenantId: HANNAH.tenantId, aadObjectId: HANNAH.aadObjectId, name: HANNAH.name, roles: ["lead"] },
      { tenantId: OLU.tenantId, aadObjectId: OLU.aadObjectId, name: OLU.name, roles: ["officer"] },
    ]);
    // The first-submission copy: as it was when signed off, with who saved each answer.
    expect(r1.firstSubmission!.header).toMatchObject({ status: "submitted", firstSubmittedAt: "2025-06-05T10:00:00.000Z", submissionCount: 1 });
    expect(r1.submissions).toEqual([expect.objectContaining({ number: 1, at: "2025-06-05T10:00:00.000Z", signedOffBy: OLU.name, requestedBy: HANNAH.name })]);
    expect(r1.firstSubmission!.answers).toHaveLength(42);
    expect(r1.firstSubmission!.answers[1]).toMatchObject({ indicatorId: second.indicatorId, rating: "fully", evidence: `Alpha evidence ${second.indicatorId}`, updatedBy: HANNAH.name });
    expect(r1.otherRows).toEqual([]);
    // header, answers, access rows, history (42 + 3), the decision, the snapshot (header + 5 chunks), the reporting summary
    expect(r1.rowCount).toBe(1 + 42 + 2 + 45 + 1 + 6 + 1);

    expect(r2.header).toMatchObject({ status: "draft", submissionCount: 0 });
    expect(r2.firstSubmission).toBeNull();
    expect(r2.answers.filter((a) => a.updatedAt)).toEqual([expect.objectContaining({ rating: "na", naReason: "We do not run that service" })]);
    expect(r2.otherRows).toHaveLength(150);
    expect(r2.otherRows[0]).toMatchObject({ partitionKey: returnPartition(w.cycle2, ALPHA), rowKey: "zz|0000", note: "legacy row" });
    expect(r2.rowCount).toBe(1 + 42 + 2 + 1 + 150 + 1);

    // Grants on both sides: Hannah (lead), Olu (officer), and the e-mail still waiting.
    const summary = (gs: AgencyExport["grants"]["agencySide"]) => gs.map((g) => `${g.role} ${g.holder} ${g.personName}`).sort();
    const expected = [`lead ${holderKey({ kind: "email", email: "deputy@alpha.example" })} Dee Puty`, `lead ${holderKey({ kind: "person", principal: HANNAH })} ${HANNAH.name}`, `officer ${holderKey({ kind: "person", principal: OLU })} ${OLU.name}`].sort();
    expect(summary(exported.grants.agencySide)).toEqual(expected);
    expect(summary(exported.grants.holderSide)).toEqual(expected);
    expect(exported.grants.agencySide.every((g) => g.partitionKey === `a|${ALPHA}` && g.agencyId === ALPHA)).toBe(true);
    expect(exported.grants.holderSide.every((g) => g.partitionKey.startsWith("h|") && g.rowKey.endsWith(`|${ALPHA}`))).toBe(true);
    expect(exported.grants.otherRows).toEqual([]);

    expect(exported.counts).toEqual({
      returns: 2,
      submittedReturns: 1,
      answerRows: 84,
      answered: 43,
      historyEntries: 42 + 2 + 1 + 1,
      accessRows: 4,
      grants: { agencySide: 3, holderSide: 3 },
      storedRows: r1.rowCount + r2.rowCount + 6 + 1,
    });

    // Nothing of the Annex (same prefix, same lead) or of O'Brien's.
    const text = JSON.stringify(exported);
    for (const other of ["Alpha Trust Annex", ANNEX, "ANNEX-ONLY", "O'Brien", "brien"]) expect(text).not.toContain(other);

    expect(progress.filter((p) => p.step === "return").map((p) => p.step === "return" && [p.cycleId, p.done, p.total])).toEqual([[w.cycle2, 1, 2], [w.cycle1, 2, 2]]);
    expect(progress.map((p) => p.step)).toEqual(["return", "return", "grants", "grants", "agency"]);
  });

  it("refuses an unknown agency and suggests close matches", async () => {
    const err = await exportAgency({ store: w.store }, "alpha-trsut").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownAgencyError);
    expect((err as UnknownAgencyError).suggestions.map((a) => a.agencyId)).toEqual([ALPHA]);
    const part = (await exportAgency({ store: w.store }, "alpha").catch((e: unknown) => e)) as UnknownAgencyError;
    expect(part.suggestions.map((a) => a.agencyId)).toEqual([ALPHA, ANNEX]);
    await expect(exportAgency({ store: w.store }, "*")).rejects.toBeInstanceOf(UnknownAgencyError);
    await expect(deleteAgency({ store: w.store }, "nobody", { confirm: "nobody" })).rejects.toBeInstanceOf(UnknownAgencyError);
    const all = await w.s.agencies.list();
    expect(closeAgencyMatches(all, "O'Brien").map((a) => a.agencyId)).toEqual([OBRIEN]);
    expect(closeAgencyMatches(all, "Alpha Trust Annex").map((a) => a.agencyId)[0]).toBe(ANNEX);
    expect(closeAgencyMatches(all, "zzz")).toEqual([]);
  });

  it("refuses to delete without the agency id repeated, and changes nothing", async () => {
    const before = await dumpAll(w.store);
    for (const confirm of [undefined, "", "yes", "Alpha-Trust", `${ALPHA} `, ANNEX]) {
      await expect(deleteAgency({ store: w.store }, ALPHA, { confirm })).rejects.toBeInstanceOf(DeleteNotConfirmedError);
    }
    await expect(deleteAgency({ store: w.store }, ALPHA)).rejects.toThrow(/needs its id repeated/);
    expect(await dumpAll(w.store)).toEqual(before);
  });

  it("deletes the agency's returns, grants and row, and nothing else (People rows stay)", async () => {
    const before = await dumpAll(w.store);
    const annexBefore = await exportAgency({ store: w.store, now: () => new Date(w.clock.t) }, ANNEX);
    const progress: AgencyDataProgress[] = [];
    const batches = jest.spyOn(w.store.table("Returns"), "submitTransaction");
    const counts = await deleteAgency({ store: w.store }, ALPHA, { confirm: ALPHA, onProgress: (p) => { progress.push(p); } });
    // One transaction per at most 100 rows of one partition: 98 rows, then 100 + 97.
    const calls = batches.mock.calls.map(([actions]) => actions);
    batches.mockRestore();
    expect(calls.map((actions) => actions.length).sort((a, b) => a - b)).toEqual([97, 98, 100]);
    expect(calls.every((actions) => actions.every(([kind]) => kind === "delete") && new Set(actions.map(([, e]) => e.partitionKey)).size === 1)).toBe(true);
    expect(counts).toEqual({ returns: 2, returnRows: exported.returns[0].rowCount + exported.returns[1].rowCount, grantRows: { agencySide: 3, holderSide: 3 }, agencyRows: 1 });
    expect(progress.map((p) => p.step)).toEqual(["grants", "grants", "return", "return", "agency"]);

    const after = await dumpAll(w.store);
    for (const name of TABLE_NAMES) {
      expect(after[name].filter((row) => belongsTo(name, row, ALPHA))).toEqual([]);
      expect(after[name]).toEqual(before[name].filter((row) => !belongsTo(name, row, ALPHA)));
    }
    expect(after.People).toEqual(before.People);
    expect(after.People.length).toBeGreaterThanOrEqual(2);
    expect(await w.s.people.get(HANNAH)).toMatchObject({ name: HANNAH.name });
    expect(await w.s.people.get(OLU)).toMatchObject({ name: OLU.name });
    // Hannah still leads the Annex and O'Brien's; Olu has no role left.
    expect((await w.s.grants.forHolder(holderKey({ kind: "person", principal: HANNAH }))).map((g) => g.agencyId).sort()).toEqual([ANNEX, OBRIEN]);
    expect(await w.s.grants.forHolder(holderKey({ kind: "person", principal: OLU }))).toEqual([]);
    expect(await w.s.agencies.get(ALPHA)).toBeUndefined();
    expect(await w.s.returns.load(returnPartition(w.cycle1, ALPHA))).toBeUndefined();
    expect(await exportAgency({ store: w.store, now: () => new Date(w.clock.t) }, ANNEX)).toEqual(annexBefore);

    // A second delete finds nothing to delete.
    await expect(deleteAgency({ store: w.store }, ALPHA, { confirm: ALPHA })).rejects.toBeInstanceOf(UnknownAgencyError);
  });

  it("exports and deletes an agency whose id has a quote", async () => {
    const exp = await exportAgency({ store: w.store }, OBRIEN);
    expect(exp.agency).toMatchObject({ agencyId: OBRIEN, name: "O'Brien's \"Trust\"" });
    expect(exp.returns.map((r) => r.returnId).sort()).toEqual([returnPartition(w.cycle1, OBRIEN), returnPartition(w.cycle2, OBRIEN)].sort());
    expect(exp.returns.flatMap((r) => r.answers).filter((a) => a.updatedAt).map((a) => a.evidence)).toEqual(["It's all in O'Brien's folder"]);
    expect(exp.grants.agencySide).toEqual([expect.objectContaining({ role: "lead", agencyId: OBRIEN, personName: HANNAH.name })]);
    expect(exp.grants.holderSide).toEqual([expect.objectContaining({ role: "lead", agencyId: OBRIEN, partitionKey: key("h", holderKey({ kind: "person", principal: HANNAH })) })]);
    expect(exp.returns.every((r) => r.access.length === 1)).toBe(true);

    const before = await dumpAll(w.store);
    const counts = await deleteAgency({ store: w.store }, OBRIEN, { confirm: OBRIEN });
    expect(counts).toEqual({ returns: 2, returnRows: exp.counts.storedRows - 3, grantRows: { agencySide: 1, holderSide: 1 }, agencyRows: 1 });
    const after = await dumpAll(w.store);
    for (const name of TABLE_NAMES) expect(after[name]).toEqual(before[name].filter((row) => !belongsTo(name, row, OBRIEN)));
    expect(after.Returns.some((row) => splitKey(row.partitionKey)[1] === OBRIEN)).toBe(false);
    expect(await w.store.table("Grants").listEntities({ queryOptions: { filter: odata`PartitionKey eq ${key("a", OBRIEN)}` } }).next()).toMatchObject({ done: true });
    // The Annex is still whole.
    expect((await exportAgency({ store: w.store }, ANNEX)).counts.returns).toBe(2);
  });
});
