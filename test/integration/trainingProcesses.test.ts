/**
 * The evaluation rounds across real bot processes on one storage: a bot (a child process)
 * SIGKILLed mid fan-out and another started in its place (nobody lost, nobody doubled), and two
 * bots (one in a child process, one in this test's process) running their schedulers side by side
 * through the request, the reminder and the managers' round.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { loadConfig } from "../../src/config";
import { composeServices, type Services } from "../../src/compose";
import { startApp } from "../../src/app";
import { createLogger } from "../../src/log";
import { TableStore } from "../../src/storage/tableStore";
import type { Actor } from "../../src/people/actor";
import type { DelegateInput } from "../../src/training/types";
import { batchId } from "../../src/training/verbs";
import { startConnector, type Connector } from "../support/connector";
import { startGraphStandIn, type GraphStandIn } from "../support/graphStandIn";
import { postActivity } from "../support/http";
import { invokeAction, TEST_TENANT_ID } from "../support/teamsActivity";
import { testTablesConnectionString, uniquePrefix } from "../support/tablePrefix";
import { eventually } from "../support/deliveryStack";
import { endAnswer, linkIn, mailsTo, postEvaluation } from "../support/training";

let connector: Connector;
let graph: GraphStandIn;
const children = new Set<ChildProcess>();
const here = new Set<() => Promise<void>>();

beforeAll(async () => {
  connector = await startConnector();
  graph = await startGraphStandIn();
});
afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  for (const stop of here) await stop();
  await connector.close();
  await graph.close();
});

function envFor(prefix: string): Record<string, string> {
  return {
    TABLES_CONNECTION_STRING: testTablesConnectionString(),
    TABLE_PREFIX: prefix,
    PORT: "0",
    LOG_LEVEL: "silent",
    LOCAL_USERS_ARE_ADMINS: "false",
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "bot-child-")),
    SCHEDULER_INTERVAL_MS: "200",
    BOT_SERVICE_URL: connector.serviceUrl,
    MAIL_SENDER: "training@partnership.example",
    MAIL_TENANT_ID: "11111111-1111-4111-8111-111111111111",
    MAIL_CLIENT_ID: "22222222-2222-4222-8222-222222222222",
    MAIL_CLIENT_SECRET: "graph-secret",
    GRAPH_BASE_URL: graph.graphBaseUrl,
    GRAPH_AUTHORITY_HOST: graph.authorityHost,
    DELIVERY_EMAIL_PER_MINUTE: "6000",
  };
}

interface Bot {
  url: string;
  setOffset(ms: number): Promise<void>;
  stop(): Promise<void>;
}

interface Child extends Bot {
  process: ChildProcess;
}

/** A bot in this test's own process: the second process beside a child (fewer processes to start on a 2-core machine). */
async function startHere(env: Record<string, string>, offsetMs = 0): Promise<Bot> {
  let offset = offsetMs;
  const app = await startApp(loadConfig(env), { now: () => new Date(Date.now() + offset) });
  const stop = () => app.close();
  here.add(stop);
  return {
    url: app.url,
    setOffset: async (ms) => {
      offset = ms;
    },
    stop: async () => {
      here.delete(stop);
      await stop();
    },
  };
}

async function startChild(env: Record<string, string>, offsetMs = 0): Promise<Child> {
  const child = spawn(process.execPath, ["--require", "tsx/cjs", path.join(__dirname, "../support/botChild.ts")], {
    env: { ...process.env, CHILD_ENV: JSON.stringify(env), CHILD_CLOCK_OFFSET_MS: String(offsetMs) },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`child did not start: ${err}`)), 60_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /\{"ready":"([^"]+)"\}/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once("exit", () => reject(new Error(`child exited: ${err}`)));
  });
  return {
    url,
    process: child,
    setOffset: (ms) =>
      new Promise((resolve) => {
        child.once("message", () => resolve());
        child.send({ offset: ms });
      }),
    stop: async () => {
      child.kill("SIGKILL");
    },
  };
}

