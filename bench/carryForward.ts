/**
 * npx tsx bench/carryForward.ts: opening a cycle with carry forward at the seed partnership's size
 * (60 agencies x 60 indicators, every answer given in the previous cycle), through the admin's own
 * path (CycleAdmin.create: the cycle, its reminder plan, closing the previous cycle, carrying),
 * continued to the end as the stored job would. Prints wall time and storage requests by kind;
 * exits 1 when a target is missed:
 *   - one $batch per return partition (60), none over 100 operations;
 *   - every answer carried, once (a second run writes nothing);
 *   - at most 5 storage requests per agency in all.
 * Embedded in-memory Azurite. CARRY_BENCH_AGENCIES=60 changes the size.
 */
import { loadConfig } from "../src/config";
import { createLogger } from "../src/log";
import { composeServices } from "../src/compose";
import { startEmbeddedAzurite } from "../src/storage/embeddedAzurite";
import { TableStore } from "../src/storage/tableStore";
import { CarryForwardRepo } from "../src/storage/carryForwardRepo";
import { returnPartition } from "../src/storage/returnsRepo";
import { BENCH_INDICATOR_IDS as IDS, BENCH_TEMPLATE as TEMPLATE } from "./template60";
import type { Actor } from "../src/people/actor";
import { addDays, ukDate } from "../src/time";
import { StorageCounter } from "./storageCounter";
import { CARRY_BUDGET_MS } from "../src/cycles/feature";

const AGENCIES = Number(process.env.CARRY_BENCH_AGENCIES ?? 60);
const out = (s = "") => process.stdout.write(s + "\n");
const ADMIN: Actor = { principal: { tenantId: "00000000-0000-4000-8000-0000000000b1", aadObjectId: "00000000-0000-4000-8000-0000000000a1" }, name: "Bench Admin" };

