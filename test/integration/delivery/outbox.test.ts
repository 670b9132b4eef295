/** The outbox and dispatcher on the run's Azurite with the connector stand-in: idempotence, outcomes, reasons, notices. */
import { dispatchJobId } from "../../../src/delivery/outbox";
import { LINK_REASON, noticeBatchId } from "../../../src/delivery/dispatcher";
import { FileEmailTransport } from "../../../src/delivery/fileEmail";
import { JobsRepo } from "../../../src/storage/jobsRepo";
import type { TableStore } from "../../../src/storage/tableStore";
import { startConnector, type Connector } from "../../support/connector";
import { freshStore, manualClock, newObjectId, tenantA } from "../../support/deliveryStore";
import { deliveryStack, testBuilders } from "../../support/deliveryStack";
import { key } from "../../../src/storage/keys";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

let connector: Connector;
let store: TableStore;
beforeAll(async () => {
  connector = await startConnector();
  store = await freshStore();
});
afterAll(() => connector.close());
beforeEach(() => connector.reset());

const person = (extra: Record<string, string> = {}) => ({ kind: "person" as const, tenantId: tenantA, aadObjectId: newObjectId(), ...extra });
let batchN = 0;
const newBatch = (what: string) => `test.${what}|${++batchN}`;

it("enqueue is idempotent: no second row, no reset of a sent row, one dispatch job", async () => {
  const d = deliveryStack({ store, connector });
  const batch = newBatch("idem");
  const a = person();
  const b = person();
  const items = [
    { recipient: a, kind: "test.teamsOnly", params: { n: 1 } },
    { recipient: b, kind: "test.teamsOnly" },
    { recipient: { ...a, aadObjectId: a.aadObjectId.toUpperCase() }, kind: "test.teamsOnly" },
  ];
  expect(await d.outbox.enqueue(batch, items)).toEqual({ created: 2 });
  expect(await d.outbox.enqueue(batch, items)).toEqual({ created: 0 });
  expect((await new JobsRepo(store).all()).filter((j) => j.id === dispatchJobId(batch))).toHaveLength(1);
  await d.dispatcher.dispatchBatch(batch);
  expect((await d.outbox.batchStatus(batch)).counts).toMatchObject({ sent: 2, pending: 0 });
  expect(await d.outbox.enqueue(batch, items)).toEqual({ created: 0 });
  await d.dispatcher.dispatchBatch(batch);
  const status = await d.outbox.batchStatus(batch);
  expect(status.counts.sent).toBe(2);
  expect(status.total).toBe(2);
  expect(connector.activities.filter((x) => x.operation === "send")).toHaveLength(2);
  expect(status.rows.every((r) => r.channel === "teams" && r.activityId && r.conversationId && r.sentAt)).toBe(true);
  await d.stop();
});

it("the dispatch job sends the batch and deletes itself when nothing is left", async () => {
  const clock = manualClock(new Date());
  const d = deliveryStack({ store, connector, now: clock.now });
  const batch = newBatch("job");
  await d.outbox.enqueue(batch, [{ recipient: person(), kind: "test.teamsOnly" }]);
  await d.scheduler.runDue();
  expect((await d.outbox.batchStatus(batch)).counts.sent).toBe(1);
  expect(await d.scheduler.get(dispatchJobId(batch))).toBeUndefined();
  await d.stop();
});

it("a builder's skip ends the row skipped with its reason; an unknown kind is retried, then fails", async () => {
  const clock = manualClock(new Date());
  const builders = testBuilders({ "test.withdrawn": async () => ({ skip: "request withdrawn" }) });
  const d = deliveryStack({ store, connector, builders, now: clock.now, dispatcher: { maxFailures: 2, retryBaseMs: 1000 } });
  const batch = newBatch("skip");
  await d.outbox.enqueue(batch, [{ recipient: person(), kind: "test.withdrawn" }, { recipient: person(), kind: "test.nobody-builds-this" }]);
  await d.dispatcher.dispatchBatch(batch);
  clock.advance(5_000);
  const r = await d.dispatcher.dispatchBatch(batch);
  expect(r.rescheduleAt).toBeUndefined();
  const rows = (await d.outbox.batchStatus(batch)).rows;
  expect(rows.find((x) => x.kind === "test.withdrawn")).toMatchObject({ state: "skipped", lastError: "skipped: request withdrawn" });
  expect(rows.find((x) => x.kind === "test.nobody-builds-this")).toMatchObject({ state: "failed", failures: 2, lastError: "no message builder for test.nobody-builds-this" });
  expect(connector.activities).toHaveLength(0);
  await d.stop();
});

