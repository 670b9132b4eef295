/**
 * A batch of 30 through two dispatcher instances (same tables, own limits and owners), with the
 * connector stand-in throwing 429s, 500s, a block and a deleted chat, and Graph for e-mail.
 * Everyone gets exactly one message; counts come from the rows.
 */
import { GraphEmailTransport, clientCredentialsToken } from "../../../src/delivery/graphEmail";
import type { Delivery } from "../../../src/delivery/createDelivery";
import type { TableStore } from "../../../src/storage/tableStore";
import { startConnector, type Connector } from "../../support/connector";
import { freshStore, newObjectId, tenantA, tenantB } from "../../support/deliveryStore";
import { deliveryStack, eventually } from "../../support/deliveryStack";
import { startGraphStandIn, type GraphStandIn } from "../../support/graphStandIn";
import { key } from "../../../src/storage/keys";

let connector: Connector;
let graph: GraphStandIn;
let store: TableStore;
let instances: Delivery[] = [];

beforeAll(async () => {
  [connector, graph, store] = await Promise.all([startConnector(), startGraphStandIn({ clientSecret: "s3cret" }), freshStore()]);
});
afterAll(async () => {
  await Promise.all(instances.map((d) => d.stop()));
  await Promise.all([connector.close(), graph.close()]);
});

function instance(owner: string): Delivery {
  const email = new GraphEmailTransport({
    mailbox: "safeguarding-bot@partnership.example",
    graphBaseUrl: graph.graphBaseUrl,
    token: clientCredentialsToken({ tenantId: tenantA, clientId: "client-id", clientSecret: "s3cret", authorityHost: graph.authorityHost }),
  });
  const d = deliveryStack({
    store,
    connector,
    email,
    scheduler: { intervalMs: 50, owner },
    dispatcher: { owner, retryBaseMs: 100, retryMaxMs: 400, default429Ms: 300 },
    limits: { perTenantPerSecond: 40, emailPerMinute: 6000 },
  });
  instances.push(d);
  return d;
}

it("delivers a batch of 30 exactly once each through faults, with counts from the rows", async () => {
  const [a, b] = [instance("instance-a"), instance("instance-b")];
  const withRef = Array.from({ length: 10 }, (_, i) => ({ kind: "person" as const, tenantId: i % 2 ? tenantA : tenantB, aadObjectId: newObjectId(), email: `ref${i}@agency.example` }));
  const needChat = Array.from({ length: 10 }, (_, i) => ({ kind: "person" as const, tenantId: tenantA, aadObjectId: newObjectId(), email: `new${i}@agency.example` }));
  const emailOnly = Array.from({ length: 10 }, (_, i) => ({ kind: "email" as const, email: `delegate${i}@charity.example`, name: `Delegate ${i}` }));
  for (const [i, p] of withRef.entries()) {
    await a.conversations.savePersonal(p, { serviceUrl: connector.serviceUrl, conversationId: `a:ref-${i}`, botId: "28:bot", tenantId: p.tenantId });
  }
  // ref-0 blocked the bot (→ e-mail), ref-1 deleted the chat (→ a new chat, once); new-0 never installed the app (→ e-mail).
  connector.failConversation("a:ref-0", 403);
  connector.failConversation("a:ref-1", 404);
  connector.failMember(needChat[0].aadObjectId, 403);
  connector.failNext(2, 429, { "Retry-After": "1" });
  connector.failNext(3, 500);
  connector.failNext(1, 503, {}, { appliesTo: "createConversation" });
  graph.failNext(1, 429, { "Retry-After": "1" });
  graph.failNext(1, 500);

  const batch = "test.fanout|30";
  const recipients = [...withRef, ...needChat, ...emailOnly];
  await a.outbox.enqueue(batch, recipients.map((recipient, n) => ({ recipient, kind: "test.card", params: { n } })));
  await b.outbox.enqueue(batch, recipients.map((recipient, n) => ({ recipient, kind: "test.card", params: { n } })));
  const started = Date.now();
  a.start();
  b.start();
  await eventually(async () => (await a.outbox.batchStatus(batch)).counts.sent === 30, 20_000, "30 sent");
  const elapsed = Date.now() - started;

  const status = await b.outbox.batchStatus(batch);
  expect(status.total).toBe(30);
  expect(status.counts).toEqual({ pending: 0, sending: 0, sent: 30, failed: 0, unreachable: 0, skipped: 0 });

  // Teams: each person's accepted messages, over every chat they have had.
  const memberOf = new Map<string, string>();
  withRef.forEach((p, i) => memberOf.set(`a:ref-${i}`, p.aadObjectId));
  for (const c of connector.createdConversations) memberOf.set(c.id, String(c.body.members[0].id));
  const perPerson = new Map<string, number>();
  for (const act of connector.activities.filter((x) => x.operation === "send")) {
    const who = memberOf.get(act.conversationId) ?? `unknown:${act.conversationId}`;
    perPerson.set(who, (perPerson.get(who) ?? 0) + 1);
  }
  const perEmail = new Map<string, number>();
  for (const m of graph.sent) {
    const to = m.message.toRecipients[0].emailAddress.address as string;
    perEmail.set(to, (perEmail.get(to) ?? 0) + 1);
  }
  const viaTeams = [...withRef.slice(1), ...needChat.slice(1)];
  for (const p of viaTeams) expect([p.aadObjectId, perPerson.get(p.aadObjectId)]).toEqual([p.aadObjectId, 1]);
  expect(perPerson.size).toBe(viaTeams.length);
  for (const e of [withRef[0].email, needChat[0].email, ...emailOnly.map((x) => x.email)]) expect([e, perEmail.get(e)]).toEqual([e, 1]);
  expect(perEmail.size).toBe(12);

  const row = (r: (typeof recipients)[number]) => status.rows.find((x) => x.recipientKey === (r.kind === "email" ? key("e", r.email) : key("p", r.tenantId, r.aadObjectId)))!;
  expect(row(withRef[0])).toMatchObject({ channel: "email" });
  expect(row(needChat[0])).toMatchObject({ channel: "email" });
  expect(row(withRef[1])).toMatchObject({ channel: "teams" });
  expect(row(withRef[1]).conversationId).toMatch(/^a:new-/);
  expect(connector.createdConversations.filter((c) => c.body.members[0].id === withRef[1].aadObjectId)).toHaveLength(1);
  expect((await a.conversations.personal(withRef[1]))?.conversationId).toBe(row(withRef[1]).conversationId);
  // The injected faults were all met and retried, and the 429s were honoured by both instances.
  expect(connector.rejected.filter((r) => r.status === 429)).toHaveLength(2);
  expect(status.rows.reduce((s, r) => s + r.throttled, 0)).toBeGreaterThanOrEqual(2);
  expect(status.rows.reduce((s, r) => s + r.failures, 0)).toBeGreaterThanOrEqual(5);
  expect(elapsed).toBeGreaterThanOrEqual(900);
  await Promise.all([a.stop(), b.stop()]);
});

