/**
 * npx tsx bench/digest.ts: the Executive's digest and one drill-down, at the seed partnership's
 * size (60 agencies x 60 indicators x 2 cycles, 600 training sessions with 20,000 evaluation
 * answers stored as the training feature stores them, read through its real provider) and at 10
 * times the agencies, sessions and answers, against a full-scan aggregation of the same data in the same run.
 * Prints wall time (median of 5 warm runs; the baselines run once) and storage requests; exits 1 when a target is missed:
 *   - the digest: at most 10 storage requests and 300 ms at the first size;
 *   - requests grow with agencies, not answers (10x the agencies: a few more pages, not 10x);
 *   - at least 10x fewer requests than the full scan;
 *   - training figures (both periods): one query each for sessions, headcounts and tallies, a page
 *     per 1,000 sessions, and no answer read; the tallies agree with a full scan of the answers.
 * Embedded in-memory Azurite. DIGEST_BENCH_SIZES=60,600 changes the sizes.
 */
import { odata, type TransactionAction } from "@azure/data-tables";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/log";
import { composeServices } from "../src/compose";
import { startEmbeddedAzurite } from "../src/storage/embeddedAzurite";
import { TableStore } from "../src/storage/tableStore";
import { key } from "../src/storage/keys";
import { returnPartition, returnVersion, type ReturnHeader } from "../src/storage/returnsRepo";
import { answerCell } from "../src/storage/summaryRow";
import { ReturnSummariesRepo } from "../src/storage/returnSummariesRepo";
import { DigestsRepo, type Registration } from "../src/storage/digestsRepo";
import type { Cycle } from "../src/storage/cyclesRepo";
import type { Agency, Sector } from "../src/storage/agenciesRepo";
import { ReportingService } from "../src/reporting/summaries";
import { digestFigures } from "../src/reporting/aggregate";
import { agencyFacts } from "../src/reporting/facts";
import { SMALL_GROUP, yearStart, type TrainingFigures, type TrainingQuery } from "../src/reporting/training";
import { StoredTrainingFigures } from "../src/training/digestFigures";
import { tallyOf } from "../src/training/tally";
import type { Answers } from "../src/training/questions";
import { headcountEntity, sessionEntity, TrainingRepo } from "../src/storage/trainingRepo";
import { answerEntity, EvaluationsRepo } from "../src/storage/evaluationsRepo";
import { tallyEntity } from "../src/storage/answerTalliesRepo";
import { composeDigest } from "../src/digest/composer";
import { DigestService } from "../src/digest/service";
import { BENCH_INDICATOR_IDS as IDS, BENCH_TEMPLATE as TEMPLATE } from "./template60";
import { ukDate, addDays } from "../src/time";
import { StorageCounter } from "./storageCounter";

const SIZES = (process.env.DIGEST_BENCH_SIZES ?? "60,600").split(",").map(Number);
const INDICATORS = 60;
const EVALUATIONS_PER_AGENCY = 20_000 / 60;
const RUNS = 5;
const SECTORS: Sector[] = ["health", "police", "education", "local_authority", "voluntary", "secure_estate", "justice", "other"];
const out = (s = "") => process.stdout.write(s + "\n");


/**
 * The training programme as the training feature stores it: session rows (Training, PK "session"),
 * each session's headcount (PK "headcount"), its evaluation answers (EvaluationAnswers, one row per
 * person under a pseudonym) and its tally (PK "tallies"), as saving each answer leaves them. Loaded
 * in batches with the repositories' own row builders (saving 200,000 answers one by one through
 * the services would take the bench an hour; the save path and its tally are tested in
 * test/integration/trainingTallies.test.ts, the digest e2e test and bench/evaluations.ts). Delegate
 * rows are not written: the digest reads the headcounts, and lists a session's delegates only
 * when its headcount is stale. Read through the real provider (StoredTrainingFigures); the full
 * scan reads every answer.
 */
class BenchTraining {
  readonly provider: StoredTrainingFigures;
  constructor(private readonly store: TableStore) {
    this.provider = new StoredTrainingFigures({ repo: new TrainingRepo(store), answers: new EvaluationsRepo(store) });
  }

