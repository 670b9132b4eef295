import restify, { type Server } from "restify";
import type { TeamsAdapter, Application } from "@microsoft/teams-ai";
import type { Activity, InvokeResponse, TurnContext } from "botbuilder";
import { errorFields, type Logger } from "../log";
import type { PageRoute } from "../routes";

const stringRecord = (o: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries((o ?? {}) as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) ? String(v[v.length - 1] ?? "") : typeof v === "string" ? v : v === undefined || v === null ? "" : String(v)]));

/** Largest activity we accept: well above a card's inputs at their limits, far below anything abusive. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpDeps {
  adapter: TeamsAdapter;
  app: Application;
  log: Logger;
  health: () => Promise<{ ok: boolean; storage: string }>;
  /** Pages the features serve (outside Teams, reached by a personal link). */
  pages?: PageRoute[];
}

export function createHttpServer(deps: HttpDeps): Server {
  const server = restify.createServer({ name: "safeguarding-assurance-bot", handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, rejectUnknown: true }));
  server.use(restify.plugins.queryParser({ mapParams: false }));

  const edge = adapterEdge(deps.adapter);
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
      const activity = withDates(body as Activity);
      let auth: unknown;
      try {
        auth = await edge.authenticate(activity, String(req.headers.authorization ?? ""));
      } catch (e) {
        // Refused before anything runs; the caller learns nothing about why, the log does.
        const unavailable = isVerificationUnavailable(e);
        const fields = { ...errorFields(e), channelId: String(activity.channelId ?? "").slice(0, 40) };
        if (unavailable) deps.log.error(fields, "request refused: the token issuer's keys could not be fetched");
        else deps.log.warn(fields, "request refused: authentication failed");
        res.send(unavailable ? 503 : 401, { error: unavailable ? "authentication unavailable" : "unauthorized" });
        return;
      }
      const invoke = await edge.run(auth, activity, async (context) => {
        await deps.app.run(context);
      });
      res.header("User-Agent", deps.adapter.userAgent);
      if (invoke?.body) res.send(invoke.status ?? 200, invoke.body);
      else res.send(invoke?.status ?? 200);
    } catch (e) {
      deps.log.error(errorFields(e), "turn failed");
      if (!res.headersSent) res.send(500, { error: "turn failed" });
    } finally {
      inFlight--;
    }
  });

  server.get("/api/health", async (_req, res) => {
    const h = await deps.health();
    res.send(h.ok ? 200 : 503, h);
  });

  for (const page of deps.pages ?? []) {
    const handler = async (req: restify.Request, res: restify.Response) => {
      inFlight++;
      try {
        const r = await page.handle({
          params: stringRecord(req.params),
          query: stringRecord(req.query),
          form: typeof req.body === "object" && req.body && !Array.isArray(req.body) ? stringRecord(req.body) : {},
          headers: req.headers as Record<string, string | undefined>,
        });
        // Pages carry personal links: never cached, never framed, never leaking the path onwards.
        res.writeHead(r.status, { "Content-Type": r.contentType ?? "text/html; charset=utf-8", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'", ...(r.headers ?? {}) });
        res.end(r.body);
      } catch (e) {
        deps.log.error(errorFields(e), "page failed");
        if (!res.headersSent) {
          res.writeHead(500, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
          res.end("<!doctype html><title>Something went wrong</title><p>Something went wrong on our side. Please try the link again in a minute.</p>");
        }
      } finally {
        inFlight--;
      }
    };
    if (page.method === "GET") server.get(page.path, handler);
    else server.post(page.path, handler);
  }

  (server as Server & { inFlight: () => number }).inFlight = () => inFlight;
  return server;
}

export const inFlightOf = (server: Server) => (server as Server & { inFlight?: () => number }).inFlight?.() ?? 0;

/**
 * botbuilder's `CloudAdapter.process` authenticates and runs the turn in one call, and answers 401
 * only for its own `AuthenticationError`: a token with the published key id but a signature that
 * does not verify, no signature, or a `nbf` in the future raises jsonwebtoken's errors, which it
 * answers with 500, and every refusal carries the library's message as the body. So the route does
 * the two halves itself, with the adapter's own parts: its BotFrameworkAuthentication (the same
 * settings and cached signing keys) authenticates, and `processActivity`, which takes that result in
 * place of the header, runs the turn. A failure in the first half is a refusal, in the second a turn
 * failure. Both members are protected in botbuilder's typings, hence the cast.
 */
function adapterEdge(adapter: TeamsAdapter) {
  const inner = adapter as unknown as {
    botFrameworkAuthentication: { authenticateRequest(activity: Activity, authHeader: string): Promise<unknown> };
    processActivity(auth: unknown, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined>;
  };
  if (typeof inner.botFrameworkAuthentication?.authenticateRequest !== "function" || typeof inner.processActivity !== "function") {
    throw new Error("botbuilder's CloudAdapter no longer has botFrameworkAuthentication.authenticateRequest / processActivity: review src/http/server.ts");
  }
  return {
    authenticate: (activity: Activity, authHeader: string) => inner.botFrameworkAuthentication.authenticateRequest(activity, authHeader),
    run: (auth: unknown, activity: Activity, logic: (context: TurnContext) => Promise<void>) => inner.processActivity.call(adapter, auth, activity, logic),
  };
}

/**
 * The token could not be checked at all (the issuer's OpenID metadata or keys did not load), as
 * opposed to a token that is wrong: still a refusal, but ours to fix, so 503 and an error log.
 */
function isVerificationUnavailable(e: unknown): boolean {
  const err = e as { statusCode?: unknown; name?: unknown; code?: unknown; type?: unknown };
  return (
    (typeof err?.statusCode === "number" && err.statusCode >= 500) ||
    err?.name === "FetchError" ||
    err?.type === "system" ||
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN"].includes(String(err?.code ?? ""))
  );
}

/** What CloudAdapter.process does to an activity before its turn (botbuilder's validateAndFixActivity). */
function withDates(activity: Activity): Activity {
  const a = activity as Activity & Record<string, unknown>;
  for (const [field, raw] of [["timestamp", "rawTimestamp"], ["expiration", "rawExpiration"], ["localTimestamp", "rawLocalTimestamp"]] as const) {
    if (typeof a[field] === "string") {
      a[raw] = a[field];
      a[field] = new Date(a[field] as string) as never;
    }
  }
  return activity;
}
