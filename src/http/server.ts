import restify, { type Server } from "restify";
import type { TeamsAdapter, Application } from "@microsoft/teams-ai";
import type { Logger } from "../log";

/** Largest activity we accept: well above a card's inputs at their limits, far below anything abusive. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpDeps {
  adapter: TeamsAdapter;
  app: Application;
  log: Logger;
  health: () => Promise<{ ok: boolean; storage: string }>;
}

export function createHttpServer(deps: HttpDeps): Server {
  const server = restify.createServer({ name: "safeguarding-assurance-bot", handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, rejectUnknown: true }));

  let inFlight = 0;
  server.post("/api/messages", async (req, res) => {
    // botbuilder throws (500) on a body that is not an activity; say 400 and why instead.
    const body = req.body as { type?: unknown } | undefined;
    if (!body || typeof body !== "object" || Array.isArray(body) || typeof body.type !== "string" || !body.type) {
      res.send(400, { error: "The body must be a Bot Framework activity (a JSON object with a type)." });
      return;
    }
    inFlight++;
    try {
      await deps.adapter.process(req as never, res as never, async (context) => {
        await deps.app.run(context);
      });
    } catch (e) {
      deps.log.error({ err: (e as Error).name, message: (e as Error).message?.slice(0, 200) }, "turn failed");
      if (!res.headersSent) res.send(500, { error: "turn failed" });
    } finally {
      inFlight--;
    }
  });

  server.get("/api/health", async (_req, res) => {
    const h = await deps.health();
    res.send(h.ok ? 200 : 503, h);
  });

  (server as Server & { inFlight: () => number }).inFlight = () => inFlight;
  return server;
}

export const inFlightOf = (server: Server) => (server as Server & { inFlight?: () => number }).inFlight?.() ?? 0;