it("two dispatchers racing over the same 120 rows: each row claimed and sent once", async () => {
  const [a, b] = [instance("race-a"), instance("race-b")];
  connector.reset();
  const people = Array.from({ length: 120 }, () => ({ kind: "person" as const, tenantId: tenantA, aadObjectId: newObjectId() }));
  for (const [i, p] of people.entries()) await a.conversations.savePersonal(p, { serviceUrl: connector.serviceUrl, conversationId: `a:race-${i}`, botId: "28:bot", tenantId: tenantA });
  const batch = "test.race|120";
  await a.outbox.enqueue(batch, people.map((recipient) => ({ recipient, kind: "test.teamsOnly" })));
  const [ra, rb] = await Promise.all([a.dispatcher.dispatchBatch(batch), b.dispatcher.dispatchBatch(batch)]);
  expect(ra.claimed + rb.claimed).toBe(120);
  const sends = connector.activities.filter((x) => x.operation === "send");
  expect(sends).toHaveLength(120);
  expect(new Set(sends.map((s) => s.conversationId)).size).toBe(120);
  expect((await a.outbox.batchStatus(batch)).counts.sent).toBe(120);
});

it("dispatchNow answers within its budget and finishes in the background", async () => {
  const d = instance("now");
  connector.reset();
  connector.setLatency(150);
  const people = Array.from({ length: 3 }, () => ({ kind: "person" as const, tenantId: tenantA, aadObjectId: newObjectId() }));
  const batch = "test.now|3";
  await d.outbox.enqueue(batch, people.map((recipient) => ({ recipient, kind: "test.teamsOnly" })));
  const t0 = Date.now();
  const early = await d.dispatcher.dispatchNow(batch, { budgetMs: 100 });
  expect(Date.now() - t0).toBeLessThan(1000);
  expect(early.counts.sent).toBeLessThan(3);
  await eventually(async () => (await d.outbox.batchStatus(batch)).counts.sent === 3, 5000, "background sends");
  expect(connector.activities.filter((x) => x.operation === "send")).toHaveLength(3);
  connector.setLatency(0);
});