it("5xx backs off and gives up after maxFailures; 400 fails at once; each tells the requester", async () => {
  const clock = manualClock(new Date());
  const d = deliveryStack({ store, connector, now: clock.now, dispatcher: { maxFailures: 3, retryBaseMs: 1000, retryMaxMs: 10_000 } });
  const officer = { tenantId: tenantA, aadObjectId: newObjectId() };
  const flaky = person();
  const bad = person();
  await d.conversations.savePersonal(flaky, { serviceUrl: connector.serviceUrl, conversationId: "a:flaky-1", botId: "28:bot", tenantId: tenantA });
  await d.conversations.savePersonal(bad, { serviceUrl: connector.serviceUrl, conversationId: "a:bad-1", botId: "28:bot", tenantId: tenantA });
  connector.failConversation("a:flaky-1", 503);
  connector.failConversation("a:bad-1", 400, "BadArgument");
  const batch = newBatch("fail");
  await d.outbox.enqueue(batch, [
    { recipient: flaky, kind: "test.teamsOnly", tellOnFailure: officer },
    { recipient: bad, kind: "test.teamsOnly", tellOnFailure: officer },
  ]);
  let r = await d.dispatcher.dispatchBatch(batch);
  let rows = (await d.outbox.batchStatus(batch)).rows;
  const flakyRow = () => rows.find((x) => x.recipientKey.includes(flaky.aadObjectId))!;
  expect(rows.find((x) => x.recipientKey.includes(bad.aadObjectId))).toMatchObject({ state: "failed", lastStatus: 400, lastError: "teams 400 BadArgument", notice: "done" });
  expect(flakyRow()).toMatchObject({ state: "pending", failures: 1, lastStatus: 503 });
  const wait1 = Date.parse(flakyRow().notBefore) - clock.now().getTime();
  expect(wait1).toBeGreaterThanOrEqual(500);
  expect(wait1).toBeLessThanOrEqual(1000);
  expect(r.rescheduleAt?.toISOString()).toBe(flakyRow().notBefore);
  for (let i = 0; i < 2; i++) {
    clock.advance(10_000);
    r = await d.dispatcher.dispatchBatch(batch);
  }
  rows = (await d.outbox.batchStatus(batch)).rows;
  expect(flakyRow()).toMatchObject({ state: "failed", failures: 3, attempts: 3, lastError: "teams 503 ServiceError" });
  expect(r.rescheduleAt).toBeUndefined();

  // Each failure queued one notice to the officer, in its own batch, built by "delivery.failed".
  for (const failed of rows) {
    const notice = await d.outbox.batchStatus(noticeBatchId(batch, failed.recipientKey));
    expect(notice.rows).toHaveLength(1);
    expect(notice.rows[0]).toMatchObject({ kind: "delivery.failed", recipient: { kind: "person", aadObjectId: officer.aadObjectId }, params: { batchId: batch, recipientKey: failed.recipientKey, state: "failed" } });
    await d.dispatcher.dispatchBatch(notice.batchId);
  }
  const toOfficer = connector.activities.filter((a) => String(a.body?.text).startsWith("Could not deliver"));
  expect(toOfficer).toHaveLength(2);
  await d.stop();
});

