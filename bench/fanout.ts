/**
 * npx tsx bench/fanout.ts: one batch of 1,000 people (one personal chat each, one tenant) through
 * the real outbox, scheduler, dispatcher and Bot Connector transport, against the connector
 * stand-in enforcing 50 requests/s per tenant and 7/s per conversation (429 + Retry-After when
 * exceeded). Prints the send rate as a share of the tenant limit (target >= 90%), 429s, lost,
 * duplicated and total time. Embedded in-memory Azurite; exits 1 if anyone is lost or doubled.
 * FANOUT_DEBUG=1 prints the gaps between requests before each 429; FANOUT_RECIPIENTS changes the size.
 */
import { randomUUID } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startEmbeddedAzurite } from "../src/storage/embeddedAzurite";
import { TableStore } from "../src/storage/tableStore";
import { startConnector } from "../test/support/connector";
import { deliveryStack } from "../test/support/deliveryStack";

const RECIPIENTS = Number(process.env.FANOUT_RECIPIENTS ?? 1000);
const TENANT_LIMIT = 50;
const CONVERSATION_LIMIT = 7;
const TARGET_SHARE = 0.9;
const TENANT = "00000000-0000-4000-8000-0000000be4c4";

const log = (s = "") => process.stdout.write(s + "\n");

async function main() {
  const azurite = await startEmbeddedAzurite({ inMemory: true });
  const connector = await startConnector();
  try {
    const store = new TableStore({ connectionString: azurite.connectionString, prefix: "bench" });
    await store.ensureTables();
    const d = deliveryStack({ store, connector, scheduler: { intervalMs: 200 }, limits: { perTenantPerSecond: TENANT_LIMIT } });
    const people = Array.from({ length: RECIPIENTS }, (_, i) => ({ kind: "person" as const, tenantId: TENANT, aadObjectId: randomUUID(), conversationId: `a:bench-${i}` }));
    for (let i = 0; i < people.length; i += 50) {
      await Promise.all(people.slice(i, i + 50).map((p) => d.conversations.savePersonal(p, { serviceUrl: connector.serviceUrl, conversationId: p.conversationId, botId: "28:bot", tenantId: TENANT })));
    }
    connector.setRateLimit({ perTenantPerSecond: TENANT_LIMIT, perConversationPerSecond: CONVERSATION_LIMIT });
    const batch = "bench.fanout|1";
    const t0 = Date.now();
    await d.outbox.enqueue(batch, people.map(({ kind, tenantId, aadObjectId }, n) => ({ recipient: { kind, tenantId, aadObjectId }, kind: "test.card", params: { n } })));
    const enqueuedMs = Date.now() - t0;
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    d.start();
    let firstSend = 0;
    for (;;) {
      const sends = connector.activities.filter((a) => a.operation === "send");
      if (!firstSend && sends.length) firstSend = sends[0].at;
      if (sends.length >= RECIPIENTS) {
        const status = await d.outbox.batchStatus(batch);
        if (status.counts.sent + status.counts.failed + status.counts.unreachable >= RECIPIENTS) break;
      }
      if (Date.now() - t0 > 10 * 60_000) throw new Error("fan-out did not finish in 10 minutes");
      await new Promise((r) => setTimeout(r, 100));
    }
    await d.stop();
    loopDelay.disable();
    const sends = connector.activities.filter((a) => a.operation === "send");
    const lastSend = sends[sends.length - 1].at;
    const perConversation = new Map<string, number>();
    for (const s of sends) perConversation.set(s.conversationId, (perConversation.get(s.conversationId) ?? 0) + 1);
    const lost = people.filter((p) => !perConversation.has(p.conversationId)).length;
    const duplicated = [...perConversation.values()].reduce((s, n) => s + n - 1, 0);
    const status = await d.outbox.batchStatus(batch);
    const sendSeconds = (lastSend - firstSend) / 1000;
    const rate = (sends.length - 1) / sendSeconds;
    const share = rate / TENANT_LIMIT;
    log(`fan-out: ${RECIPIENTS} recipients, one tenant, stand-in limits ${TENANT_LIMIT}/s per tenant and ${CONVERSATION_LIMIT}/s per conversation`);
    log(`  enqueue              ${enqueuedMs} ms`);
    log(`  send rate            ${rate.toFixed(1)}/s = ${(share * 100).toFixed(1)}% of the tenant limit (target >= ${TARGET_SHARE * 100}%: ${share >= TARGET_SHARE ? "met" : "NOT met"})`);
    log(`  429s received        ${connector.throttled.length}`);
    log(`  rows                 ${JSON.stringify(status.counts)}`);
    log(`  lost                 ${lost}`);
    log(`  duplicated           ${duplicated}`);
    log(`  first to last send   ${sendSeconds.toFixed(1)} s`);
    log(`  event loop delay     p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(loopDelay.max / 1e6).toFixed(0)} ms (bot and stand-in share this process)`);
    log(`  total time           ${((Date.now() - t0) / 1000).toFixed(1)} s (enqueue to all rows recorded)`);
    if (process.env.FANOUT_DEBUG) {
      const at = connector.requests.filter((r) => r.method === "POST").map((r) => ({ at: r.at, status: r.status }));
      for (const [i, r] of at.entries()) if (r.status === 429) log(`  429 at #${i}: gaps before ${at.slice(Math.max(0, i - 55), i + 1).map((x, j, a) => (j ? x.at - a[j - 1].at : 0)).join(",")}`);
    }
    if (lost || duplicated) process.exitCode = 1;
  } finally {
    await connector.close();
    await azurite.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
