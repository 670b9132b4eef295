import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/log";
import type { FeatureRoutes } from "../../src/routes";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { startApp, type RunningApp } from "../../src/app";
import { startConnector, type Connector } from "./connector";
import { postActivity } from "./http";
import { testTablesConnectionString, uniquePrefix } from "./tablePrefix";
import { invokeAction, message, messageWithValue, toConnectorMember, setDefaultServiceUrl, type TeamsUser } from "./teamsActivity";
import { textOf } from "./cardTools";
import { withEvaluationSettings } from "./registeredBot";

/**
 * The real bot over HTTP, on the test run's Azurite (own table prefix), replying to a local
 * Bot Connector stand-in. Nothing of ours is faked.
 */
export interface BotUnderTest {
  app: RunningApp;
  connector: Connector;
  url: string;
  /** Sends an Action.Execute and returns the card the bot answered with (Universal Actions replace in place). */
  invoke(user: TeamsUser, verb: string, data?: Record<string, unknown>): Promise<{ status: number; card: any; body: any }>;
  /** Sends a text message and returns the card (or text) of the bot's reply. */
  say(user: TeamsUser, text: string): Promise<{ status: number; card: any; text: string }>;
  submit(user: TeamsUser, value: Record<string, unknown>): Promise<{ status: number; card: any; text: string }>;
  /**
   * What the bot logged at warn and above, parsed (with `captureLogs`; empty otherwise), so a test can
   * assert that hostile input never reached the "unexpected failure" of src/bot/failures.ts.
   */
  logs: Array<{ level: number; msg?: string; where?: string; [k: string]: unknown }>;
  /** Registers a user on the connector's roster (so the bot can read their e-mail) . */
  addToRoster(user: TeamsUser): void;
  stop(): Promise<void>;
}

export async function startBot(env: Record<string, string> = {}, opts: { now?: () => Date; features?: FeatureRoutes[]; storagePolicies?: PipelinePolicy[]; captureLogs?: boolean } = {}): Promise<BotUnderTest> {
  const connector = await startConnector();
  setDefaultServiceUrl(connector.serviceUrl);
  // Its own data folder (local-mode e-mails land in DATA_DIR/outbox) and a quick scheduler, so retries show within a test.
  // TEST_LOG_LEVEL=warn shows what the bot logged, for a test that fails only in the full run.
  const config = loadConfig({ TABLES_CONNECTION_STRING: testTablesConnectionString(), TABLE_PREFIX: uniquePrefix(), PORT: "0", LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent", LOCAL_USERS_ARE_ADMINS: "false", DATA_DIR: mkdtempSync(join(tmpdir(), "bot-data-")), SCHEDULER_INTERVAL_MS: "200", ...withEvaluationSettings(env) });
  const logs: BotUnderTest["logs"] = [];
  // Captured lines are also printed when TEST_LOG_LEVEL asks for them.
  const log = opts.captureLogs
    ? createLogger(process.env.TEST_LOG_LEVEL && process.env.TEST_LOG_LEVEL !== "silent" ? process.env.TEST_LOG_LEVEL : "warn", {
        write(line: string) {
          logs.push(JSON.parse(line));
          if (process.env.TEST_LOG_LEVEL && process.env.TEST_LOG_LEVEL !== "silent") process.stdout.write(line);
        },
      })
    : undefined;
  const app = await startApp(config, { log, now: opts.now, storagePolicies: opts.storagePolicies, features: opts.features ? (s) => [...s.features, ...opts.features!] : undefined });

  const lastReplyAfter = async (seq: number) => {
    const all = connector.activities.filter((a) => a.seq > seq && (a.operation === "reply" || a.operation === "send"));
    const last = all[all.length - 1];
    const card = last?.body?.attachments?.[0]?.content;
    return { card, text: card ? textOf(card) : String(last?.body?.text ?? "") };
  };
  const seqNow = () => connector.activities.reduce((m, a) => Math.max(m, a.seq), 0);

  return {
    app,
    connector,
    url: app.url,
    logs,
    async invoke(user, verb, data = {}) {
      const res = await postActivity(app.url, invokeAction(user, verb, data, { serviceUrl: connector.serviceUrl }));
      const body = res.body as any;
      return { status: res.status, body, card: body?.type === "application/vnd.microsoft.card.adaptive" ? body.value : undefined };
    },
    async say(user, text) {
      const before = seqNow();
      const res = await postActivity(app.url, message(user, text, { serviceUrl: connector.serviceUrl }));
      return { status: res.status, ...(await lastReplyAfter(before)) };
    },
    async submit(user, value) {
      const before = seqNow();
      const res = await postActivity(app.url, messageWithValue(user, value, { serviceUrl: connector.serviceUrl }));
      return { status: res.status, ...(await lastReplyAfter(before)) };
    },
    addToRoster(user) {
      connector.setMember(toConnectorMember(user));
    },
    async stop() {
      await app.close();
      await connector.close();
    },
  };
}