const officer: Actor = { principal: { tenantId: TEST_TENANT_ID, aadObjectId: randomUUID() }, name: "Tara Trainer" };
const officerUser = { tenantId: TEST_TENANT_ID, aadObjectId: officer.principal.aadObjectId, name: officer.name };

/** Storage, services and a session with `teams` delegates who have a 1:1 chat with the bot and `email` delegates it can only e-mail. */
async function setUp(opts: { teams: number; email: number; reminder: string; escalation: string }) {
  const prefix = uniquePrefix();
  const env = envFor(prefix);
  const store = new TableStore({ connectionString: env.TABLES_CONNECTION_STRING, prefix });
  await store.ensureTables();
  const s: Services = composeServices(loadConfig(env), store, createLogger("silent"));
  const t = s.training;
  await s.access.grant({ role: "trainer", agencyId: "*", agencyName: "Partnership", holder: { kind: "person", principal: officer.principal }, name: officer.name, email: "", by: "test" });
  const form = await t.courses.form(officer);
  await t.courses.create(officer, { formId: form.formId, title: "Basic child protection", kind: "core", outcomes: "Recognise abuse\nKnow how to refer", followUpWeeks: "8", reminderAfter: opts.reminder, escalationAfter: opts.escalation });
  const sForm = await t.sessions.form(officer, `c-${form.formId}`);
  await t.sessions.create(officer, { formId: sForm.formId, courseId: `c-${form.formId}`, date: "2027-03-03", time: "09:30", duration: "120", mode: "virtual", venue: "", trainer: "" });
  const sessionId = `s-${sForm.formId}`;
  const tag = prefix.slice(1, 6);
  const teams = Array.from({ length: opts.teams }, (_, i) => ({ name: `Teams ${i}`, email: `teams${i}.${tag}@example.org`, agency: "", managerName: "", managerEmail: "", tenantId: TEST_TENANT_ID, aadObjectId: randomUUID(), conversationId: `a:proc-${tag}-${i}` }));
  const email = Array.from({ length: opts.email }, (_, i) => ({ name: `Email ${i}`, email: `email${i}.${tag}@example.org`, agency: "", managerName: `Manager ${i % 3}`, managerEmail: `manager${i % 3}.${tag}@example.org` }));
  for (const p of teams) await s.delivery.conversations.savePersonal({ tenantId: p.tenantId, aadObjectId: p.aadObjectId }, { serviceUrl: connector.serviceUrl, conversationId: p.conversationId, botId: "28:bot", tenantId: p.tenantId });
  const inputs: DelegateInput[] = [...teams.map(({ conversationId: _c, ...x }) => x), ...email];
  await t.delegates.addMany(officer, await t.sessions.get(sessionId), inputs, "csv");
  return { env, s, sessionId, teams, email, tag };
}

const close = (child: Bot, sessionId: string) => postActivity(child.url, invokeAction(officerUser as never, "training.session.close", { sessionId }, { serviceUrl: connector.serviceUrl }));
const sendsTo = (conversationId: string, match: RegExp) => connector.activities.filter((a) => a.operation === "send" && a.conversationId === conversationId && match.test(JSON.stringify(a.body)));

