/**
 * A stand-in for the Microsoft identity platform's token endpoint and Graph's sendMail: a plain
 * node `http` server on 127.0.0.1 that records what it got and can fail on purpose.
 *
 *   const graph = await startGraphStandIn();
 *   new GraphEmailTransport({ mailbox, graphBaseUrl: graph.graphBaseUrl,
 *     token: clientCredentialsToken({ tenantId, clientId, clientSecret, authorityHost: graph.authorityHost }) });
 *
 * Routes:
 *   POST /:tenant/oauth2/v2.0/token        form grant_type=client_credentials → {access_token, expires_in, token_type}
 *   POST /v1.0/users/:mailbox/sendMail     needs "Authorization: Bearer <issued token>" → 202
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface SentMail {
  mailbox: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  message: any;
  saveToSentItems: unknown;
  at: number;
}

export interface GraphStandIn {
  authorityHost: string;
  graphBaseUrl: string;
  readonly sent: SentMail[];
  readonly tokenRequests: Array<Record<string, string>>;
  /** Every request's method, path and status. */
  readonly requests: Array<{ method: string; path: string; status: number }>;
  /** The next `n` sendMail requests answer `status` (with headers, e.g. Retry-After). */
  failNext(n: number, status: number, headers?: Record<string, string>): void;
  /** sendMail to this address answers `status` every time. */
  failAddress(email: string, status: number, code?: string): void;
  close(): Promise<void>;
}

export async function startGraphStandIn(opts: { clientSecret?: string } = {}): Promise<GraphStandIn> {
  const sent: SentMail[] = [];
  const tokenRequests: Array<Record<string, string>> = [];
  const requests: Array<{ method: string; path: string; status: number }> = [];
  const failures: Array<{ status: number; headers: Record<string, string> }> = [];
  const addressFailures = new Map<string, { status: number; code: string }>();
  const issued = new Set<string>();
  let n = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        requests.push({ method: req.method ?? "", path: url.pathname, status });
        const text = body === undefined ? "" : JSON.stringify(body);
        res.writeHead(status, { ...(text ? { "Content-Type": "application/json" } : {}), ...headers });
        res.end(text);
      };
      const token = url.pathname.match(/^\/([^/]+)\/oauth2\/v2\.0\/token$/);
      if (token && req.method === "POST") {
        const form = Object.fromEntries(new URLSearchParams(raw));
        tokenRequests.push(form);
        if (form.grant_type !== "client_credentials" || !form.client_id || (opts.clientSecret && form.client_secret !== opts.clientSecret)) {
          return reply(401, { error: "invalid_client" });
        }
        const t = `graph-token-${++n}`;
        issued.add(t);
        return reply(200, { access_token: t, expires_in: 3599, token_type: "Bearer" });
      }
      const mail = url.pathname.match(/^\/v1\.0\/users\/([^/]+)\/sendMail$/);
      if (mail && req.method === "POST") {
        const auth = String(req.headers.authorization ?? "");
        if (!auth.startsWith("Bearer ") || !issued.has(auth.slice(7))) return reply(401, { error: { code: "InvalidAuthenticationToken" } });
        const f = failures.shift();
        if (f) return reply(f.status, { error: { code: f.status === 429 ? "ApplicationThrottled" : "ServiceUnavailable" } }, f.headers);
        let body: { message?: { toRecipients?: Array<{ emailAddress?: { address?: string } }> }; saveToSentItems?: unknown };
        try {
          body = JSON.parse(raw);
        } catch {
          return reply(400, { error: { code: "BadRequest" } });
        }
        const to = String(body.message?.toRecipients?.[0]?.emailAddress?.address ?? "").toLowerCase();
        const af = addressFailures.get(to);
        if (af) return reply(af.status, { error: { code: af.code } });
        sent.push({ mailbox: decodeURIComponent(mail[1]), message: body.message, saveToSentItems: body.saveToSentItems, at: Date.now() });
        return reply(202);
      }
      reply(404, { error: { code: "NotFound" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    authorityHost: `http://127.0.0.1:${port}`,
    graphBaseUrl: `http://127.0.0.1:${port}/v1.0`,
    sent,
    tokenRequests,
    requests,
    failNext(count, status, headers = {}) {
      for (let i = 0; i < count; i++) failures.push({ status, headers });
    },
    failAddress(email, status, code = "ErrorInvalidRecipients") {
      addressFailures.set(email.toLowerCase(), { status, code });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
