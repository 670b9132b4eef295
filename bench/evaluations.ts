/**
 * npx tsx bench/evaluations.ts: 500 delegates submitting their end-of-session evaluation within
 * 10 seconds through the bot's real HTTP endpoint, half as Teams card actions (Action.Execute
 * invokes to /api/messages) and half as web form posts to /evaluate/<token>, arriving evenly
 * spread; 50 of them press twice at once (a double click) with a different answer. Prints latency
 * (p50, p99, max) per channel, lost (a submission answered 2xx/303 whose answer or completion is
 * not stored) and duplicated (more than one stored answer for one person). One process: the bot
 * and an in-memory Azurite; the evaluation is marked sent without sending anything, so the
 * measurement is the submissions alone (after 20 unmeasured warm-up submissions from other
 * delegates). Also checks the session's tally (the digest's training figures) against the stored
 * answers. Exits 1 if anything is lost or doubled, or the tally differs.
 * EVAL_DELEGATES and EVAL_SECONDS change the size.
 */
import { randomUUID } from "node:crypto";
import { startApp } from "../src/app";
import { loadConfig } from "../src/config";
import { startEmbeddedAzurite } from "../src/storage/embeddedAzurite";
import { startConnector } from "../test/support/connector";
import { officerWithSession } from "./trainingSession";
import { invokeAction, TEST_TENANT_ID } from "../test/support/teamsActivity";
import { fmt, percentile } from "./stats";

const DELEGATES = Number(process.env.EVAL_DELEGATES ?? 500);
const SECONDS = Number(process.env.EVAL_SECONDS ?? 10);
const DOUBLE = Math.round(DELEGATES / 10);
const log = (s = "") => process.stdout.write(s + "\n");

const answer = (overall: number) => ({ overall: String(overall), outcome1: "yes", outcome2: "partly", confidenceBefore: "2", confidenceAfter: "4", trainer: "5", materials: "4", doDifferently: "I will use the neglect tool at every review of a child in need plan.", comment: "", consentQuote: "yes" });

