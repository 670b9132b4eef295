/** Proves the shared test harness: global Azurite, Bot Connector stand-in, Teams activity builders. */
import { RestError, TableClient } from "@azure/data-tables";
import { startConnector, type Connector } from "../support/connector";
import { getFreePort } from "../support/freePort";
import { postActivity } from "../support/http";
import { testTablesConnectionString, uniquePrefix } from "../support/tablePrefix";
import {
  BOT_ID,
  FILE_DOWNLOAD_INFO_CONTENT_TYPE,
  conversationUpdateMembersAdded,
  fileConsentOrFileMessage,
  installationUpdate,
  invokeAction,
  message,
  messageWithValue,
  newTeamsUser,
  personalConversationId,
  teamMessage,
  teamsActivities,
  toConnectorMember,
} from "../support/teamsActivity";
import http from "node:http";
import type { AddressInfo } from "node:net";
import restify from "restify";
import { Application, TeamsAdapter } from "@microsoft/teams-ai";
import { MemoryStorage, TeamsInfo, TurnContext } from "botbuilder";

describe("test harness: Azurite", () => {
  it("exposes a connection string from globalSetup", () => {
    expect(testTablesConnectionString()).toMatch(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;/);
  });

  it("uniquePrefix gives valid, distinct table-name prefixes", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = uniquePrefix();
      expect(p).toMatch(/^t[a-z0-9]{8}$/);
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });

  it("creates a table, upserts, reads back and rejects a stale ETag with 412", async () => {
    const table = TableClient.fromConnectionString(testTablesConnectionString(), `${uniquePrefix()}Harness`, {
      allowInsecureConnection: true,
    });
    await table.createTable();
    try {
      await table.upsertEntity({ partitionKey: "p1", rowKey: "r1", name: "Agency A", count: 1 }, "Replace");
      const first = await table.getEntity<{ name: string; count: number }>("p1", "r1");
      expect(first.name).toBe("Agency A");
      expect(first.count).toBe(1);
      expect(first.etag).toBeTruthy();

      await table.updateEntity({ partitionKey: "p1", rowKey: "r1", name: "Agency A", count: 2 }, "Merge", {
        etag: first.etag,
      });
      const err = await table
        .updateEntity({ partitionKey: "p1", rowKey: "r1", count: 3 }, "Merge", { etag: first.etag })
        .then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(RestError);
      expect((err as RestError).statusCode).toBe(412);

      const after = await table.getEntity<{ count: number }>("p1", "r1");
      expect(after.count).toBe(2);
    } finally {
      await table.deleteTable();
    }
  });
});

describe("test harness: freePort", () => {
  it("returns a port that can be bound", async () => {
    const port = await getFreePort();
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
    await new Promise<void>((r) => server.close(() => r()));
  });
});

