/** The Bot Connector transport over HTTP against the connector stand-in: outcomes, statuses, no retries of its own. */
import { ConnectorClient, MicrosoftAppCredentials } from "botframework-connector";
import { BotConnectorTransport } from "../../../src/bot/teamsTransport";
import { ConversationReferences } from "../../../src/conversations/conversationReferences";
import { ConversationsRepo } from "../../../src/storage/conversationsRepo";
import { startConnector, type Connector } from "../../support/connector";
import { freshStore, newObjectId, tenantA } from "../../support/deliveryStore";

let connector: Connector;
let refs: ConversationReferences;
let transport: BotConnectorTransport;
const card = { type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock", text: "Please sign off" }] };

beforeAll(async () => {
  connector = await startConnector();
  refs = new ConversationReferences(new ConversationsRepo(await freshStore()));
  transport = new BotConnectorTransport({ conversations: refs, botId: "28:bot", defaultServiceUrl: connector.serviceUrl, getToken: async () => "test-token" });
});
afterAll(() => connector.close());
beforeEach(() => connector.reset());

const person = () => ({ tenantId: tenantA, aadObjectId: newObjectId() });

it("opens a 1:1 chat when there is none, stores it, sends the card and reuses the chat next time", async () => {
  const p = person();
  const gates: string[] = [];
  const first = await transport.sendToPerson(p, { card }, { beforeRequest: async (t) => void gates.push(t) });
  expect(first).toMatchObject({ outcome: "sent", conversationId: "a:new-1" });
  expect(gates).toEqual([tenantA, tenantA]);
  const created = connector.createdConversations[0].body;
  expect(created).toMatchObject({ isGroup: false, bot: { id: "28:bot" }, members: [{ id: p.aadObjectId }], tenantId: tenantA, channelData: { tenant: { id: tenantA } } });
  expect(connector.createdConversations[0].authorization).toBe("Bearer test-token");
  const sent = connector.sentTo("a:new-1")[0];
  expect(sent.body.attachments[0]).toEqual({ contentType: "application/vnd.microsoft.card.adaptive", content: card });
  expect((await refs.personal(p))?.conversationId).toBe("a:new-1");

  const second = await transport.sendToPerson(p, { text: "again" });
  expect(second).toMatchObject({ outcome: "sent", conversationId: "a:new-1" });
  expect(connector.createdConversations).toHaveLength(1);
});

it("surfaces a 429 with its Retry-After after exactly one request", async () => {
  const p = person();
  await refs.savePersonal(p, { serviceUrl: connector.serviceUrl, conversationId: "a:throttled", botId: "28:bot", tenantId: tenantA });
  connector.failNext(1, 429, { "Retry-After": "3" });
  const r = await transport.sendToPerson(p, { text: "hi" });
  expect(r).toMatchObject({ outcome: "retry", status: 429, retryAfterMs: 3000 });
  expect(connector.requests.filter((q) => decodeURIComponent(q.path).includes("a:throttled"))).toHaveLength(1);
});

it("reports 5xx and 412 as retry, 400 and 413 as failed, without retrying", async () => {
  const p = person();
  await refs.savePersonal(p, { serviceUrl: connector.serviceUrl, conversationId: "a:flaky", botId: "28:bot", tenantId: tenantA });
  for (const status of [500, 502, 503, 504, 412]) {
    connector.failNext(1, status);
    expect(await transport.sendToPerson(p, { text: "x" })).toMatchObject({ outcome: "retry", status });
  }
  for (const status of [400, 413]) {
    connector.failNext(1, status);
    expect(await transport.sendToPerson(p, { text: "x" })).toMatchObject({ outcome: "failed", status });
  }
  expect(connector.requests).toHaveLength(7);
});

it("403 blocked is unreachable; 404 forgets the chat and says gone; a failing create is unreachable", async () => {
  const blocked = person();
  await refs.savePersonal(blocked, { serviceUrl: connector.serviceUrl, conversationId: "a:blocked", botId: "28:bot", tenantId: tenantA });
  connector.failConversation("a:blocked", 403);
  expect(await transport.sendToPerson(blocked, { text: "x" })).toEqual({ outcome: "unreachable", status: 403, reason: "teams 403 MessageWritesBlocked" });

  const deleted = person();
  await refs.savePersonal(deleted, { serviceUrl: connector.serviceUrl, conversationId: "a:deleted", botId: "28:bot", tenantId: tenantA });
  connector.failConversation("a:deleted", 404);
  expect(await transport.sendToPerson(deleted, { text: "x" })).toMatchObject({ outcome: "gone", status: 404 });
  expect(await refs.personal(deleted)).toBeUndefined();

  const notInstalled = person();
  connector.failMember(notInstalled.aadObjectId, 403);
  expect(await transport.sendToPerson(notInstalled, { text: "x" })).toMatchObject({ outcome: "unreachable", status: 403 });
  const unknown = person();
  connector.failMember(unknown.aadObjectId, 404);
  expect(await transport.sendToPerson(unknown, { text: "x" })).toMatchObject({ outcome: "unreachable", status: 404 });
});

it("a network failure is a retry with status 0", async () => {
  const p = person();
  await refs.savePersonal(p, { serviceUrl: "http://127.0.0.1:9/", conversationId: "a:nowhere", botId: "28:bot", tenantId: tenantA });
  expect(await transport.sendToPerson(p, { text: "x" })).toMatchObject({ outcome: "retry", status: 0 });
});

it("posts to a registered channel and updates a sent card in place", async () => {
  const key = { teamId: "19:team@thread.tacv2", channelId: "19:digest@thread.tacv2" };
  await refs.saveChannel(key, { serviceUrl: connector.serviceUrl, conversationId: key.channelId, teamId: key.teamId, tenantId: tenantA, botId: "28:bot" });
  const sent = await transport.sendToChannel(key, { card });
  expect(sent).toMatchObject({ outcome: "sent", conversationId: key.channelId });
  const activityId = (sent as { activityId: string }).activityId;
  const updated = await transport.updateActivity({ serviceUrl: connector.serviceUrl, conversationId: key.channelId, tenantId: tenantA }, activityId, { text: "withdrawn" });
  expect(updated).toMatchObject({ outcome: "sent", activityId });
  expect(connector.activities.find((a) => a.operation === "update")?.body).toMatchObject({ type: "message", text: "withdrawn", id: activityId });
  expect(await transport.sendToChannel({ teamId: "x", channelId: "y" }, { text: "x" })).toMatchObject({ outcome: "unreachable" });
});

/**
 * Why the transport does its own HTTP: botbuilder's ConnectorClient retries a 429 itself even when
 * asked not to (`noRetryPolicy` is ignored). If this starts failing, botbuilder changed and the
 * ConnectorClient could be reconsidered.
 */
it("(reference) botbuilder's ConnectorClient retries 429 on its own despite noRetryPolicy", async () => {
  connector.failNext(2, 429, { "Retry-After": "0" });
  const client = new ConnectorClient(new MicrosoftAppCredentials("", ""), { baseUri: connector.serviceUrl, noRetryPolicy: true } as never);
  await client.conversations.sendToConversation("a:ref", { type: "message", text: "x" } as never);
  expect(connector.requests.filter((q) => decodeURIComponent(q.path).includes("a:ref")).length).toBe(3);
});

it("the connector stand-in's rate-limit mode answers 429 with Retry-After past the per-conversation limit", async () => {
  const p = person();
  await refs.savePersonal(p, { serviceUrl: connector.serviceUrl, conversationId: "a:limited", botId: "28:bot", tenantId: tenantA });
  connector.setRateLimit({ perTenantPerSecond: 50, perConversationPerSecond: 2 });
  const results = [];
  for (let i = 0; i < 3; i++) results.push(await transport.sendToPerson(p, { text: `m${i}` }));
  expect(results.map((r) => r.outcome)).toEqual(["sent", "sent", "retry"]);
  expect(results[2]).toMatchObject({ status: 429, retryAfterMs: 1000 });
  expect(connector.throttled).toHaveLength(1);
});