async function main() {
  const azurite = await startEmbeddedAzurite({ inMemory: true });
  let failed = false;
  try {
    const counter = new StorageCounter();
    const store = new TableStore({ connectionString: azurite.connectionString, prefix: "carry", policies: [counter.policy] });
    await store.ensureTables();
    const config = loadConfig({ TABLES_CONNECTION_STRING: azurite.connectionString, TABLE_PREFIX: "carry", LOG_LEVEL: "silent", ADMIN_AAD_OBJECT_IDS: `${ADMIN.principal.tenantId}:${ADMIN.principal.aadObjectId}` });
    const s = composeServices(config, store, createLogger("silent"));
    await s.catalog.add({ ...TEMPLATE }, "bench").catch(() => undefined);
    const today = ukDate(new Date());

    // The previous cycle: every agency answered every indicator.
    const t0 = performance.now();
    const previous = { cycleId: "bench-previous", name: "Section 11 audit 2024-26", deadline: addDays(today, 30), templateId: TEMPLATE.id, templateVersion: 1, partnerships: ["Benchshire"], status: "open" as const, createdAt: new Date(Date.now() - 86_400_000).toISOString(), createdBy: "bench" };
    await s.repos.cycles.create(previous);
    const loader = new CarryForwardRepo(store);
    for (let a = 0; a < AGENCIES; a++) {
      const agencyId = `agency-${String(a).padStart(3, "0")}`;
      await s.repos.agencies.create({ agencyId, name: `Agency ${a + 1}`, sector: "health", partnerships: ["Benchshire"], createdAt: "", createdBy: "" });
      const answers = IDS.map((indicatorId, i) => ({ indicatorId, rating: i % 7 === 0 ? "partially" : "fully", evidence: `Evidence for ${indicatorId}: ${"x".repeat(400)}`, naReason: "", actionText: i % 7 === 0 ? "Finish it" : "", actionOwner: i % 7 === 0 ? "Lead" : "", actionDue: i % 7 === 0 ? addDays(today, 90) : "" }));
      await loader.createCarried({ cycleId: previous.cycleId, agencyId, agencyName: `Agency ${a + 1}`, sector: "health", templateId: TEMPLATE.id, templateVersion: 1, status: "submitted", createdAt: "", requestSeq: 1, submissionCount: 1 }, IDS, answers, [], "bench", new Date().toISOString());
    }
    out(`loaded ${AGENCIES} agencies x ${IDS.length} indicators (${(AGENCIES * IDS.length).toLocaleString("en-GB")} answers) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Opening the new cycle with carry forward, as the admin's button does, then the rest as the job does.
    const mark = counter.mark;
    const started = performance.now();
    const created = await s.admin.cycles.create(ADMIN, { name: "Section 11 audit 2026-28", deadline: addDays(today, 120), partnerships: "Benchshire", templateId: `${TEMPLATE.id}@1`, reminderDays: "14, 7, 1", carryFrom: previous.cycleId });
    const answerMs = performance.now() - started;
    if (created.view !== "message") throw new Error(`the cycle was not created: ${JSON.stringify(created.data)}`);
    const cycle = (await s.repos.cycles.list()).find((c) => c.carriedFrom === previous.cycleId)!;
    let progress = await s.nextCycle.carry.run(cycle.cycleId, new Date(Date.now() + 600_000));
    const totalMs = performance.now() - started;
    const requests = counter.since(mark);
    const batches = requests.filter((r) => r.kind === "POST $batch" && r.table.endsWith("Returns"));
    const maxOps = Math.max(0, ...batches.map((r) => r.batchOps ?? 0));

    // Pressing again writes nothing.
    const againMark = counter.mark;
    progress = await s.nextCycle.carry.run(cycle.cycleId, new Date(Date.now() + 600_000));
    const again = counter.since(againMark);

    let carried = 0;
    for (const h of await s.repos.returns.listHeaders(cycle.cycleId)) {
      const loaded = await s.repos.returns.load(returnPartition(cycle.cycleId, h.agencyId));
      carried += [...loaded!.answers.values()].filter((x) => x.carriedFrom === previous.cycleId).length;
    }

    out("");
    out(`Opening a cycle with carry forward: ${AGENCIES} agencies x ${IDS.length} indicators`);
    out(`  the admin's answer (what fits in its ${CARRY_BUDGET_MS / 1000} s budget, then the job carries on): ${(answerMs / 1000).toFixed(2)} s`);
    out(`  carried to the end: ${(totalMs / 1000).toFixed(2)} s wall time, ${progress?.done}/${progress?.agencies} agencies, ${carried.toLocaleString("en-GB")} answers`);
    out(`  storage requests: ${requests.length} (${(requests.length / AGENCIES).toFixed(1)} per agency)`);
    for (const [k, n] of StorageCounter.byKind(requests)) out(`    ${k.padEnd(36)} ${n}`);
    out(`  transactions on Returns: ${batches.length} (one per return partition: ${AGENCIES}), largest ${maxOps} operations (limit 100)`);
    out(`  pressed again: ${again.length} requests, ${again.filter((r) => r.kind === "POST $batch").length} writes`);

    const checks: Array<[string, boolean]> = [
      [`one transaction per return partition (${batches.length} for ${AGENCIES})`, batches.length === AGENCIES],
      [`no transaction over 100 operations (largest ${maxOps})`, maxOps <= 100],
      [`every answer carried once (${carried} of ${AGENCIES * IDS.length})`, carried === AGENCIES * IDS.length],
      [`pressing again writes nothing`, again.every((r) => r.kind !== "POST $batch" && !r.kind.startsWith("PUT") && !r.kind.startsWith("PATCH"))],
      [`at most 5 storage requests per agency (${(requests.length / AGENCIES).toFixed(1)})`, requests.length <= 5 * AGENCIES],
    ];
    out("");
    for (const [what, ok] of checks) {
      out(`  ${ok ? "met    " : "NOT MET"} ${what}`);
      if (!ok) failed = true;
    }
  } finally {
    await azurite.stop();
  }
  if (failed) process.exit(1);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
