import { MicrosoftAppCredentials } from "botframework-connector";
import { ManagedIdentityCredential } from "@azure/identity";
import { z } from "zod/v4";
import type { ConversationReferences } from "../conversations/conversationReferences";
import type { ChannelKey } from "../storage/conversationsRepo";
import type { Principal } from "../storage/principal";
import { parseRetryAfter } from "../delivery/retryPolicy";
import { SendPostponed, type ConversationAddress, type SendOptions, type SendResult, type TeamsTransport } from "../delivery/transports";
import type { MessageContent } from "../delivery/types";

/**
 * Sends to Teams through the Bot Connector's v3 REST API with one plain HTTP request per call.
 *
 * Why not botbuilder's ConnectorClient or CloudAdapter: their pipeline (botbuilder-stdlib over
 * @azure/core-client) always includes core-rest-pipeline's default retry policy, which retries
 * 429 three times honouring Retry-After and retries 5xx and network errors; the
 * `noRetryPolicy` option is declared but ignored and the pipeline is private. Retries there
 * would multiply with the dispatcher's and hide the 429 the shared throttle needs to see. Here
 * every failure comes back as an outcome with its HTTP status and Retry-After; tokens still come
 * from botframework-connector's credentials (see `botConnectorTokens`).
 */
export interface TeamsTransportOptions {
  conversations: ConversationReferences;
  /** The bot's id as Teams addresses it ("28:<app id>"); in local mode, the id the playground gave it (hence a getter). */
  botId: string | (() => string);
  botName?: string;
  /**
   * Where to open a 1:1 chat with someone who has no stored chat, e.g.
   * "https://smba.trafficmanager.net/uk/" (one URL for every tenant, or per tenant).
   */
  defaultServiceUrl: string | ((tenantId: string) => string | undefined);
  /** A bearer token for the Bot Connector; undefined (local mode) sends none. */
  getToken?: (forceRefresh: boolean) => Promise<string | undefined>;
  /** Per request. Default 20 s (well inside the dispatcher's 60 s lease). */
  timeoutMs?: number;
}

const createdSchema = z.object({ id: z.string().min(1), serviceUrl: z.string().optional() });
const sentSchema = z.object({ id: z.string().optional() }).catch({});
const errorCodeSchema = z.object({ error: z.object({ code: z.string().regex(/^[A-Za-z][\w.]{0,60}$/) }) });

type Reply = { status: number; body: unknown; retryAfterMs?: number };

const withSlash = (u: string) => (u.endsWith("/") ? u : `${u}/`);

