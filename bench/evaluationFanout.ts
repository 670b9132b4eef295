/**
 * npx tsx bench/evaluationFanout.ts: one session of 1,000 delegates, all reachable in Teams, closed
 * and its end-of-session evaluation sent by the training feature's own round, through the whole
 * bot (outbox, scheduler, dispatcher, Bot Connector transport) against the connector stand-in
 * enforcing 50 requests/s per tenant and 7/s per conversation (429 + Retry-After when exceeded).
 * Prints the send rate as a share of the tenant limit (target >= 90%), 429s, lost (a delegate with
 * no evaluation card), duplicated (more than one) and total time. bench/fanout.ts measures the
 * outbox alone; this one the evaluation requests as a training officer sends them.
 * EVAL_FANOUT_DELEGATES changes the size. Exits 1 if anyone is lost or doubled.
 */
import { randomUUID } from "node:crypto";
import { startApp } from "../src/app";
import { loadConfig } from "../src/config";
import { startEmbeddedAzurite } from "../src/storage/embeddedAzurite";
import { startConnector } from "../test/support/connector";
import { officerWithSession } from "./trainingSession";
import { TEST_TENANT_ID } from "../test/support/teamsActivity";

const DELEGATES = Number(process.env.EVAL_FANOUT_DELEGATES ?? 1000);
const TENANT_LIMIT = 50;
const CONVERSATION_LIMIT = 7;
const TARGET_SHARE = 0.9;
const log = (s = "") => process.stdout.write(s + "\n");

async function main() {
  const azurite = await startEmbeddedAzurite({ inMemory: true });
  const connector = await startConnector();
  const app = await startApp(
    loadConfig({
      TABLES_CONNECTION_STRING: azurite.connectionString,
      TABLE_PREFIX: "benchEvalFan",
      PORT: "0",
      LOG_LEVEL: "silent",
      BOT_SERVICE_URL: connector.serviceUrl,
      DATA_DIR: `/tmp/bench-eval-fanout-${process.pid}`,
      SCHEDULER_INTERVAL_MS: "200",
      DELIVERY_PER_TENANT_PER_SECOND: String(TENANT_LIMIT),
    }),
  );
  try {
    const s = app.services;
    const t = s.training;
    const { officer, sessionId } = await officerWithSession(app, { courseTitle: "Working together to safeguard children", outcomes: ["Know the threshold document", "Know how to escalate a concern"], mode: "virtual", venue: "https://teams.example/meet" });

    // Delegates who have the app: each has a personal chat the bot can post to.
    const people = Array.from({ length: DELEGATES }, (_, i) => ({ i, aadObjectId: randomUUID(), email: `delegate${i}@agency${i % 40}.example`, conversationId: `a:eval-${i}` }));
    for (let i = 0; i < people.length; i += 50) {
      await Promise.all(
        people.slice(i, i + 50).map((p) => s.delivery.conversations.savePersonal({ tenantId: TEST_TENANT_ID, aadObjectId: p.aadObjectId }, { serviceUrl: connector.serviceUrl, conversationId: p.conversationId, botId: "28:bot", tenantId: TEST_TENANT_ID })),
      );
    }
    await t.delegates.addMany(officer, await t.sessions.get(sessionId), people.map((p) => ({ name: `Delegate ${p.i}`, email: p.email, agency: `Agency ${p.i % 40}`, managerName: "", managerEmail: "", tenantId: TEST_TENANT_ID, aadObjectId: p.aadObjectId })), "csv");
    await t.rounds.close(sessionId);

    connector.setRateLimit({ perTenantPerSecond: TENANT_LIMIT, perConversationPerSecond: CONVERSATION_LIMIT });
    connector.reset();
    const t0 = Date.now();
    await t.rounds.send(sessionId, "end");
    const enqueuedMs = Date.now() - t0;
    const sendsOf = () => connector.activities.filter((a) => a.operation === "send" && a.conversationId.startsWith("a:eval-"));
    for (;;) {
      if (new Set(sendsOf().map((a) => a.conversationId)).size >= DELEGATES) break;
      if (Date.now() - t0 > 10 * 60_000) throw new Error("the evaluation round did not finish in 10 minutes");
      await new Promise((r) => setTimeout(r, 100));
    }
    // Anything still in flight or retried would show as a duplicate: wait a little longer.
    await new Promise((r) => setTimeout(r, 2000));
    const sends = sendsOf();
    const perConversation = new Map<string, number>();
    for (const a of sends) perConversation.set(a.conversationId, (perConversation.get(a.conversationId) ?? 0) + 1);
    const lost = people.filter((p) => !perConversation.has(p.conversationId)).length;
    const duplicated = [...perConversation.values()].reduce((n, c) => n + c - 1, 0);
    const seconds = (sends[sends.length - 1].at - sends[0].at) / 1000;
    const rate = (sends.length - 1) / seconds;
    const share = rate / TENANT_LIMIT;
    log(`evaluation fan-out: one session of ${DELEGATES} delegates in Teams, stand-in limits ${TENANT_LIMIT}/s per tenant and ${CONVERSATION_LIMIT}/s per conversation`);
    log(`  round enqueued       ${enqueuedMs} ms`);
    log(`  send rate            ${rate.toFixed(1)}/s = ${(share * 100).toFixed(1)}% of the tenant limit (target >= ${TARGET_SHARE * 100}%: ${share >= TARGET_SHARE ? "met" : "NOT met"})`);
    log(`  429s received        ${connector.throttled.length}`);
    log(`  lost                 ${lost}`);
    log(`  duplicated           ${duplicated}`);
    log(`  first to last send   ${seconds.toFixed(1)} s; total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (lost || duplicated) process.exitCode = 1;
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