it("a bot killed mid fan-out and another started on the same storage: every delegate gets exactly one request", async () => {
  const { env, s, sessionId, teams } = await setUp({ teams: 60, email: 0, reminder: "3 days", escalation: "7 days" });
  const first = await startChild(env);
  const sends = () => connector.activities.filter((a) => a.operation === "send" && a.conversationId.startsWith(`a:proc-${env.TABLE_PREFIX.slice(1, 6)}`)).length;
  expect((await close(first, sessionId)).status).toBe(200);
  await eventually(() => sends() >= 15, 45_000, "15 requests sent");
  // A 429 makes the bot stop sending for a few seconds: it is killed while rows are claimed and
  // waiting, and nothing is on the wire, so nothing can have reached Teams without being recorded.
  const rejectedBefore = connector.rejected.length;
  connector.failNext(1, 429, { "Retry-After": "4" });
  await eventually(() => connector.rejected.length > rejectedBefore, 10_000, "the 429");
  await new Promise((r) => setTimeout(r, 500));
  first.process.kill("SIGKILL");
  await new Promise((r) => first.process.once("exit", r));
  const atKill = sends();
  const rows = (await s.delivery.outbox.batchStatus(batchId(sessionId, "end", "request"))).counts;
  expect(atKill).toBeLessThan(60);
  expect(rows.pending + rows.sending).toBeGreaterThan(0);

  // Its leases (a minute) have run out by the clock of the bot that takes over.
  const second = await startHere(env, 2 * 60_000);
  await eventually(async () => (await s.delivery.outbox.batchStatus(batchId(sessionId, "end", "request"))).counts.sent === 60, 60_000, "all 60 sent");
  const perPerson = teams.map((p) => sendsTo(p.conversationId, /Evaluation: Basic child protection/).length);
  const lost = perPerson.filter((n) => n === 0).length;
  const doubled = perPerson.filter((n) => n > 1).length;
  if (process.env.REPORT_CRASH) process.stdout.write(`training crash: sent before kill ${atKill}, claimed ${rows.sending}, lost ${lost}, doubled ${doubled}\n`);
  expect({ lost, doubled }).toEqual({ lost: 0, doubled: 0 });
  await second.stop();
}, 150_000);

it("two bots on one storage run the rounds once: one request each, one reminder to those who did not answer, one message per manager", async () => {
  const { env, s, sessionId, teams, email } = await setUp({ teams: 15, email: 15, reminder: "1 minute", escalation: "1 minute" });
  // One bot in a child process, one in this one: two processes on one storage.
  const [a, b] = await Promise.all([startChild(env), startHere(env)]);
  // Closed on one while the other's scheduler may pick up the same round.
  expect((await close(a, sessionId)).status).toBe(200);
  const request = batchId(sessionId, "end", "request");
  await eventually(async () => (await s.delivery.outbox.batchStatus(request)).counts.sent === 30, 60_000, "30 requests sent");
  for (const p of teams) expect(sendsTo(p.conversationId, /Evaluation: Basic child protection/)).toHaveLength(1);
  for (const p of email) expect(mailsTo(graph, p.email, /^Evaluation: /)).toHaveLength(1);

  // Five answer on the web, through either bot (the links point at the first; the second serves them too).
  for (const p of email.slice(0, 5)) {
    const link = linkIn(mailsTo(graph, p.email, /^Evaluation: /)[0]);
    const via = email.indexOf(p) % 2 ? link.replace(/^http:\/\/127\.0\.0\.1:\d+/, b.url) : link;
    expect((await postEvaluation(via, endAnswer())).status).toBe(303);
  }

  await Promise.all([a.setOffset(61_000), b.setOffset(61_000)]);
  const reminder = batchId(sessionId, "end", "reminder");
  await eventually(async () => {
    const st = await s.delivery.outbox.batchStatus(reminder);
    return st.total === 25 && st.counts.sent === 25;
  }, 60_000, "25 reminders sent");
  for (const p of teams) expect(sendsTo(p.conversationId, /Reminder/)).toHaveLength(1);
  for (const p of email) expect(mailsTo(graph, p.email, /^Reminder: /)).toHaveLength(email.indexOf(p) < 5 ? 0 : 1);

  await Promise.all([a.setOffset(122_000), b.setOffset(122_000)]);
  const escalation = batchId(sessionId, "end", "escalation");
  await eventually(async () => {
    const st = await s.delivery.outbox.batchStatus(escalation);
    return st.total === 3 && st.counts.sent === 3;
  }, 60_000, "3 managers told");
  for (let m = 0; m < 3; m++) expect(mailsTo(graph, email[m].managerEmail, /^Outstanding training evaluation/)).toHaveLength(1);

  // Both keep running for a while longer: nothing more goes out.
  const before = graph.sent.length + connector.activities.length;
  await Promise.all([a.setOffset(3_600_000), b.setOffset(3_600_000)]);
  await new Promise((r) => setTimeout(r, 1_500));
  expect(graph.sent.length + connector.activities.length).toBe(before);
  await a.stop();
  await b.stop();
}, 150_000);
