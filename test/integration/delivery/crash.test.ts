/**
 * A dispatcher process SIGKILLed mid fan-out, then another dispatcher picks up: nobody is lost,
 * and duplicates are bounded by the rows the dead process had claimed (at-least-once).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { TableStore } from "../../../src/storage/tableStore";
import { startConnector, type Connector } from "../../support/connector";
import { newObjectId, tenantA } from "../../support/deliveryStore";
import { deliveryStack, eventually } from "../../support/deliveryStack";
import { testTablesConnectionString, uniquePrefix } from "../../support/tablePrefix";

let connector: Connector;
beforeAll(async () => {
  connector = await startConnector();
});
afterAll(() => connector.close());

it("a killed dispatcher loses nobody; its lease expires and the rest is sent", async () => {
  const prefix = uniquePrefix();
  const store = new TableStore({ connectionString: testTablesConnectionString(), prefix });
  await store.ensureTables();
  const survivor = deliveryStack({ store, connector, dispatcher: { owner: "survivor" }, limits: { perTenantPerSecond: 500 } });
  const people = Array.from({ length: 60 }, () => ({ kind: "person" as const, tenantId: tenantA, aadObjectId: newObjectId() }));
  await Promise.all(people.map((p, i) => survivor.conversations.savePersonal(p, { serviceUrl: connector.serviceUrl, conversationId: `a:crash-${i}`, botId: "28:bot", tenantId: tenantA })));
  const batch = "test.crash|60";
  await survivor.outbox.enqueue(batch, people.map((recipient) => ({ recipient, kind: "test.teamsOnly" })));
  connector.setLatency(40);

  const child = spawn(process.execPath, ["--require", "tsx/cjs", path.join(__dirname, "../../support/dispatchChild.ts")], {
    env: { ...process.env, CHILD_TABLES: testTablesConnectionString(), CHILD_PREFIX: prefix, CHILD_SERVICE_URL: connector.serviceUrl, CHILD_BATCH: batch, CHILD_LEASE_MS: "1500" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const sends = () => connector.activities.filter((a) => a.operation === "send").length;
  await eventually(() => sends() >= 15, 20_000, "the child to send 15");
  child.kill("SIGKILL");
  await exited;
  const atKill = sends();
  expect(atKill).toBeLessThan(60);
  const rowsAfterKill = (await survivor.outbox.batchStatus(batch)).counts;
  expect(rowsAfterKill.pending + rowsAfterKill.sending).toBeGreaterThan(0);

  connector.setLatency(0);
  await eventually(async () => {
    await survivor.dispatcher.dispatchBatch(batch);
    return (await survivor.outbox.batchStatus(batch)).counts.sent === 60;
  }, 15_000, "all 60 sent");

  const perConversation = new Map<string, number>();
  for (const a of connector.activities.filter((x) => x.operation === "send")) perConversation.set(a.conversationId, (perConversation.get(a.conversationId) ?? 0) + 1);
  const lost = people.length - perConversation.size;
  const duplicates = [...perConversation.values()].reduce((s, n) => s + n - 1, 0);
  if (process.env.REPORT_CRASH) process.stdout.write(`crash: sends at kill ${atKill}, rows sending ${rowsAfterKill.sending}, duplicates ${duplicates}, lost ${lost}\n`);
  expect(lost).toBe(0);
  // Bounded by what the dead process had claimed (claimAhead 8); in practice its sends in flight (4).
  expect(duplicates).toBeLessThanOrEqual(8);
  const status = await survivor.outbox.batchStatus(batch);
  expect(status.counts).toMatchObject({ sent: 60, sending: 0, pending: 0 });
  await survivor.stop();
}, 45_000);