function activity(content: MessageContent, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    type: "message",
    ...(content.text ? { text: content.text } : {}),
    ...(content.card ? { attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", content: content.card }] } : {}),
    ...extra,
  };
}

/** "teams 403 MessageWritesBlocked": the status and the service's error code, never any text. */
function reason(r: Reply): string {
  const code = errorCodeSchema.safeParse(r.body);
  return `teams ${r.status}${code.success ? ` ${code.data.error.code}` : ""}`;
}

function transient(r: Reply): SendResult | undefined {
  // 401: our token was refused (expired in flight, or credentials rotating): worth another try.
  if (r.status === 0 || r.status === 401 || r.status === 408 || r.status === 412 || r.status === 429 || r.status >= 500) {
    return { outcome: "retry", status: r.status, retryAfterMs: r.retryAfterMs, reason: r.status === 0 ? String(r.body) : reason(r) };
  }
  return undefined;
}

export class BotConnectorTransport implements TeamsTransport {
  private readonly timeoutMs: number;
  /** Set by a 401: the next request asks the credentials for a fresh token rather than the cached one. */
  private refreshToken = false;

  constructor(private readonly o: TeamsTransportOptions) {
    this.timeoutMs = o.timeoutMs ?? 20_000;
  }

  private botId(): string {
    return typeof this.o.botId === "function" ? this.o.botId() : this.o.botId;
  }

  async sendToPerson(to: Principal, content: MessageContent, opts: SendOptions = {}): Promise<SendResult> {
    const tenantId = to.tenantId.toLowerCase();
    let ref = await this.o.conversations.personal(to);
    if (!ref) {
      const serviceUrl = typeof this.o.defaultServiceUrl === "function" ? this.o.defaultServiceUrl(tenantId) : this.o.defaultServiceUrl;
      if (!serviceUrl) return { outcome: "unreachable", status: 0, reason: "no 1:1 chat and no service URL for the tenant" };
      await opts.beforeRequest?.(tenantId);
      const r = await this.request("POST", `${withSlash(serviceUrl)}v3/conversations`, {
        isGroup: false,
        bot: { id: this.botId(), ...(this.o.botName ? { name: this.o.botName } : {}) },
        // The AAD object id works as the member id (in `aadObjectId` Teams answers 400).
        members: [{ id: to.aadObjectId }],
        tenantId,
        channelData: { tenant: { id: tenantId } },
      });
      if (r.status === 403 || r.status === 404) return { outcome: "unreachable", status: r.status, reason: `opening a 1:1 chat: ${reason(r)}` };
      const t = transient(r);
      if (t) return t;
      const created = createdSchema.safeParse(r.body);
      if (r.status >= 300 || !created.success) return { outcome: "failed", status: r.status, reason: `opening a 1:1 chat: ${reason(r)}` };
      ref = await this.o.conversations.savePersonalIfAbsent(to, {
        serviceUrl: created.data.serviceUrl || serviceUrl,
        conversationId: created.data.id,
        botId: this.botId(),
        botName: this.o.botName,
        tenantId,
      });
    }
    await opts.beforeRequest?.(tenantId);
    const conversationId = ref.conversationId;
    const r = await this.request("POST", `${withSlash(ref.serviceUrl)}v3/conversations/${encodeURIComponent(conversationId)}/activities`, activity(content, { conversation: { id: conversationId, tenantId } }));
    if (r.status === 404) {
      // The person deleted the chat. Forget that one chat only: a newer one saved meanwhile stays.
      await this.o.conversations.forgetPersonal(to, conversationId);
      return { outcome: "gone", status: 404, reason: reason(r) };
    }
    return this.classifySend(r, conversationId);
  }

  async sendToChannel(key: ChannelKey, content: MessageContent, opts: SendOptions = {}): Promise<SendResult> {
    const ref = await this.o.conversations.channel(key);
    if (!ref) return { outcome: "unreachable", status: 0, reason: "channel not registered" };
    await opts.beforeRequest?.(ref.tenantId);
    const r = await this.request("POST", `${withSlash(ref.serviceUrl)}v3/conversations/${encodeURIComponent(ref.conversationId)}/activities`, activity(content, { conversation: { id: ref.conversationId, tenantId: ref.tenantId, isGroup: true } }));
    if (r.status === 404) return { outcome: "unreachable", status: 404, reason: reason(r) };
    return this.classifySend(r, ref.conversationId);
  }

  async updateActivity(conversation: ConversationAddress, activityId: string, content: MessageContent, opts: SendOptions = {}): Promise<SendResult> {
    await opts.beforeRequest?.(conversation.tenantId);
    const url = `${withSlash(conversation.serviceUrl)}v3/conversations/${encodeURIComponent(conversation.conversationId)}/activities/${encodeURIComponent(activityId)}`;
    const r = await this.request("PUT", url, activity(content, { id: activityId, conversation: { id: conversation.conversationId, tenantId: conversation.tenantId } }));
    if (r.status === 404) return { outcome: "failed", status: 404, reason: reason(r) };
    return this.classifySend(r, conversation.conversationId, activityId);
  }

  private classifySend(r: Reply, conversationId: string, knownActivityId?: string): SendResult {
    if (r.status >= 200 && r.status < 300) return { outcome: "sent", activityId: knownActivityId ?? sentSchema.parse(r.body).id ?? "", conversationId };
    if (r.status === 403) return { outcome: "unreachable", status: 403, reason: reason(r) };
    return transient(r) ?? { outcome: "failed", status: r.status, reason: reason(r) };
  }

  private async request(method: "POST" | "PUT", url: string, body: unknown): Promise<Reply> {
    const force = this.refreshToken;
    this.refreshToken = false;
    const token = await this.o.getToken?.(force);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { "Content-Type": "application/json; charset=utf-8", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      if (e instanceof SendPostponed) throw e;
      // The request may or may not have reached the service: the dispatcher's retry can duplicate.
      return { status: 0, body: `network ${(e as Error)?.name ?? "error"}` };
    }
    if (res.status === 401) this.refreshToken = true;
    const text = await res.text().catch(() => "");
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), new Date()) };
  }
}

/**
 * Bot Connector tokens from botframework-connector's MicrosoftAppCredentials (it caches and
 * refreshes them); undefined in local mode (no app id), where requests carry no token.
 */
export function botConnectorTokens(settings: { MicrosoftAppId?: string; MicrosoftAppPassword?: string; MicrosoftAppType?: string; MicrosoftAppTenantId?: string }): TeamsTransportOptions["getToken"] {
  if (!settings.MicrosoftAppId) return undefined;
  if (settings.MicrosoftAppType === "UserAssignedMSI") {
    // The bot's own identity is a user-assigned managed identity: no secret, a token for the Bot Framework's audience.
    const credential = new ManagedIdentityCredential({ clientId: settings.MicrosoftAppId });
    return async () => (await credential.getToken("https://api.botframework.com/.default"))?.token;
  }
  const tenant = settings.MicrosoftAppType === "SingleTenant" ? settings.MicrosoftAppTenantId : undefined;
  const credentials = new MicrosoftAppCredentials(settings.MicrosoftAppId, settings.MicrosoftAppPassword ?? "", tenant);
  return (forceRefresh) => credentials.getToken(forceRefresh);
}