it("without an e-mail transport, people Teams cannot reach end unreachable with a link to hand out", async () => {
  const d = deliveryStack({ store, connector });
  const blocked = person({ email: "blocked@agency.example" });
  await d.conversations.savePersonal(blocked, { serviceUrl: connector.serviceUrl, conversationId: "a:blocked-2", botId: "28:bot", tenantId: tenantA });
  connector.failConversation("a:blocked-2", 403);
  const batch = newBatch("link");
  await d.outbox.enqueue(batch, [
    { recipient: blocked, kind: "test.card" },
    { recipient: { kind: "email", email: "delegate@charity.example", name: "A Delegate" }, kind: "test.card" },
  ]);
  await d.dispatcher.dispatchBatch(batch);
  const rows = (await d.outbox.batchStatus(batch)).rows;
  expect(rows).toHaveLength(2);
  for (const r of rows) {
    expect(r).toMatchObject({ state: "unreachable", channel: "link" });
    expect(r.lastError).toContain(LINK_REASON.noTransport);
  }
  expect(rows.find((r) => r.recipient.kind === "person")?.lastError).toBe(`teams 403 MessageWritesBlocked; ${LINK_REASON.noTransport}`);
  await d.stop();
});

it("with the file transport, e-mail recipients get an .eml file; channels get the card", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "outbox-"));
  const d = deliveryStack({ store, connector, email: new FileEmailTransport({ dataDir: dir }) });
  const channelKey = { teamId: "19:t@thread.tacv2", channelId: "19:exec@thread.tacv2" };
  await d.conversations.saveChannel(channelKey, { serviceUrl: connector.serviceUrl, conversationId: channelKey.channelId, teamId: channelKey.teamId, tenantId: tenantA, botId: "28:bot" });
  const batch = newBatch("file");
  await d.outbox.enqueue(batch, [
    { recipient: { kind: "email", email: "delegate@charity.example", name: "Zoë Delegate" }, kind: "test.card", params: { n: 7 } },
    { recipient: { kind: "channel", key: channelKey }, kind: "test.card", params: { n: 8 } },
  ]);
  await d.dispatcher.dispatchBatch(batch);
  const status = await d.outbox.batchStatus(batch);
  expect(status.counts.sent).toBe(2);
  expect(status.rows.find((r) => r.recipientKey === key("e", "delegate@charity.example"))).toMatchObject({ channel: "email" });
  const files = fs.readdirSync(path.join(dir, "outbox"));
  expect(files).toHaveLength(1);
  const eml = fs.readFileSync(path.join(dir, "outbox", files[0]), "utf8");
  expect(eml).toContain("Subject: Message 7");
  expect(eml).toContain("To: =?UTF-8?B?");
  expect(connector.sentTo(channelKey.channelId)).toHaveLength(1);
  fs.rmSync(dir, { recursive: true, force: true });
  await d.stop();
});

it("a 429 writes the tenant's shared 'throttled until', which another instance honours", async () => {
  const clock = manualClock(new Date());
  const a = deliveryStack({ store, connector, now: clock.now, dispatcher: { owner: "a" } });
  const b = deliveryStack({ store, connector, now: clock.now, dispatcher: { owner: "b" } });
  const tenant = newObjectId();
  const first = { kind: "person" as const, tenantId: tenant, aadObjectId: newObjectId() };
  const second = { kind: "person" as const, tenantId: tenant, aadObjectId: newObjectId() };
  connector.failNext(1, 429, { "Retry-After": "30" });
  const b1 = newBatch("throttle-a");
  const b2 = newBatch("throttle-b");
  await a.outbox.enqueue(b1, [{ recipient: first, kind: "test.teamsOnly" }]);
  await b.outbox.enqueue(b2, [{ recipient: second, kind: "test.teamsOnly" }]);
  await a.dispatcher.dispatchBatch(b1);
  expect((await a.outbox.batchStatus(b1)).rows[0]).toMatchObject({ state: "pending", throttled: 1, lastStatus: 429 });
  clock.advance(1000);
  const r = await b.dispatcher.dispatchBatch(b2);
  expect((await b.outbox.batchStatus(b2)).counts.pending).toBe(1);
  expect(r.rescheduleAt!.getTime()).toBeGreaterThanOrEqual(clock.now().getTime() + 28_000);
  expect(connector.activities.filter((x) => x.operation === "send")).toHaveLength(0);
  clock.advance(30_000);
  await Promise.all([a.dispatcher.dispatchBatch(b1), b.dispatcher.dispatchBatch(b2)]);
  expect(connector.activities.filter((x) => x.operation === "send")).toHaveLength(2);
  await Promise.all([a.stop(), b.stop()]);
});