async function main() {
  const azurite = await startEmbeddedAzurite({ inMemory: true });
  const connector = await startConnector();
  const app = await startApp(loadConfig({ TABLES_CONNECTION_STRING: azurite.connectionString, TABLE_PREFIX: "benchEval", PORT: "0", LOG_LEVEL: "silent", BOT_SERVICE_URL: connector.serviceUrl, DATA_DIR: `/tmp/bench-eval-${process.pid}` }));
  try {
    const s = app.services;
    const t = s.training;
    const { officer, sessionId } = await officerWithSession(app, { courseTitle: "Basic child protection", outcomes: ["Recognise the four categories of abuse", "Know how to make a referral"], mode: "in_person", venue: "Civic Centre" });
    const WARM_UP = 20;
    const all = Array.from({ length: DELEGATES + WARM_UP }, (_, i) => ({ i, teams: i % 2 === 0, aadObjectId: randomUUID(), email: `delegate${i}@agency${i % 20}.example` }));
    await t.delegates.addMany(officer, await t.sessions.get(sessionId), all.map((p) => ({ name: `Delegate ${p.i}`, email: p.email, agency: "Agency", managerName: "", managerEmail: "", ...(p.teams ? { tenantId: TEST_TENANT_ID, aadObjectId: p.aadObjectId } : {}) })), "csv");
    // Closed and marked sent, with nothing enqueued: only the submissions are measured.
    const closed = (await t.rounds.close(sessionId))!;
    await t.deps.repo.updateSession(sessionId, { endSentAt: new Date().toISOString() }, closed.etag);
    const session = await t.sessions.get(sessionId);
    const everyone = all.map((p) => {
      const delegateId = t.deps.keys.delegateId({ email: p.email });
      return { ...p, delegateId, link: t.answering.link(session, "end", delegateId)! };
    });
    const warmUp = everyone.slice(DELEGATES);
    const targets = everyone.slice(0, DELEGATES);

    const submit = async (p: (typeof targets)[number], overall: number): Promise<{ ms: number; ok: boolean; channel: "teams" | "web" }> => {
      const started = performance.now();
      if (p.teams) {
        const activity = invokeAction({ aadObjectId: p.aadObjectId, tenantId: TEST_TENANT_ID, name: `Delegate ${p.i}` }, "training.evaluation.answer", { sessionId, kind: "end", delegateId: p.delegateId, ...answer(overall) }, { serviceUrl: connector.serviceUrl });
        const res = await fetch(`${app.url}/api/messages`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(activity) });
        const body = await res.text();
        return { ms: performance.now() - started, ok: res.status === 200 && /your answers are (saved|changed)/i.test(body), channel: "teams" };
      }
      const res = await fetch(p.link, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(answer(overall)).toString(), redirect: "manual" });
      await res.text();
      return { ms: performance.now() - started, ok: res.status === 303, channel: "web" };
    };

    // Warm-up, not measured: the first card binds load every template and the first requests open connections.
    for (const p of warmUp) await submit(p, 3);

    const gap = (SECONDS * 1000) / DELEGATES;
    const t0 = performance.now();
    const runs: Array<Promise<Array<{ ms: number; ok: boolean; channel: "teams" | "web" }>>> = targets.map(
      (p, n) =>
        new Promise((resolve) => setTimeout(resolve, n * gap)).then(async () => {
          // A tenth press twice at once, the second time with another rating.
          if (n % 10 === 5) return Promise.all([submit(p, 4), submit(p, 2)]);
          return [await submit(p, 4)];
        }),
    );
    const results = (await Promise.all(runs)).flat();
    if (process.env.EVAL_DEBUG) {
      const slow = results.map((r, i) => ({ i, ms: Math.round(r.ms) })).sort((a, b) => b.ms - a.ms).slice(0, 15);
      log(`  slowest (submission #, ms): ${slow.map((x) => `${x.i}:${x.ms}`).join(" ")}`);
    }
    const wallSeconds = (performance.now() - t0) / 1000;

    const warmIds = new Set(warmUp.map((p) => t.deps.keys.pseudonym(p.delegateId, session.courseId)));
    const stored = (await t.deps.answers.list(sessionId)).filter((a) => !warmIds.has(a.pseudonym));
    const answeredRecords = (await t.deps.repo.listDelegates(sessionId)).filter((d) => d.endAnsweredAt && !warmUp.some((w) => w.delegateId === d.delegateId)).length;
    const pseudonyms = new Set(stored.map((a) => a.pseudonym));
    const lost = Math.max(0, DELEGATES - Math.min(pseudonyms.size, answeredRecords));
    const duplicated = stored.length - pseudonyms.size;
    const ms = (c?: "teams" | "web") => results.filter((r) => !c || r.channel === c).map((r) => r.ms);
    log(`evaluations: ${DELEGATES} delegates submitting within ${SECONDS} s through the bot's HTTP endpoint (${DELEGATES / 2} Teams card actions, ${DELEGATES / 2} web form posts; ${DOUBLE} double clicks)`);
    log(`  submissions          ${results.length} (${results.filter((r) => !r.ok).length} refused or failed)`);
    log(`  arrivals             spread over ${SECONDS} s (${fmt(DELEGATES / SECONDS, 0)}/s); the last answered ${fmt(wallSeconds)} s after the first arrived`);
    log(`  latency, all         p50 ${fmt(percentile(ms(), 50))} ms, p99 ${fmt(percentile(ms(), 99))} ms, max ${fmt(Math.max(...ms()))} ms`);
    log(`  latency, Teams       p50 ${fmt(percentile(ms("teams"), 50))} ms, p99 ${fmt(percentile(ms("teams"), 99))} ms`);
    log(`  latency, web         p50 ${fmt(percentile(ms("web"), 50))} ms, p99 ${fmt(percentile(ms("web"), 99))} ms`);
    log(`  answers stored       ${stored.length} (one per person: ${pseudonyms.size}); completion records marked ${answeredRecords}`);
    // The session's tally (what the digest reads) against every stored answer, warm-ups included.
    const allStored = await t.deps.answers.list(sessionId);
    const tally = await t.deps.answers.getTally(sessionId);
    const overallSum = allStored.reduce((n, a) => n + (a.answers.kind === "end" ? a.answers.overall : 0), 0);
    const tallyOk = !!tally && tally.end === allStored.length && tally.overall === overallSum;
    log(`  tally for the digest ${tally?.end ?? 0} answers, overall sum ${tally?.overall ?? 0} (stored rows: ${allStored.length}, ${overallSum}): ${tallyOk ? "equal" : "DIFFERENT"}`);
    log(`  lost                 ${lost}`);
    log(`  duplicated           ${duplicated}`);
    if (lost || duplicated || !tallyOk || results.some((r) => !r.ok)) process.exitCode = 1;
  } finally {
    await app.close();
    await connector.close();
    await azurite.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