describe("test harness: Bot Connector stand-in", () => {
  let connector: Connector;
  const base = () => connector.serviceUrl.replace(/\/$/, "");
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base()}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    connector = await startConnector();
  });
  afterEach(() => connector.reset({ roster: true }));
  afterAll(() => connector.close());

  it("serves on 127.0.0.1 with a trailing-slash serviceUrl", () => {
    expect(connector.serviceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it("records sends, replies, updates and deletes and returns ids", async () => {
    const cid = "a:personal-tenant-user";
    const enc = encodeURIComponent(cid);
    const sent = await post(`/v3/conversations/${enc}/activities`, { type: "message", text: "hello" }, {
      Authorization: "Bearer abc",
    });
    expect(sent.status).toBe(200);
    const { id } = (await sent.json()) as { id: string };
    expect(id).toBeTruthy();

    const replied = await post(`/v3/conversations/${enc}/activities/${encodeURIComponent(id)}`, {
      type: "message",
      text: "a reply",
    });
    const replyId = ((await replied.json()) as { id: string }).id;
    expect(replyId).not.toBe(id);

    const put = await fetch(`${base()}/v3/conversations/${enc}/activities/${replyId}`, {
      method: "PUT",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ type: "message", text: "edited" }),
    });
    expect(await put.json()).toEqual({ id: replyId });
    const del = await fetch(`${base()}/v3/conversations/${enc}/activities/${replyId}`, { method: "DELETE" });
    expect(del.status).toBe(200);

    expect(connector.activities.map((a) => [a.operation, a.method, a.conversationId])).toEqual([
      ["send", "POST", cid],
      ["reply", "POST", cid],
      ["update", "PUT", cid],
      ["delete", "DELETE", cid],
    ]);
    expect(connector.activities[0]).toMatchObject({
      activityId: id,
      authorization: "Bearer abc",
      body: { type: "message", text: "hello" },
      path: `/v3/conversations/${enc}/activities`,
    });
    expect(connector.activities[1].replyToId).toBe(id);
    expect(connector.sentTo(cid).map((a) => a.body.text)).toEqual(["hello", "a reply"]);
    expect(connector.sentTo("other")).toEqual([]);
  });

  it("waitFor resolves for existing and later activities and times out clearly", async () => {
    await post(`/v3/conversations/c1/activities`, { type: "message", text: "first" });
    await expect(connector.waitFor((a) => a.body.text === "first")).resolves.toMatchObject({ conversationId: "c1" });

    const later = connector.waitFor((a) => a.body.text === "second", 2000);
    setTimeout(() => void post(`/v3/conversations/c2/activities`, { type: "message", text: "second" }), 50);
    await expect(later).resolves.toMatchObject({ conversationId: "c2" });

    await expect(connector.waitForCount(2, () => true, 500)).resolves.toHaveLength(2);
    await expect(connector.waitFor((a) => a.body.text === "never", 100)).rejects.toThrow(/timed out.*Recorded/s);
  });

  it("looks up roster members by id or aadObjectId and 404s unknown ones", async () => {
    const alice = newTeamsUser({ name: "Alice Smith" });
    connector.setMember(toConnectorMember(alice));
    const cid = encodeURIComponent(personalConversationId(alice));

    const byId = await fetch(`${base()}/v3/conversations/${cid}/members/${encodeURIComponent(`29:${alice.aadObjectId}`)}`);
    expect(byId.status).toBe(200);
    expect(await byId.json()).toMatchObject({
      id: `29:${alice.aadObjectId}`,
      name: "Alice Smith",
      aadObjectId: alice.aadObjectId,
      email: alice.email,
      userPrincipalName: alice.email,
      tenantId: alice.tenantId,
      givenName: "Alice",
      surname: "Smith",
    });
    const byAad = await fetch(`${base()}/v3/conversations/${cid}/members/${alice.aadObjectId}`);
    expect(((await byAad.json()) as { name: string }).name).toBe("Alice Smith");

    const missing = await fetch(`${base()}/v3/conversations/${cid}/members/29:nobody`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "MemberNotFoundInConversation" } });
  });

  it("lists members and pages them with continuation tokens", async () => {
    const users = Array.from({ length: 5 }, () => toConnectorMember(newTeamsUser()));
    connector.setMembers(users);
    const all = (await (await fetch(`${base()}/v3/conversations/c/members`)).json()) as unknown[];
    expect(all).toHaveLength(5);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const q = new URLSearchParams({ pageSize: "2", ...(token ? { continuationToken: token } : {}) });
      const page = (await (await fetch(`${base()}/v3/conversations/c/pagedmembers?${q}`)).json()) as {
        members: Array<{ id: string }>;
        continuationToken?: string;
      };
      seen.push(...page.members.map((m) => m.id));
      token = page.continuationToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(users.map((u) => u.id));
  });

  it("creates 1:1 conversations and records the request", async () => {
    const res = await post(`/v3/conversations`, {
      bot: { id: BOT_ID },
      members: [{ id: "29:someone" }],
      channelData: { tenant: { id: "t1" } },
      isGroup: false,
    });
    const body = (await res.json()) as { id: string; activityId: string; serviceUrl: string };
    expect(body.id).toMatch(/^a:new-\d+$/);
    expect(body.activityId).toBeTruthy();
    expect(body.serviceUrl).toBe(connector.serviceUrl);
    expect(connector.createdConversations).toHaveLength(1);
    expect(connector.createdConversations[0].body.members[0].id).toBe("29:someone");
    await expect(connector.waitForConversation()).resolves.toMatchObject({ id: body.id });
  });

  it("injects 429 with Retry-After, then 500, for the next activity POSTs only", async () => {
    connector.failNext(1, 429, { "Retry-After": "1" });
    connector.failNext(1, 500);

    const first = await post(`/v3/conversations/c/activities`, { type: "message", text: "1" });
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("1");
    expect(await first.json()).toMatchObject({ error: { code: "Throttled" } });

    // Roster reads are not affected by activity failures.
    expect((await fetch(`${base()}/v3/conversations/c/members`)).status).toBe(200);

    const second = await post(`/v3/conversations/c/activities/x`, { type: "message", text: "2" });
    expect(second.status).toBe(500);
    const third = await post(`/v3/conversations/c/activities`, { type: "message", text: "3" });
    expect(third.status).toBe(200);

    expect(connector.rejected.map((r) => r.status)).toEqual([429, 500]);
    expect(connector.activities.map((a) => a.body.text)).toEqual(["3"]);
  });

  it("answers unknown routes with 404 and records them", async () => {
    const res = await fetch(`${base()}/v3/nothing-here`);
    expect(res.status).toBe(404);
    expect(connector.requests.at(-1)).toMatchObject({ method: "GET", path: "/v3/nothing-here", status: 404 });
  });
});

