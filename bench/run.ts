/**
 * npm run bench: the Section 11 indicator save measured against two floors on the same server,
 * and the storage requests of a save and of a submission.
 *
 *   echo floor        an Action.Execute turn through the same HTTP endpoint, adapter, routing and
 *                     card rendering that does no storage
 *   one-upsert floor  the same turn plus exactly one Table upsert
 *   s11.save          the real indicator save (go "stay"), each one a real write
 *
 * Everything runs in one process against an in-memory Azurite, rounds alternating so that machine
 * noise hits all three equally. Figures only: the targets are reported as met / not met, and the
 * process exits 0 unless something fails.
 */
import os from "node:os";
import { odata } from "@azure/data-tables";
import { startApp, type RunningApp } from "../src/app";
import { loadConfig } from "../src/config";
import { startEmbeddedAzurite, type EmbeddedAzurite } from "../src/storage/embeddedAzurite";
import { messageReply } from "../src/cards/reply";
import { verb, type FeatureRoutes, type VerbRoute } from "../src/routes";
import { z } from "zod/v4";
import { startConnector, type Connector } from "../test/support/connector";
import { TEST_TENANT_ID } from "../test/support/teamsActivity";
import { actionOf, plain, textOf } from "../test/support/cardTools";
import { StorageCounter, type StorageRequest } from "./storageCounter";
import { BotClient, openCursor, saveOnce, type SaveCursor } from "./client";
import { longEvidence, LONG_EVIDENCE_CHARS, setUpData, setUpFullReturn, type BenchAgency } from "./setup";
import { describeCounts, fmt, mean, percentile, table } from "./stats";

const AGENCIES = 20;
const ROUNDS = 10;
const C1_TOTAL = 300;
const C1_WARMUP = 30;
const C20_PER_USER = 60;
const C20_WARMUP_PER_USER = 3;
const SUBMISSIONS = 3;
const TARGET_SAVE_OVER_UPSERT = 1.5;
const TARGET_REQUESTS_PER_SAVE = 2;

type Kind = "echo" | "upsert" | "queryUpsert" | "save" | "saveFull";
const KINDS: Kind[] = ["echo", "upsert", "queryUpsert", "save"];
/** Concurrency 1 also saves on a return that has content (information only, not a target). */
const C1_KINDS: Kind[] = [...KINDS, "saveFull"];
const FULL_TOTAL = 100;
const FULL_WARMUP = 10;
const LABEL: Record<Kind, string> = { echo: "echo floor", upsert: "one-upsert floor", queryUpsert: "query+upsert floor*", save: "s11.save", saveFull: "s11.save, full return*" };
const CONCURRENCIES = [1, AGENCIES] as const;

interface Sample {
  roundTrip: number[];
  handler: number[];
  storage: StorageRequest[];
  /** Concurrency 1 only: storage requests of each turn. */
  perTurn: number[];
  wallMs: number;
  ops: number;
}

const log = (s = "") => process.stdout.write(s + "\n");