  async load(sessions: number, evaluations: number, today: string): Promise<void> {
    const training = this.store.table("Training");
    const answersTable = this.store.table("EvaluationAnswers");
    const perSession = Math.ceil(evaluations / sessions);
    const courses = ["Basic child protection", "Neglect assessment tool", "Child exploitation", "Contextual safeguarding (taster)"];
    let written = 0;
    const pending: Array<Promise<unknown>> = [];
    const sessionRows: TransactionAction[] = [];
    const headcounts: TransactionAction[] = [];
    const tallies: TransactionAction[] = [];
    for (let s = 0; s < sessions; s++) {
      const sessionId = `s-${String(s).padStart(10, "0")}`;
      const date = addDays(today, -((s * 7) % 240));
      const startsAt = `${date}T09:30:00.000Z`;
      const sentAt = `${date}T11:00:00.000Z`;
      const course = courses[s % courses.length];
      sessionRows.push(["create", sessionEntity({ sessionId, courseId: `c-course0000${s % courses.length}`, courseTitle: course, startsAt, durationMinutes: 90, mode: "virtual", venue: "Teams", trainer: "Trainer", state: "closed", closedAt: sentAt, endSentAt: sentAt, followSentAt: s % 3 ? sentAt : undefined, createdAt: startsAt, createdBy: "bench" })]);
      const n = Math.min(perSession, evaluations - written);
      const answers = Array.from({ length: n }, (_, e): { quoteKey: string; answers: Answers } => ({
        quoteKey: `q${e}`,
        answers: { kind: "end", overall: 3 + ((s + e) % 3), outcomes: ["yes", "partly"], confidenceBefore: 2 + (e % 2), confidenceAfter: 4, trainer: 5, materials: 4, doDifferently: e % 40 === 7 ? `Session ${s}: I will use this when escalating cases.` : "I will share this with my team.", comment: "", consentQuote: e % 40 === 7 },
      }));
      const rows: TransactionAction[] = answers.map((a, e) => ["create", answerEntity(sessionId, `p${String(e).padStart(20, "0")}`, a.answers, true)]);
      for (let i = 0; i < rows.length; i += 100) pending.push(answersTable.submitTransaction(rows.slice(i, i + 100)));
      headcounts.push(["create", headcountEntity(sessionId, Math.round(n * 1.6), Math.round(n * 1.5))]);
      tallies.push(["create", tallyEntity(tallyOf(sessionId, answers))]);
      written += n;
      if (pending.length >= 8) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    for (const [table, list] of [[training, sessionRows], [training, headcounts], [answersTable, tallies]] as const) for (let i = 0; i < list.length; i += 100) await table.submitTransaction(list.slice(i, i + 100));
  }

  /** The baseline: every answer row read and summed (and the sessions, for their dates). */
  async fullScan(q: TrainingQuery): Promise<TrainingFigures | undefined> {
    const sessions = new Map((await new TrainingRepo(this.store).listSessions()).map((x) => [x.sessionId, x]));
    let answered = 0;
    let r = 0;
    const seen = new Set<string>();
    for await (const e of this.store.table("EvaluationAnswers").listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey ge 'answers|' and PartitionKey lt 'answers}'` } })) {
      const session = sessions.get(String(e.sessionId));
      const day = session?.startsAt.slice(0, 10) ?? "";
      if (!session || day < q.from || day > q.to) continue;
      const a = JSON.parse(String(e.answers)) as Answers;
      if (a.kind !== "end") continue;
      answered++;
      r += a.overall;
      seen.add(session.sessionId);
    }
    return answered >= SMALL_GROUP ? { sessions: seen.size, delegates: 0, answered, averageRating: r / answered, quotes: [] } : undefined;
  }
}

interface Measured {
  ms: number;
  requests: number;
}

async function measure(counter: StorageCounter, run: () => Promise<unknown>, runs = RUNS): Promise<Measured> {
  if (runs > 1) await run(); // warm: the template is read once per process, then cached
  const times: number[] = [];
  let requests = 0;
  for (let i = 0; i < runs; i++) {
    const mark = counter.mark;
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
    requests = counter.since(mark).length;
  }
  times.sort((x, y) => x - y);
  return { ms: times[Math.floor(times.length / 2)], requests };
}

/** Loads one size: two cycles of `agencies` returns (answers, sign-offs, summary rows as the app writes them) and the evaluations. */
async function load(store: TableStore, s: ReturnType<typeof composeServices>, agencies: number, training: BenchTraining, today: string): Promise<{ current: Cycle; previous: Cycle }> {
  await s.catalog.add({ ...TEMPLATE, version: 1 }, "bench").catch(() => undefined);
  const mk = (id: string, status: "open" | "closed", createdAt: string): Cycle => ({ cycleId: id, name: id, deadline: addDays(today, -10), templateId: TEMPLATE.id, templateVersion: 1, partnerships: ["Benchshire"], status, createdAt, createdBy: "bench" });
  const previous = mk("cycle-previous", "closed", "2023-01-01T00:00:00.000Z");
  const current = mk("cycle-current", "open", "2025-01-01T00:00:00.000Z");
  await s.repos.cycles.create(previous);
  await s.repos.cycles.create(current);
  const table = store.table("Returns");
  const list: Agency[] = Array.from({ length: agencies }, (_, i) => ({ agencyId: `bench-${String(i).padStart(4, "0")}`, name: `Bench Agency ${i}`, sector: SECTORS[i % SECTORS.length], partnerships: ["Benchshire"], createdAt: "", createdBy: "bench" }));
  const pool = async <T>(items: T[], fn: (t: T, i: number) => Promise<void>) => {
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }));
  };
  await pool(list, async (a) => {
    await s.repos.agencies.create(a);
  });
  const stage = (what: string) => process.stderr.write(`  ${what} (${((performance.now() - began) / 1000).toFixed(1)} s)\n`);
  const began = performance.now();
  for (const cycle of [previous, current]) {
    stage(`writing cycle ${cycle.cycleId}`);
    await pool(list, async (a, i) => {
      const pk = returnPartition(cycle.cycleId, a.agencyId);
      const header: ReturnHeader = { cycleId: cycle.cycleId, agencyId: a.agencyId, agencyName: a.name, sector: a.sector, templateId: TEMPLATE.id, templateVersion: 1, status: "draft", createdAt: "", requestSeq: 1, submissionCount: 0 };
      const at = "2025-06-01T10:00:00.000Z";
      const rating = (k: number) => ((i + k) % 6 === 0 ? "partially" : (i + k) % 17 === 0 ? "not" : (i + k) % 23 === 0 ? "na" : "fully");
      // The answers and the summary row exactly as a save leaves them (a save merges one column).
      const summary: Record<string, string> = {};
      const answers: TransactionAction[] = IDS.map((id, k) => {
        const r = rating(k);
        const due = r === "partially" || r === "not" ? addDays(today, k % 2 ? -30 : 90) : "";
        Object.assign(summary, answerCell(id, { rating: r, actionDue: due }, at));
        return ["upsert", { partitionKey: pk, rowKey: key("ans", id), rating: r, evidence: `Evidence for ${id}: minutes of the safeguarding board, staff files and the staff survey.`, naReason: r === "na" ? "n/a" : "", actionText: due ? `Action for ${id}` : "", actionOwner: due ? "Owner" : "", actionDue: due, updatedAt: at, updatedBy: "Lead", updatedByKey: "k" }, "Replace"];
      });
      const res = await table.submitTransaction([["create", { partitionKey: pk, rowKey: "header", ...header }], ...answers, ["upsert", { partitionKey: pk, rowKey: "summary", v: 1, ...summary }, "Replace"]]);
      if (i % 10 === 9) return; // one in ten has not submitted
      // What a load would return, from the transaction's answer (a query per return is slow on a large Azurite table).
      const etagOf = (rk: string) => res.subResponses.find((r) => r.rowKey === rk)?.etag ?? "";
      const loaded = {
        partitionKey: pk,
        header,
        headerEtag: etagOf("header"),
        access: [],
        answers: new Map(answers.map(([, e]) => {
          const x = e as Record<string, string>;
          return [x.rowKey.slice(4), { indicatorId: x.rowKey.slice(4), rating: x.rating, evidence: x.evidence, naReason: x.naReason, actionText: x.actionText, actionOwner: x.actionOwner, actionDue: x.actionDue, updatedAt: at, updatedBy: "Lead", updatedByKey: "k", etag: etagOf(x.rowKey) }];
        })),
      };
      await s.repos.returns.decide(loaded, { decision: "approved", by: "Officer", byKey: "o", at, version: returnVersion(loaded), patch: { status: "submitted", submissionCount: 1, firstSubmittedAt: at, lastSubmittedAt: at }, snapshot: { number: 1 } });
    });
  }
  stage("writing evaluations");
  await training.load(Math.round((agencies * 10)), Math.round(agencies * EVALUATIONS_PER_AGENCY), today);
  stage("loaded");
  return { current, previous };
}

/**
 * Baselines: what a digest costs without summary rows, computed from every answer and every
 * signed-off submission of both cycles and every evaluation of the year (read once; the period
 * since the last digest is a subset of it).
 *   "repository": the reads the repositories offer today, as the admin status does: headers and
 *     answers by cycle, then each return's snapshots (there is no cycle-wide snapshot read);
 *   "range scan": cycle-wide range scans for the snapshots too. Azurite answers 1,000 rows per
 *     page whatever the partitions; Azure also ends a page at partition boundaries, so on Azure
 *     this one pages at least once per return as well.
 */
async function fullScanDigest(store: TableStore, s: ReturnType<typeof composeServices>, cycles: Cycle[], training: BenchTraining, today: string, mode: "repository" | "range") {
  const agencies = await s.repos.agencies.list();
  const index = (await s.catalog.get(TEMPLATE.id, 1))!;
  const standards = index.template.standards.map((st) => ({ id: st.id, title: st.title, indicatorIds: st.indicators.map((i) => i.id) }));
  const results = [];
  for (const cycle of cycles) {
    const [headers, answers] = await Promise.all([s.repos.returns.listHeaders(cycle.cycleId), s.repos.returns.listAnswers(cycle.cycleId)]);
    const firsts = new Map<string, Map<string, { rating: string; actionDue: string }>>();
    const latests = new Map<string, Map<string, { rating: string; actionDue: string }>>();
    if (mode === "repository") {
      let next = 0;
      await Promise.all(Array.from({ length: 8 }, async () => {
        while (next < headers.length) {
          const h = headers[next++];
          if (!h.submissionCount) continue;
          const snaps = await s.repos.returns.snapshots(h.partitionKey);
          const cells = (n: number) => new Map([...(snaps.find((x) => x.number === n)?.answers ?? new Map())].map(([id, a]) => [id, { rating: a.rating, actionDue: a.actionDue }]));
          firsts.set(h.partitionKey, cells(1));
          latests.set(h.partitionKey, cells(h.submissionCount));
        }
      }));
    } else {
      const lo = key(cycle.cycleId) + "|";
      const hi = key(cycle.cycleId) + "}";
      for await (const e of store.table("Returns").listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey ge ${lo} and PartitionKey lt ${hi} and RowKey ge 'snap|' and RowKey lt 'snap}'` } })) {
        const m = firsts.get(e.partitionKey!) ?? new Map();
        for (const [k, v] of Object.entries(e)) if (/^a\d+$/.test(k) && typeof v === "string") {
          const a = JSON.parse(v) as { indicatorId: string; rating: string; actionDue: string };
          m.set(a.indicatorId, { rating: a.rating, actionDue: a.actionDue });
        }
        firsts.set(e.partitionKey!, m);
        latests.set(e.partitionKey!, m);
      }
    }
    const byId = new Map(agencies.map((a) => [a.agencyId, a]));
    const facts = headers.map((h) => {
      const current = new Map((answers.get(h.partitionKey) ?? []).map((a) => [a.indicatorId, { rating: a.rating, actionDue: a.actionDue, updatedAt: a.updatedAt }]));
      const first = firsts.get(h.partitionKey);
      return agencyFacts(byId.get(h.agencyId), h, { complete: true, current, first, latest: latests.get(h.partitionKey), latestNumber: first ? h.submissionCount : 0 });
    });
    results.push(digestFigures({ today, cycle, standards, agencies: facts }));
  }
  await training.fullScan({ partnerships: ["Benchshire"], from: addDays(today, -365), to: today });
  return results;
}

