/**
 * npx tsx bench/panel.ts: a challenge panel of 15 agencies (in a cycle of 60, each with a
 * submitted return of the default template) against an embedded, real Azurite. Prints the storage
 * requests and wall time (median of 5 warm runs) of a member opening the panel's page, one
 * agency's card, one indicator's card and the panel's CSV export; exits 1 when the panel's page takes more than 10
 * storage requests (the target) on its first (cold) load.
 */
import { loadConfig } from "../src/config";
import { createLogger } from "../src/log";
import { composeServices } from "../src/compose";
import { startEmbeddedAzurite } from "../src/storage/embeddedAzurite";
import { TableStore } from "../src/storage/tableStore";
import { returnPartition } from "../src/storage/returnsRepo";
import { fullSummary } from "../src/storage/summaryRow";
import { PanelsRepo } from "../src/storage/panelsRepo";
import { DEFAULT_TEMPLATE } from "../src/section11/templateCatalog";
import type { Sector } from "../src/storage/agenciesRepo";
import { addDays, ukDate } from "../src/time";
import { StorageCounter } from "./storageCounter";

const AGENCIES = 60;
const PANEL = 15;
const TARGET = 10;
const RUNS = 5;
const SECTORS: Sector[] = ["health", "police", "education", "local_authority", "voluntary", "secure_estate", "justice", "other"];
const out = (s = "") => process.stdout.write(s + "\n");
const RATINGS = ["fully", "fully", "fully", "partially", "not"];

async function main() {
  const azurite = await startEmbeddedAzurite({ inMemory: true });
  let failed = false;
  try {
    const counter = new StorageCounter();
    const store = new TableStore({ connectionString: azurite.connectionString, prefix: "panel", policies: [counter.policy] });
    await store.ensureTables();
    const config = loadConfig({ TABLES_CONNECTION_STRING: azurite.connectionString, TABLE_PREFIX: "panel", LOG_LEVEL: "silent" });
    const s = composeServices(config, store, createLogger("silent"));
    const today = ukDate(new Date());
    const ids = DEFAULT_TEMPLATE.standards.flatMap((st) => st.indicators.map((i) => i.id));
    await s.repos.cycles.create({ cycleId: "c1", name: "Bench cycle", deadline: addDays(today, 30), templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Benchshire"], status: "open", createdAt: new Date().toISOString(), createdBy: "bench" });
    const returns = store.table("Returns");
    for (let a = 0; a < AGENCIES; a++) {
      const agencyId = `ag-${String(a).padStart(3, "0")}`;
      const lead = { tenantId: "bench-tenant", aadObjectId: `lead-${a}`, name: `Lead ${a}`, roles: ["lead" as const] };
      await s.repos.agencies.create({ agencyId, name: `Bench agency ${a}`, sector: SECTORS[a % SECTORS.length], partnerships: ["Benchshire"], createdAt: "", createdBy: "bench" });
      await s.repos.returns.create({ cycleId: "c1", agencyId, agencyName: `Bench agency ${a}`, sector: SECTORS[a % SECTORS.length], templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, status: "submitted", createdAt: new Date().toISOString(), requestSeq: 1, submissionCount: 1, firstSubmittedAt: new Date().toISOString(), lastSubmittedAt: new Date().toISOString() }, ids, [lead]);
      const answers = ids.map((id, i) => ({ indicatorId: id, rating: RATINGS[(a + i) % RATINGS.length], actionDue: RATINGS[(a + i) % RATINGS.length] === "fully" ? "" : addDays(today, (i % 20) - 5), updatedAt: new Date().toISOString() }));
      const first = answers.map((x, i) => ({ ...x, rating: i % 7 === 0 ? "not" : x.rating }));
      await returns.upsertEntity({ partitionKey: returnPartition("c1", agencyId), rowKey: "summary", ...fullSummary(answers, first, { number: 1, answers: first }) }, "Replace");
      for (const x of answers) await returns.updateEntity({ partitionKey: returnPartition("c1", agencyId), rowKey: `ans|${x.indicatorId}`, rating: x.rating, evidence: `Evidence ${x.indicatorId} `.repeat(20), actionText: x.actionDue ? "An action" : "", actionOwner: x.actionDue ? "Owner" : "", actionDue: x.actionDue }, "Merge");
    }
    const member = { tenantId: "bench-tenant", aadObjectId: "member-1", name: "Panel Member", email: "member@bench.example" };
    const panelId = "pn-bench00001";
    await new PanelsRepo(store).create({ panelId, name: "Bench panel", date: today, cycleId: "c1", agencyIds: Array.from({ length: PANEL }, (_, i) => `ag-${String(i * 4).padStart(3, "0")}`), members: [member], createdAt: new Date().toISOString(), createdBy: "bench" });
    const actor = { principal: { tenantId: member.tenantId, aadObjectId: member.aadObjectId }, name: member.name };
    const returnId = returnPartition("c1", "ag-004");

    const measure = async (label: string, run: () => Promise<unknown>) => {
      const mark = counter.mark;
      await run();
      const cold = counter.since(mark).length;
      const times: number[] = [];
      let warm = 0;
      for (let i = 0; i < RUNS; i++) {
        const m = counter.mark;
        const t0 = performance.now();
        await run();
        times.push(performance.now() - t0);
        warm = counter.since(m).length;
      }
      times.sort((x, y) => x - y);
      out(`  ${label.padEnd(44)} ${String(cold).padStart(3)} requests cold, ${String(warm).padStart(3)} warm, ${times[Math.floor(times.length / 2)].toFixed(1).padStart(6)} ms median`);
      return { cold, warm };
    };

    out(`Challenge panel: ${PANEL} agencies in a cycle of ${AGENCIES}, default template (${ids.length} indicators), embedded Azurite`);
    const page = await measure(`panel page (${PANEL} agencies)`, () => s.panels.view(actor, panelId));
    await measure("one agency's card (ratings side by side)", () => s.panels.agency(actor, panelId, returnId));
    await measure("one indicator's card (with the conversation)", () => s.panels.indicator(actor, { panelId, returnId, indicatorId: "2.1" }));
    // The panel's export for its minutes: one query per submitted return (run at once), so it grows with the panel's agencies.
    await measure(`the panel's CSV export (${PANEL} agencies)`, () => s.panels.exportCsv(actor, panelId));
    const ok = page.cold <= TARGET;
    out(`  target: the panel page within ${TARGET} storage requests: ${ok ? "met" : "NOT MET"} (${page.cold})`);
    if (!ok) failed = true;
  } finally {
    await azurite.stop();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