async function main() {
  const startedAt = performance.now();
  const counter = new StorageCounter();
  let azurite: EmbeddedAzurite | undefined;
  let connector: Connector | undefined;
  let running: RunningApp | undefined;
  try {
    azurite = await startEmbeddedAzurite({ inMemory: true });
    connector = await startConnector();
    // The two floors, on the same server and the same route table as the real save.
    const floorCard = () => messageReply("Echo", "ok");
    const input = z.object({ i: z.unknown().optional(), returnId: z.string().optional() });
    const bench: FeatureRoutes = {
      verbs: [
        verb({ verb: "bench.echo", input, run: async () => floorCard() }),
        verb({
          verb: "bench.upsert",
          input,
          run: async (ctx, d) => {
            await running!.store.table("People").upsertEntity({ partitionKey: "bench", rowKey: ctx.actor.principal.aadObjectId, n: Number(d.i ?? 0) }, "Replace");
            return floorCard();
          },
        }),
        // Information only: a partition query like ReturnsRepo.load, rows not parsed, then the one upsert.
        verb({
          verb: "bench.queryUpsert",
          input,
          run: async (ctx, d) => {
            const pk = String(d.returnId ?? "");
            let rows = 0;
            for await (const _e of running!.store.table("Returns").listEntities({ queryOptions: { filter: odata`PartitionKey eq ${pk} and ((RowKey ge 'acc|' and RowKey lt 'ans}') or RowKey eq 'header')` } })) rows++;
            if (!rows) throw new Error(`no rows in ${pk}`);
            await running!.store.table("People").upsertEntity({ partitionKey: "bench", rowKey: ctx.actor.principal.aadObjectId, n: Number(d.i ?? 0) }, "Replace");
            return floorCard();
          },
        }),
      ],
    };
    // Time spent inside each handler (storage + view model), to split the round trip.
    let handlerBucket: number[] | undefined;
    const timedVerbs = new Set(["bench.echo", "bench.upsert", "bench.queryUpsert", "s11.save"]);
    const timed = (f: FeatureRoutes): FeatureRoutes => ({
      ...f,
      verbs: f.verbs?.map((v): VerbRoute =>
        timedVerbs.has(v.verb)
          ? {
              ...v,
              run: async (ctx, i) => {
                const t = performance.now();
                try {
                  return await v.run(ctx, i);
                } finally {
                  handlerBucket?.push(performance.now() - t);
                }
              },
            }
          : v,
      ),
    });
    running = await startApp(
      loadConfig({ TABLES_CONNECTION_STRING: azurite.connectionString, PORT: "0", LOG_LEVEL: "silent", LOCAL_USERS_ARE_ADMINS: "false", TABLE_PREFIX: "bench" }),
      { storagePolicies: [counter.policy], features: (s) => [...s.features, bench].map(timed) },
    );
    const app = running;
    const conn = connector;
    log(`Section 11 benchmark: node ${process.version}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model.trim() ?? "?"}), in-memory Azurite`);

    const t0 = performance.now();
    const data = await setUpData(app, conn.serviceUrl, AGENCIES);
    log(`Set-up: 1 open cycle, ${data.agencies.length} agencies with a lead and a senior officer each, ${data.indicatorIds.length} indicators per return; access rows checked on returns created before and after the grants (${fmt(performance.now() - t0, 0)} ms)`);

    const full = await setUpFullReturn(app, data, conn.serviceUrl);
    log(`Plus one full return (information only): ${data.indicatorIds.length} answers with ${LONG_EVIDENCE_CHARS.toLocaleString("en-GB")} characters of evidence and a 20-entry history each`);

    const client = new BotClient(app.url, conn.serviceUrl);
    const cursors: SaveCursor[] = [];
    for (const a of data.agencies) cursors.push(await openCursor(client, a.lead, a.returnId, data.indicatorIds));
    const fullCursor = await openCursor(client, full.lead, full.returnId, data.indicatorIds, [longEvidence("A"), longEvidence("B")]);

    let opCounter = 0;
    const runOp = async (kind: Kind, c: SaveCursor): Promise<number> => {
      if (kind === "save" || kind === "saveFull") return saveOnce(client, c);
      const r = await client.invoke(c.user, `bench.${kind}`, { i: ++opCounter, returnId: c.returnId });
      if (!r.text.includes("Echo")) throw new Error(`${kind}: unexpected card ${r.text.slice(0, 200)}`);
      return r.ms;
    };

    const samples = new Map<string, Sample>();
    const sampleOf = (kind: Kind, conc: number) => {
      const k = `${kind}@${conc}`;
      let s = samples.get(k);
      if (!s) samples.set(k, (s = { roundTrip: [], handler: [], storage: [], perTurn: [], wallMs: 0, ops: 0 }));
      return s;
    };

    /** `perWorker` turns of `kind` by each of `conc` users at once; recorded unless warming up. */
    const phase = async (kind: Kind, conc: number, perWorker: number, record: boolean) => {
      const s = record ? sampleOf(kind, conc) : undefined;
      const handlers: number[] = [];
      handlerBucket = handlers;
      const mark = counter.mark;
      const started = performance.now();
      await Promise.all(
        (kind === "saveFull" ? [fullCursor] : cursors.slice(0, conc)).map(async (c) => {
          for (let i = 0; i < perWorker; i++) {
            const before = counter.mark;
            const ms = await runOp(kind, c);
            if (s) {
              s.roundTrip.push(ms);
              if (conc === 1) s.perTurn.push(counter.mark - before);
            }
          }
        }),
      );
      const wall = performance.now() - started;
      handlerBucket = undefined;
      if (s) {
        s.wallMs += wall;
        s.ops += conc * perWorker;
        s.handler.push(...handlers);
        s.storage.push(...counter.since(mark));
      }
    };

    // Warm-up: JIT, connection pools, Azurite's first requests.
    const tWarm = performance.now();
    for (const kind of KINDS) {
      await phase(kind, 1, C1_WARMUP, false);
      await phase(kind, AGENCIES, C20_WARMUP_PER_USER, false);
    }
    await phase("saveFull", 1, FULL_WARMUP, false);
    log(`Warm-up: ${C1_WARMUP} turns of each kind at concurrency 1, ${C20_WARMUP_PER_USER} per user at concurrency ${AGENCIES} (${fmt(performance.now() - tWarm, 0)} ms)`);

    // Measured rounds: every round runs all six (kind, concurrency) phases, order rotated.
    const tRounds = performance.now();
    for (let r = 0; r < ROUNDS; r++) {
      const rotate = (list: Kind[]) => [...list.slice(r % list.length), ...list.slice(0, r % list.length)];
      const concs = r % 2 === 0 ? [...CONCURRENCIES] : [...CONCURRENCIES].reverse();
      for (const conc of concs) {
        for (const kind of rotate(conc === 1 ? C1_KINDS : KINDS)) {
          await phase(kind, conc, kind === "saveFull" ? FULL_TOTAL / ROUNDS : conc === 1 ? C1_TOTAL / ROUNDS : C20_PER_USER / ROUNDS, true);
        }
      }
    }
    log(`Measured: ${ROUNDS} alternating rounds, ${C1_TOTAL} turns of each kind at concurrency 1 and ${AGENCIES} x ${C20_PER_USER} at concurrency ${AGENCIES} (${fmt((performance.now() - tRounds) / 1000, 1)} s)`);

    // ---- latency table
    log();
    log("Round trip per turn over HTTP (ms): Teams-shaped adaptiveCard/action invoke -> invoke response with the card");
    const rows: Array<Array<string | number>> = [];
    for (const conc of CONCURRENCIES) {
      for (const kind of conc === 1 ? C1_KINDS : KINDS) {
        const s = sampleOf(kind, conc);
        rows.push([
          `c=${conc} ${LABEL[kind]}`,
          s.roundTrip.length,
          fmt(percentile(s.roundTrip, 50), 2),
          fmt(percentile(s.roundTrip, 99), 2),
          fmt(mean(s.roundTrip), 2),
          fmt(Math.max(...s.roundTrip), 1),
          fmt(percentile(s.handler, 50), 2),
          fmt(s.ops / (s.wallMs / 1000), 0),
          fmt(s.storage.length / s.ops, 3),
        ]);
      }
    }
    log(table(["turn", "n", "p50", "p99", "mean", "max", "handler p50", "turns/s", "storage req/turn"], rows));
    log(`* information only, not a target. query+upsert floor: the save's two storage round trips (the same partition query as ReturnsRepo.load, rows not parsed, then one upsert) with none of its work.`);
    log(`  full return: saves on a return whose ${data.indicatorIds.length} answers all have ${LONG_EVIDENCE_CHARS.toLocaleString("en-GB")} characters of evidence and 20 history entries (the ${AGENCIES} benchmark returns are nearly empty)`);

    log();
    log("Ratios at p50");
    const ratio = (a: Kind, b: Kind, conc: number) => percentile(sampleOf(a, conc).roundTrip, 50) / percentile(sampleOf(b, conc).roundTrip, 50);
    const ratioRows = CONCURRENCIES.map((conc) => {
      const su = ratio("save", "upsert", conc);
      return [`c=${conc}`, fmt(su, 2), su <= TARGET_SAVE_OVER_UPSERT ? "met" : "NOT met", fmt(ratio("upsert", "echo", conc), 2), fmt(ratio("save", "echo", conc), 2), fmt(ratio("queryUpsert", "upsert", conc), 2), fmt(ratio("save", "queryUpsert", conc), 2)];
    });
    log(table(["concurrency", "save / one-upsert", `target <= ${TARGET_SAVE_OVER_UPSERT}x`, "one-upsert / echo", "save / echo", "query+upsert* / one-upsert", "save / query+upsert*"], ratioRows));
    log(`  c=1 save on the full return* / one-upsert: ${fmt(ratio("saveFull", "upsert", 1), 2)}`);

    // ---- storage per save
    log();
    log("Storage requests (counted by a pipeline policy on the app's TableStore)");
    const storageRows: Array<Array<string | number>> = [];
    for (const conc of CONCURRENCIES) {
      for (const kind of conc === 1 ? C1_KINDS : KINDS) {
        const s = sampleOf(kind, conc);
        storageRows.push([`c=${conc} ${LABEL[kind]}`, s.ops, s.storage.length, fmt(s.storage.length / s.ops, 3), describeCounts(StorageCounter.byKind(s.storage), s.ops), describeCounts(StorageCounter.byMethod(s.storage), s.ops)]);
      }
    }
    log(table(["phase", "turns", "requests", "per turn", "per turn by kind", "per turn by method"], storageRows));
    const perTurn = sampleOf("save", 1).perTurn;
    const dist = new Map<string, number>();
    for (const n of perTurn) dist.set(`${n} requests`, (dist.get(`${n} requests`) ?? 0) + 1);
    log(`Saves at c=1, turns by storage requests: ${[...dist.entries()].sort().map(([k, n]) => `${n} x ${k}`).join(", ")}`);
    const saveStorage = [...sampleOf("save", 1).storage, ...sampleOf("save", AGENCIES).storage];
    const failed = saveStorage.filter((r) => r.status >= 400);
    if (failed.length) log(`Save storage requests that failed: ${failed.map((r) => `${r.kind} ${r.table} ${r.status}`).join(", ")}`);
    const latencyRows: Array<Array<string | number>> = [];
    for (const kind of ["upsert", "queryUpsert", "save", "saveFull"] as Kind[]) {
      for (const k of new Set(sampleOf(kind, 1).storage.map((r) => r.kind))) {
        const p50 = (conc: number) => (conc !== 1 && kind === "saveFull" ? "-" : fmt(percentile(sampleOf(kind, conc).storage.filter((r) => r.kind === k).map((r) => r.ms), 50), 2));
        latencyRows.push([`${LABEL[kind]}: ${k}`, p50(1), p50(AGENCIES)]);
      }
    }
    log(table(["storage request latency (ms, seen by the app)", "p50 c=1", `p50 c=${AGENCIES}`], latencyRows));
    const savesTotal = sampleOf("save", 1).ops + sampleOf("save", AGENCIES).ops;
    const requestsPerSave = saveStorage.length / savesTotal;

    // ---- submission
    log();
    log(`Submission: ${SUBMISSIONS} returns completed (every indicator answered over HTTP), sent for sign-off, approved by the senior officer`);
    const submitResults: Array<{ a: BenchAgency; completion: StorageRequest[]; completionSaves: number; request: StorageRequest[]; approve: StorageRequest[]; approveMs: number }> = [];
    for (const a of data.agencies.slice(0, SUBMISSIONS)) {
      let mark = counter.mark;
      let completionSaves = 0;
      const completionMarks: StorageRequest[] = [];
      for (const id of data.indicatorIds) {
        const step = await client.invoke(a.lead, "s11.step", { returnId: a.returnId, indicatorId: id, rating: "fully" });
        const save = actionOf(step.card, "s11.save");
        const before = counter.mark;
        const r = await client.invoke(a.lead, "s11.save", { ...save.data, then: "stay", rating: "fully", evidence: `Evidence for ${id}: policy, audit and training records.`, naReason: "", actionText: "", actionOwner: "", actionDue: "" });
        if (!/Saved /.test(r.text)) throw new Error(`completing ${a.returnId} ${id}: ${r.text.slice(0, 200)}`);
        completionMarks.push(...counter.since(before));
        completionSaves++;
      }
      const review = await client.invoke(a.lead, "s11.review", { returnId: a.returnId });
      if (/still need an answer/.test(review.text)) throw new Error(`${a.returnId} is not complete: ${review.text.slice(0, 200)}`);

      const seq = conn.activities.reduce((m, x) => Math.max(m, x.seq), 0);
      mark = counter.mark;
      const sent = await client.invoke(a.lead, "s11.requestSignoff", { returnId: a.returnId });
      const request = counter.since(mark);
      if (!/Sent for sign-off to/.test(sent.text)) throw new Error(`requestSignoff: ${sent.text.slice(0, 300)}`);
      // The request reaches the officer through the outbox (a new personal chat here); the
      // officer's card is the same one the sign-off card verb draws.
      await conn.waitFor((x) => x.seq > seq && x.operation === "send" && JSON.stringify(x.body ?? {}).includes("s11.approve"));
      const approveAction = actionOf((await client.invoke(a.officer, "s11.signoffCard", { returnId: a.returnId })).card, "s11.approve");

      mark = counter.mark;
      const approved = await client.invoke(a.officer, "s11.approve", approveAction.data);
      const approve = counter.since(mark);
      if (!/Signed off and submitted/.test(approved.text)) throw new Error(`approve: ${approved.text.slice(0, 300)}`);
      const first = await app.services.returnService.firstSubmission({ principal: { tenantId: TEST_TENANT_ID, aadObjectId: a.lead.aadObjectId.toLowerCase() }, name: a.lead.name }, a.returnId);
      if (first?.size !== data.indicatorIds.length) throw new Error(`first submission of ${a.returnId} has ${first?.size} answers`);
      const overview = await client.invoke(a.lead, "s11.overview", { returnId: a.returnId });
      if (!/Submitted/.test(plain(textOf(overview.card)))) throw new Error(`overview after approve: ${overview.text.slice(0, 200)}`);
      submitResults.push({ a, completion: completionMarks, completionSaves, request, approve, approveMs: approved.ms });
    }
    const submitRows = submitResults.map((s) => {
      const batches = s.approve.filter((r) => r.batch);
      return [
        s.a.agency.agencyId,
        fmt(s.completion.length / s.completionSaves, 2),
        s.request.length,
        s.approve.length,
        batches.length,
        batches.map((b) => `${b.batchOps ?? "?"} ops`).join("+") || "-",
        fmt(s.approveMs, 1),
      ];
    });
    log(table(["return", "req/save (completing)", "requestSignoff req", "approve req", "approve $batch", "batch size", "approve ms"], submitRows));
    const ex = submitResults[0];
    log(`requestSignoff turn, in order: ${ex.request.map((r) => `${r.kind} ${r.table}`.trim() + ` ${r.status}`).join(" -> ")}`);
    log(`s11.approve turn, in order:     ${ex.approve.map((r) => `${r.kind}${r.batchOps ? ` (${r.batchOps} ops)` : ""} ${r.table}`.trim() + ` ${r.status}`).join(" -> ")}`);
    const approveWrites = ex.approve.filter((r) => r.method !== "GET");
    log(`  of which before the submit (authorise + load): ${ex.approve.findIndex((r) => r.batch)}; writes: ${approveWrites.length} (${approveWrites.map((r) => r.kind).join(", ")}); after the submit (notifying the lead): ${ex.approve.length - 1 - ex.approve.findIndex((r) => r.batch)}`);

    // ---- targets
    // The submission is the Returns table's part of the approve turn; the lead's notice goes
    // through the outbox (Jobs, Deliveries, Conversations) and is counted apart.
    const returnsTable = (r: StorageRequest) => /Returns$/.test(r.table ?? "");
    const batchesPerSubmit = submitResults.map((s) => s.approve.filter((r) => returnsTable(r) && r.batch).length);
    const writesOutsideBatch = submitResults.map((s) => s.approve.filter((r) => returnsTable(r) && !r.batch && r.method !== "GET").length);
    const outboxWrites = submitResults.map((s) => s.approve.filter((r) => !returnsTable(r) && r.method !== "GET").length);
    log();
    log("Targets");
    for (const conc of CONCURRENCIES) {
      const su = ratio("save", "upsert", conc);
      log(`  save p50 <= ${TARGET_SAVE_OVER_UPSERT}x one-upsert floor at c=${conc}: ${fmt(su, 2)}x -> target ${su <= TARGET_SAVE_OVER_UPSERT ? "met" : "NOT met"}`);
    }
    log(`  storage requests per save <= ${TARGET_REQUESTS_PER_SAVE}: ${fmt(requestsPerSave, 3)} (${describeCounts(StorageCounter.byKind(saveStorage), savesTotal)}) -> target ${requestsPerSave <= TARGET_REQUESTS_PER_SAVE ? "met" : "NOT met"}`);
    const oneBatch = batchesPerSubmit.every((n) => n === 1) && writesOutsideBatch.every((n) => n === 0);
    log(`  exactly one $batch transaction per submit (no other write to Returns): ${batchesPerSubmit.join(", ")} batch(es), ${writesOutsideBatch.join(", ")} other write(s) -> target ${oneBatch ? "met" : "NOT met"}`);
    log(`  (the lead's notice through the outbox: ${outboxWrites.join(", ")} write(s) to Jobs, Deliveries and Conversations)`);
    log(`  (approve turn total: ${submitResults.map((s) => s.approve.length).join(", ")} storage requests, reads included)`);
    log();
    log(`Total run time ${fmt((performance.now() - startedAt) / 1000, 1)} s`);
  } finally {
    await running?.close();
    await connector?.close();
    await azurite?.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});
