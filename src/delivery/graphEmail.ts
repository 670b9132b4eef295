import type { TokenCredential } from "@azure/identity";
import { z } from "zod/v4";
import { parseRetryAfter } from "./retryPolicy";
import type { EmailMessage, EmailTransport, SendResult } from "./transports";

/** A bearer token for Microsoft Graph; `forceRefresh` after the service refused the cached one. */
export type GraphTokenSource = (forceRefresh: boolean) => Promise<string>;

export interface GraphEmailOptions {
  /** The mailbox that sends (user id or UPN), e.g. "safeguarding-bot@partnership.org.uk". */
  mailbox: string;
  token: GraphTokenSource;
  /** Default "https://graph.microsoft.com/v1.0"; tests point it at a local stand-in. */
  graphBaseUrl?: string;
  /** Default false: the bot's messages need not fill the mailbox's Sent Items. */
  saveToSentItems?: boolean;
  timeoutMs?: number;
}

type EmailResult = Extract<SendResult, { outcome: "sent" | "retry" | "failed" }>;

const graphError = z.object({ error: z.object({ code: z.string().regex(/^[A-Za-z][\w.]{0,60}$/) }) });

/**
 * E-mail through Microsoft Graph `POST /users/{mailbox}/sendMail` with an app-only token
 * (application permission Mail.Send, best limited to the one mailbox by an application access
 * policy). Never retries itself: 429 and 5xx come back as "retry" with Retry-After.
 */
export class GraphEmailTransport implements EmailTransport {
  private readonly base: string;
  private refresh = false;

  constructor(private readonly o: GraphEmailOptions) {
    this.base = (o.graphBaseUrl ?? "https://graph.microsoft.com/v1.0").replace(/\/$/, "");
  }

  async send(m: EmailMessage): Promise<EmailResult> {
    let token: string;
    const force = this.refresh;
    this.refresh = false;
    try {
      token = await this.o.token(force);
    } catch (e) {
      const status = typeof (e as { statusCode?: unknown })?.statusCode === "number" ? (e as { statusCode: number }).statusCode : 0;
      return { outcome: "retry", status, reason: `graph token ${status || (e as Error)?.name || "error"}` };
    }
    const body = {
      message: {
        subject: m.subject,
        body: { contentType: "HTML", content: m.html },
        toRecipients: [{ emailAddress: { address: m.to.email, ...(m.to.name ? { name: m.to.name } : {}) } }],
      },
      saveToSentItems: this.o.saveToSentItems ?? false,
    };
    let res: Response;
    try {
      res = await fetch(`${this.base}/users/${encodeURIComponent(this.o.mailbox)}/sendMail`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 20_000),
      });
    } catch (e) {
      return { outcome: "retry", status: 0, reason: `graph network ${(e as Error)?.name ?? "error"}` };
    }
    const text = await res.text().catch(() => "");
    if (res.status === 202 || res.status === 200) return { outcome: "sent" };
    let code = "";
    try {
      const parsed = graphError.safeParse(JSON.parse(text));
      if (parsed.success) code = ` ${parsed.data.error.code}`;
    } catch {
      // not JSON: the status says enough
    }
    const reason = `graph ${res.status}${code}`;
    if (res.status === 401) this.refresh = true;
    if (res.status === 401 || res.status === 408 || res.status === 429 || res.status >= 500) {
      return { outcome: "retry", status: res.status, retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), new Date()), reason };
    }
    return { outcome: "failed", status: res.status, reason };
  }
}

/**
 * Client-credentials tokens (tenant, client id, secret) from the v2 token endpoint, cached until
 * five minutes before they expire. Written out rather than taken from @azure/identity's
 * ClientSecretCredential because that refuses any authority but https, so it could not be
 * exercised against a local stand-in; the request is the documented OAuth 2.0 form POST.
 */
export function clientCredentialsToken(o: { tenantId: string; clientId: string; clientSecret: string; authorityHost?: string; scope?: string; timeoutMs?: number }): GraphTokenSource {
  const authority = (o.authorityHost ?? "https://login.microsoftonline.com").replace(/\/$/, "");
  const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().positive() });
  let cached: { token: string; until: number } | undefined;
  let inflight: Promise<string> | undefined;
  return async (forceRefresh) => {
    if (!forceRefresh && cached && cached.until > Date.now()) return cached.token;
    inflight ??= (async () => {
      const res = await fetch(`${authority}/${encodeURIComponent(o.tenantId)}/oauth2/v2.0/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: o.clientId, client_secret: o.clientSecret, scope: o.scope ?? "https://graph.microsoft.com/.default" }).toString(),
        signal: AbortSignal.timeout(o.timeoutMs ?? 20_000),
      });
      const text = await res.text();
      if (!res.ok) throw Object.assign(new Error("token request refused"), { name: "TokenError", statusCode: res.status });
      const t = tokenSchema.parse(JSON.parse(text));
      cached = { token: t.access_token, until: Date.now() + Math.max(60, t.expires_in - 300) * 1000 };
      return t.access_token;
    })().finally(() => (inflight = undefined));
    return inflight;
  };
}

/** Any @azure/identity credential, e.g. `new ManagedIdentityCredential(clientId)` on App Service (it caches tokens itself). */
export function azureIdentityToken(credential: TokenCredential, scope = "https://graph.microsoft.com/.default"): GraphTokenSource {
  return async () => {
    const t = await credential.getToken(scope);
    if (!t) throw Object.assign(new Error("no token"), { name: "TokenError" });
    return t.token;
  };
}
