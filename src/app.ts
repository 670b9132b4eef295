import type { Server } from "restify";
import type { Config } from "./config";
import { createLogger, type Logger } from "./log";
import { TableStore } from "./storage/tableStore";
import { startEmbeddedAzurite, type EmbeddedAzurite } from "./storage/embeddedAzurite";
import { composeServices, type Services } from "./compose";
import { createBot } from "./bot/createBot";
import { createHttpServer, inFlightOf } from "./http/server";
import { EdgeState } from "./bot/edgeState";
import { BotConnectorTransport, botConnectorTokens } from "./bot/teamsTransport";
import { emailTransportFor } from "./delivery/emailTransportFor";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

export interface RunningApp {
  url: string;
  port: number;
  server: Server;
  store: TableStore;
  log: Logger;
  services: Services;
  /** The composed route table the bot dispatches through. */
  routes: ReturnType<typeof createBot>["routes"];
  close(): Promise<void>;
}

/**
 * The composition root: config -> storage -> services -> bot -> http. With no storage
 * configured it starts an embedded Azurite whose data survives restarts under DATA_DIR.
 */
export async function startApp(config: Config, opts: { storagePolicies?: PipelinePolicy[]; log?: Logger; now?: () => Date; features?: (s: Services) => Services["features"] } = {}): Promise<RunningApp> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  let embedded: EmbeddedAzurite | undefined;
  let connectionString = config.TABLES_CONNECTION_STRING;
  if (!connectionString && !config.TABLES_ENDPOINT) {
    embedded = await startEmbeddedAzurite({ dataDir: config.DATA_DIR });
    connectionString = embedded.connectionString;
    log.info({ port: embedded.port, dataDir: config.DATA_DIR }, "embedded Azurite started (no storage configured)");
  }
  const store = new TableStore({ connectionString, endpoint: config.TABLES_ENDPOINT, prefix: config.TABLE_PREFIX, policies: opts.storagePolicies });
  await store.ensureTables();
  const edge = new EdgeState(config.MicrosoftAppId, config.BOT_SERVICE_URL);
  const services = composeServices(config, store, log, opts.now, {
    teams: (conversations) => new BotConnectorTransport({ conversations, botId: () => edge.botId(), defaultServiceUrl: (tenantId) => edge.serviceUrlFor(tenantId), getToken: botConnectorTokens(config) }),
    email: emailTransportFor(config),
  });
  if (opts.features) {
    services.features = opts.features(services);
    services.register(services.features);
  }
  const { adapter, app, routes } = createBot(services, edge);
  const server = createHttpServer({
    adapter,
    app,
    log,
    pages: services.features.flatMap((f) => f.pages ?? []),
    health: async () => {
      // Whether storage answers, and nothing else: an error text could name hosts or accounts.
      try {
        await store.ping();
        return { ok: true, storage: "ok" };
      } catch (e) {
        log.warn({ where: "health", status: (e as { statusCode?: number }).statusCode }, "storage did not answer the health check");
        return { ok: false, storage: "not answering" };
      }
    },
  });
  // Local mode has no authentication, so it must not be reachable from other machines.
  const host = config.localMode ? "127.0.0.1" : "0.0.0.0";
  await new Promise<void>((res) => server.listen(config.PORT, host, () => res()));
  const port = (server.address() as { port: number }).port;
  // Links in evaluation e-mails point here when no PUBLIC_BASE_URL is set (local mode, tests on a free port).
  if (!config.PUBLIC_BASE_URL) config.publicBaseUrl = `http://127.0.0.1:${port}`;
  log.info({ port, host, localMode: config.localMode }, "bot listening");
  // Every instance runs the scheduler: due sends and reminders are claimed from storage, so any number can.
  services.delivery.start();
  // The actions' morning sweep (reminders) is a stored job with a fixed id: ensuring it from every instance is harmless.
  await services.actions.ensureSweep().catch((e) => log.warn({ err: e }, "could not schedule the actions' sweep; the next instance to start will"));
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    store,
    log,
    services,
    routes,
    close: () => (closing ??= closeGracefully(server, embedded, () => services.delivery.stop())),
  };
}

/**
 * Stops taking connections, lets turns already running finish and send their answer (up to
 * 10 s), then stops the embedded Azurite. Idle keep-alive connections are dropped as soon as no
 * request is running on them, so close() does not sit out the clients' keep-alive timeout; past
 * the deadline the rest are cut.
 */
async function closeGracefully(server: Server, embedded: EmbeddedAzurite | undefined, stopWork: () => Promise<void>): Promise<void> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const http = server.server as import("node:http").Server;
  let closed = false;
  const done = new Promise<void>((res) => server.close(() => { closed = true; res(); }));
  const deadline = Date.now() + 10_000;
  while (!closed && Date.now() < deadline) {
    http.closeIdleConnections();
    await sleep(50);
  }
  if (!closed) http.closeAllConnections();
  await done;
  // Every handler has returned by now, unless one outlived the deadline.
  while (inFlightOf(server) > 0 && Date.now() < deadline) await sleep(50);
  await stopWork();
  if (embedded) await embedded.stop();
}