async function main() {
  const azurite = await startEmbeddedAzurite({ inMemory: true });
  const rows: Array<{ agencies: number; evaluations: number; digest: Measured; drill: Measured; scan: Measured; range: Measured; answers: number; training: Measured & { answerTableRequests: number; sessions: number } }> = [];
  let failed = false;
  try {
    for (const size of SIZES) {
      const counter = new StorageCounter();
      const store = new TableStore({ connectionString: azurite.connectionString, prefix: `dig${size}`, policies: [counter.policy] });
      await store.ensureTables();
      const config = loadConfig({ TABLES_CONNECTION_STRING: azurite.connectionString, TABLE_PREFIX: `dig${size}`, LOG_LEVEL: "silent" });
      const s = composeServices(config, store, createLogger("silent"));
      const training = new BenchTraining(store);
      const today = ukDate(new Date());
      const t0 = performance.now();
      const { current, previous } = await load(store, s, size, training, today);
      const loadMs = performance.now() - t0;

      const reporting = new ReportingService({ summaries: new ReturnSummariesRepo(store), returns: s.repos.returns, agencies: s.repos.agencies, cycles: s.repos.cycles, catalog: s.catalog, now: () => new Date() });
      const digests = new DigestsRepo(store);
      const channel = { teamId: "19:bench-team", channelId: "19:bench-channel@thread.tacv2", partnerships: ["Benchshire"] };
      const reg: Registration = { ...channel, tenantId: "t", teamName: "", channelName: "", frequency: "weekly", weekday: 1, monthDay: 1, time: "09:00", sections: ["returns", "standards", "attention", "training"], paused: false, registeredBy: { tenantId: "t", aadObjectId: "a" }, registeredByName: "", createdAt: "", updatedAt: "" };
      await digests.putRegistration(reg);
      const deps = { reporting, agencies: s.repos.agencies, digests, training: () => training.provider, now: () => new Date() };
      const service = new DigestService({ digests, reporting, agencies: s.repos.agencies, cycles: s.repos.cycles, returns: s.repos.returns, access: s.access, delivery: s.delivery, now: () => new Date(), log: s.log });
      const ctx = { actor: { principal: { tenantId: "t", aadObjectId: "a" }, name: "Exec" }, place: { scope: "channel" as const, teamId: channel.teamId, channelId: channel.channelId }, channelMembers: async () => new Set(["t:a"]) };

      const digest = await measure(counter, () => composeDigest(deps, channel, today));
      // The training part alone, both periods as the composer asks for them.
      const periods = [{ partnerships: ["Benchshire"], from: addDays(today, -30), to: today }, { partnerships: ["Benchshire"], from: yearStart(today), to: today }];
      const trainingRun = await measure(counter, () => Promise.all(periods.map((q) => training.provider.figures(q))));
      const tm = counter.mark;
      const [, ytdFigures] = await Promise.all(periods.map((q) => training.provider.figures(q)));
      const trainingReqs = counter.since(tm);
      const sessionCount = size * 10;
      const trainingMeasured = { ...trainingRun, answerTableRequests: trainingReqs.filter((r) => r.table.endsWith("EvaluationAnswers")).length, sessions: sessionCount };
      const scanned = await training.fullScan(periods[1]);
      if (!ytdFigures || !scanned || ytdFigures.answered !== scanned.answered || Math.abs((ytdFigures.averageRating ?? 0) - (scanned.averageRating ?? 0)) > 1e-9) throw new Error(`the training tallies and the full scan disagree: ${JSON.stringify({ tallies: ytdFigures && { answered: ytdFigures.answered, averageRating: ytdFigures.averageRating }, scan: scanned && { answered: scanned.answered, averageRating: scanned.averageRating } })}`);
      if (process.env.DIGEST_BENCH_PROFILE) {
        const m = counter.mark;
        await composeDigest(deps, channel, today);
        for (const r of counter.since(m)) process.stderr.write(`    ${r.kind} ${r.table} ${r.ms.toFixed(1)} ms\n`);
      }
      const drill = await measure(counter, () => service.drill(ctx, "standard", { teamId: "", channelId: "", standard: "3", sector: "", agency: "", agencyId: "" }));
      // The baselines once each: they read every row, and Azurite answers a query by scanning the table.
      const scan = await measure(counter, () => fullScanDigest(store, s, [current, previous], training, today, "repository"), 1);
      const range = await measure(counter, () => fullScanDigest(store, s, [current, previous], training, today, "range"), 1);
      // Same figures both ways.
      const a = digestFigures(await reporting.input(current, ["Benchshire"]));
      for (const mode of ["range"] as const) {
        const [b] = await fullScanDigest(store, s, [current], training, today, mode);
        if (JSON.stringify({ ...a, byPartnership: [] }) !== JSON.stringify({ ...b, byPartnership: [] })) throw new Error(`the summary rows and the full scan (${mode}) disagree`);
      }
      const answers = size * INDICATORS * 2;
      rows.push({ agencies: size, evaluations: Math.round(size * EVALUATIONS_PER_AGENCY), digest, drill, scan, range, answers, training: trainingMeasured });
      out(`loaded ${size} agencies x ${INDICATORS} indicators x 2 cycles (${answers.toLocaleString("en-GB")} answers) and ${Math.round(size * EVALUATIONS_PER_AGENCY).toLocaleString("en-GB")} evaluations in ${(loadMs / 1000).toFixed(1)} s`);
    }
  } finally {
    await azurite.stop();
  }
  out("");
  out("agencies  answers  evaluations | digest: ms requests | drill-down: ms requests | full scan (repository): ms requests | full scan (range scans): ms requests");
  for (const r of rows) out(`${String(r.agencies).padStart(8)} ${String(r.answers).padStart(8)} ${String(r.evaluations).padStart(12)} | ${r.digest.ms.toFixed(0).padStart(10)} ${String(r.digest.requests).padStart(8)} | ${r.drill.ms.toFixed(0).padStart(14)} ${String(r.drill.requests).padStart(8)} | ${r.scan.ms.toFixed(0).padStart(26)} ${String(r.scan.requests).padStart(8)} | ${r.range.ms.toFixed(0).padStart(26)} ${String(r.range.requests).padStart(8)}`);
  out("");
  out("sessions  evaluations | training figures, both periods: ms requests (of which EvaluationAnswers)");
  for (const r of rows) out(`${String(r.training.sessions).padStart(8)} ${String(r.evaluations).padStart(12)} | ${r.training.ms.toFixed(0).padStart(33)} ${String(r.training.requests).padStart(8)} (${r.training.answerTableRequests})`);
  const [first, big] = rows;
  const check = (ok: boolean, what: string) => {
    out(`${ok ? "ok  " : "MISS"} ${what}`);
    if (!ok) failed = true;
  };
  // Training: sessions, headcounts and tallies, one query each, a page per 1,000 sessions; no answer is read.
  const pages = (r: (typeof rows)[number]) => 3 * Math.ceil(r.training.sessions / 1000);
  out("");
  if (first) {
    check(first.digest.requests <= 10, `digest at ${first.agencies} agencies: ${first.digest.requests} storage requests (target <= 10)`);
    check(first.digest.ms <= 300, `digest at ${first.agencies} agencies: ${first.digest.ms.toFixed(0)} ms (target <= 300)`);
    check(first.training.requests <= pages(first) && first.training.answerTableRequests <= Math.ceil(first.training.sessions / 1000), `training at ${first.training.sessions} sessions, ${first.evaluations.toLocaleString("en-GB")} evaluations: ${first.training.requests} storage requests, ${first.training.answerTableRequests} on the answers' table (target <= ${pages(first)}: a page per 1,000 sessions per list, no answer read)`);
    check(first.scan.requests >= 10 * first.digest.requests, `full scan (repository reads) needs ${(first.scan.requests / first.digest.requests).toFixed(1)}x the digest's requests (target >= 10x); range scans ${(first.range.requests / first.digest.requests).toFixed(1)}x on Azurite`);
  }
  if (first && big) {
    const growth = big.digest.requests / first.digest.requests;
    check(growth < big.agencies / first.agencies / 2, `10x the agencies: digest requests x${growth.toFixed(2)} (answers x${(big.answers / first.answers).toFixed(0)}): grows with agencies' pages, not answers`);
    check(big.training.requests <= pages(big) && big.training.answerTableRequests <= Math.ceil(big.training.sessions / 1000), `training at ${big.training.sessions} sessions, ${big.evaluations.toLocaleString("en-GB")} evaluations: ${big.training.requests} storage requests (x${(big.training.requests / first.training.requests).toFixed(1)} for x${(big.evaluations / first.evaluations).toFixed(0)} evaluations; target <= ${pages(big)}: grows with sessions' pages, not answers)`);
    check(big.scan.requests >= 10 * big.digest.requests, `full scan (repository reads) at ${big.agencies} agencies needs ${(big.scan.requests / big.digest.requests).toFixed(1)}x the digest's requests (target >= 10x); range scans ${(big.range.requests / big.digest.requests).toFixed(1)}x on Azurite`);
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