describe("test harness: Teams activity builders", () => {
  const serviceUrl = "http://127.0.0.1:1/";
  const user = newTeamsUser({ name: "Bob Jones", tenantId: "tenant-1", aadObjectId: "aad-1" });

  it("builds Teams-shaped personal activities", () => {
    const a = message(user, "hello", { serviceUrl });
    expect(a).toMatchObject({
      type: "message",
      text: "hello",
      channelId: "msteams",
      serviceUrl,
      from: { id: "29:aad-1", name: "Bob Jones", aadObjectId: "aad-1" },
      recipient: { id: "28:bot-app-id", name: "Safeguarding Assurance" },
      conversation: { id: "a:personal-tenant-1-aad-1", conversationType: "personal", tenantId: "tenant-1" },
      channelData: { tenant: { id: "tenant-1" } },
      locale: "en-GB",
      localTimezone: "Europe/London",
    });
    expect(new Date(a.timestamp).toString()).not.toBe("Invalid Date");
    expect(message(user, "x", { serviceUrl }).id).not.toBe(a.id);
    expect(() => message(user, "no url")).toThrow(/serviceUrl/);
  });

  it("builds submit, invoke, conversationUpdate, installationUpdate, file and channel activities", () => {
    const t = teamsActivities(serviceUrl);
    expect(t.messageWithValue(user, { verb: "save", answer: 2 })).toMatchObject({
      type: "message",
      text: "",
      value: { verb: "save", answer: 2 },
    });
    const inv = invokeAction(user, "submitAnswer", { q: 1 }, { serviceUrl, replyToId: "card-1" });
    expect(inv).toMatchObject({
      type: "invoke",
      name: "adaptiveCard/action",
      replyToId: "card-1",
      value: { action: { type: "Action.Execute", verb: "submitAnswer", data: { q: 1 } }, trigger: "manual" },
    });
    expect(conversationUpdateMembersAdded(user, { serviceUrl }).membersAdded).toEqual([{ id: BOT_ID }]);
    expect(installationUpdate(user, "remove", { serviceUrl })).toMatchObject({ type: "installationUpdate", action: "remove" });

    const file = fileConsentOrFileMessage(
      user,
      { name: "agencies.csv", downloadUrl: "http://127.0.0.1:1/f.csv", fileType: "csv" },
      { serviceUrl },
    );
    expect(file.attachments?.[0]).toMatchObject({
      contentType: FILE_DOWNLOAD_INFO_CONTENT_TYPE,
      name: "agencies.csv",
      content: { downloadUrl: "http://127.0.0.1:1/f.csv", fileType: "csv" },
    });

    const ch = teamMessage(user, "19:team@thread.tacv2", "19:chan@thread.tacv2", "status", { serviceUrl });
    expect(ch.conversation.conversationType).toBe("channel");
    expect(ch.conversation.id).toBe(`19:chan@thread.tacv2;messageid=${ch.id}`);
    expect(ch.channelData).toMatchObject({ team: { id: "19:team@thread.tacv2" }, channel: { id: "19:chan@thread.tacv2" } });
    expect(ch.text).toBe("<at>Safeguarding Assurance</at> status");
    expect(messageWithValue(user, {}, { serviceUrl }).replyToId).toBeTruthy();
  });

  it("postActivity posts JSON to /api/messages and parses the reply", async () => {
    let received: unknown;
    const server = http.createServer((req, res) => {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => {
        received = { url: req.url, body: JSON.parse(raw) };
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      const a = message(user, "ping", { serviceUrl });
      const res = await postActivity(`http://127.0.0.1:${port}/`, a);
      expect(res).toMatchObject({ status: 200, body: { ok: true } });
      expect(received).toEqual({ url: "/api/messages", body: a });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("test harness: a real teams-ai bot against the connector stand-in", () => {
  let connector: Connector;
  let server: restify.Server;
  let botUrl: string;
  let adapter: TeamsAdapter;

  beforeAll(async () => {
    connector = await startConnector();
    adapter = new TeamsAdapter({ MicrosoftAppId: "", MicrosoftAppPassword: "", MicrosoftAppType: "MultiTenant" });
    const app = new Application({ adapter, storage: new MemoryStorage(), startTypingTimer: false });
    app.message("who", async (ctx) => {
      const me = await TeamsInfo.getMember(ctx, ctx.activity.from.id);
      const page = await TeamsInfo.getPagedMembers(ctx, 2);
      const sent = await ctx.sendActivity(`${me.name} <${me.email}> page=${page.members.length}`);
      await ctx.updateActivity({ id: sent?.id, type: "message", text: "edited" });
      const err = await TeamsInfo.getMember(ctx, "29:unknown").catch((e: { statusCode?: number }) => e);
      await ctx.sendActivity(`unknown=${(err as { statusCode?: number }).statusCode}`);
    });
    app.message("open", async (ctx) => {
      const tenantId = ctx.activity.conversation.tenantId;
      await adapter.createConversationAsync(
        "",
        "msteams",
        ctx.activity.serviceUrl,
        "",
        { isGroup: false, bot: ctx.activity.recipient, members: [{ id: "29:someone", name: "" }], tenantId,
          channelData: { tenant: { id: tenantId } } },
        async (c2: TurnContext) => {
          await c2.sendActivity("hello proactive");
        },
      );
    });
    app.activity("message", async (ctx) => {
      await ctx.sendActivity(`echo ${ctx.activity.text} value=${JSON.stringify(ctx.activity.value)}`);
    });
    app.adaptiveCards.actionExecute("go", async (_ctx, _state, data) => ({
      type: "AdaptiveCard",
      version: "1.5",
      body: [{ type: "TextBlock", text: `done ${JSON.stringify(data)}` }],
    }));

    server = restify.createServer();
    server.use(restify.plugins.bodyParser());
    server.post("/api/messages", async (req, res) => {
      await adapter.process(req, res, (ctx) => app.run(ctx).then(() => undefined));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => connector.reset());
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await connector.close();
  });

  it("replies, updates and looks up the roster through botbuilder", async () => {
    const t = teamsActivities(connector.serviceUrl);
    const alice = newTeamsUser({ name: "Alice Smith" });
    connector.setMembers([toConnectorMember(alice), toConnectorMember(newTeamsUser()), toConnectorMember(newTeamsUser())]);
    const incoming = t.message(alice, "who");
    expect((await postActivity(botUrl, incoming)).status).toBe(200);

    const cid = personalConversationId(alice);
    expect(connector.activities.map((a) => [a.operation, a.conversationId, a.body.text])).toEqual([
      ["reply", cid, `Alice Smith <${alice.email}> page=2`],
      ["update", cid, "edited"],
      ["reply", cid, "unknown=404"],
    ]);
    expect(connector.activities[0].replyToId).toBe(incoming.id);
  });

  it("retries a 429 after Retry-After", async () => {
    const alice = newTeamsUser();
    connector.failNext(1, 429, { "Retry-After": "1" });
    const started = Date.now();
    await postActivity(botUrl, message(alice, "hi", { serviceUrl: connector.serviceUrl }));
    expect(connector.rejected).toHaveLength(1);
    expect(connector.sentTo(personalConversationId(alice)).map((a) => a.body.text)).toEqual(["echo hi value=undefined"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("opens a 1:1 conversation proactively", async () => {
    const alice = newTeamsUser();
    await postActivity(botUrl, message(alice, "open", { serviceUrl: connector.serviceUrl }));
    const conv = await connector.waitForConversation();
    expect(conv.body).toMatchObject({ members: [{ id: "29:someone" }], channelData: { tenant: { id: alice.tenantId } } });
    await expect(connector.waitFor((a) => a.conversationId === conv.id)).resolves.toMatchObject({
      body: { text: "hello proactive" },
    });
  });

  it("routes Action.Submit values, Action.Execute invokes and channel mentions", async () => {
    const t = teamsActivities(connector.serviceUrl);
    const alice = newTeamsUser();
    await postActivity(botUrl, t.messageWithValue(alice, { a: 1 }));
    const invoke = await postActivity(botUrl, t.invokeAction(alice, "go", { q: 1 }));
    expect(invoke.body).toMatchObject({
      statusCode: 200,
      type: "application/vnd.microsoft.card.adaptive",
      value: { body: [{ text: 'done {"q":1}' }] },
    });
    const ch = t.teamMessage(alice, "19:team@thread.tacv2", "19:chan@thread.tacv2", "hi there");
    await postActivity(botUrl, ch);
    expect(connector.activities.map((a) => [a.conversationId, a.body.text])).toEqual([
      [personalConversationId(alice), 'echo  value={"a":1}'],
      [ch.conversation.id, "echo hi there value=undefined"],
    ]);
  });
});
