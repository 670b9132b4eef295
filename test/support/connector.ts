/**
 * A Bot Connector (v3 REST) stand-in for tests: a plain node `http` server on 127.0.0.1 that
 * answers what botbuilder's ConnectorClient / TeamsInfo call and records everything it gets.
 *
 *   const connector = await startConnector();
 *   const activity = message(user, "hi", { serviceUrl: connector.serviceUrl });
 *   ...
 *   const reply = await connector.waitFor((a) => a.conversationId === activity.conversation.id);
 *   await connector.close();
 *
 * Routes (ids are URL-decoded):
 *   POST   /v3/conversations                                   create conversation → {id:"a:new-<n>", activityId, serviceUrl}
 *   POST   /v3/conversations/:cid/activities                   send               → {id}
 *   POST   /v3/conversations/:cid/activities/:aid              reply              → {id}
 *   PUT    /v3/conversations/:cid/activities/:aid              update             → {id: aid}
 *   DELETE /v3/conversations/:cid/activities/:aid              delete             → 200, empty
 *   GET    /v3/conversations/:cid/members                      roster array
 *   GET    /v3/conversations/:cid/members/:userId              member (by id or aadObjectId) | 404 MemberNotFoundInConversation
 *   GET    /v3/conversations/:cid/pagedmembers?pageSize&continuationToken → {members, continuationToken?}
 *   GET    /v3/conversations/:cid/activities/:aid/members      roster array
 *   GET    /v3/teams/:teamId                                   team details set by setTeam() | 404
 *   GET    /v3/teams/:teamId/conversations                     {conversations: channels}
 *   PUT    /upload/:name                                       a OneDrive upload URL for file consent → 201; bytes in `uploads`
 * Anything else → 404 {error:{code:"NotFound"}} (still recorded in `requests`).
 * A conversation can have a roster of its own (a private channel's): setConversationMembers().
 *
 * Optional behaviour for delivery tests:
 *   setRateLimit({ perTenantPerSecond, perConversationPerSecond })  sliding one-second windows over
 *     activity POST/PUTs and create-conversation calls; over the limit → 429 with Retry-After
 *     (recorded in `throttled` and `rejected`, not counted in the window)
 *   failConversation(id, 403 | 404 | ..., code?)  every send/update to that conversation fails so
 *   failMember(aadObjectId, 403 | 404 | ..., code?)  opening a 1:1 chat with that member fails so
 */
import { EventEmitter } from "node:events";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** TeamsChannelAccount as the Bot Connector returns it. */
export interface ConnectorMember {
  /** "29:..." Teams user id. */
  id: string;
  name: string;
  aadObjectId: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
  givenName?: string;
  surname?: string;
  userRole?: string;
  [extra: string]: unknown;
}

export interface ConnectorTeam {
  id: string;
  name?: string;
  aadGroupId?: string;
  /** Returned by GET /v3/teams/:id/conversations. */
  channels?: Array<{ id: string; name?: string }>;
}

export type ActivityOperation = "send" | "reply" | "update" | "delete";

export interface RecordedActivity {
  /** Order of arrival across all recorded activities (1-based, never reset). */
  seq: number;
  operation: ActivityOperation;
  method: "POST" | "PUT" | "DELETE";
  path: string;
  conversationId: string;
  /** The id returned (send/reply) or targeted (update/delete). */
  activityId: string;
  /** For replies: the activity id in the URL. */
  replyToId?: string;
  /** Parsed JSON body (the Activity); undefined for DELETE. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** Authorization header, if any ("Bearer ..."). */
  authorization?: string;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface RecordedConversation {
  /** "a:new-<n>" */
  id: string;
  activityId: string;
  /** The ConversationParameters body ({bot, members, channelData:{tenant}, isGroup, activity?}). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  authorization?: string;
  at: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** True when the response was an injected failure from failNext(). */
  injected: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  authorization?: string;
  headers: IncomingHttpHeaders;
  at: number;
}

/** Which requests an injected failure applies to. */
export type FailureScope = "activities" | "createConversation" | "any";

export interface FailNextOptions {
  /** Response body; default `{error:{code:"Throttled"|"ServiceError", message}}`. */
  body?: unknown;
  /** Default "activities": POSTs to /v3/conversations/:id/activities[/:replyToId]. */
  appliesTo?: FailureScope;
}

export interface Connector {
  /** "http://127.0.0.1:<port>/" – put this in activity.serviceUrl. */
  readonly serviceUrl: string;
  readonly port: number;
  /** Accepted activity operations (send/reply/update/delete), in arrival order. Not injected failures. */
  readonly activities: RecordedActivity[];
  /** Conversations opened with POST /v3/conversations. */
  readonly createdConversations: RecordedConversation[];
  /** Every HTTP request, including roster GETs, injected failures and unknown routes. */
  readonly requests: RecordedRequest[];
  /** Requests answered with an injected failure. */
  readonly rejected: RecordedRequest[];
  /** Adds or replaces (by id) a member in the roster (shared by all conversations). */
  setMember(member: ConnectorMember): void;
  /** Replaces the whole roster. */
  setMembers(members: ConnectorMember[]): void;
  /** A roster for one conversation only (a private channel's members); its members and pagedmembers answer from it. */
  setConversationMembers(conversationId: string, members: ConnectorMember[]): void;
  /** Files PUT to `${serviceUrl}upload/<name>` (the upload URL a file consent answer carries). */
  readonly uploads: Array<{ name: string; bytes: Buffer; contentRange?: string }>;
  /** Removes a member by id or aadObjectId. */
  removeMember(idOrAadObjectId: string): void;
  readonly members: ConnectorMember[];
  setTeam(team: ConnectorTeam): void;
  /** Accepted sends and replies (not updates/deletes) to a conversation. */
  sentTo(conversationId: string): RecordedActivity[];
  /**
   * Resolves with the first recorded activity (already recorded or arriving later) matching
   * `predicate`; rejects after `timeoutMs` (default 5000) with a summary of what was recorded.
   */
  waitFor(predicate: (a: RecordedActivity) => boolean, timeoutMs?: number): Promise<RecordedActivity>;
  /** Resolves once at least `count` recorded activities match `predicate` (default: all). */
  waitForCount(
    count: number,
    predicate?: (a: RecordedActivity) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedActivity[]>;
  waitForConversation(
    predicate?: (c: RecordedConversation) => boolean,
    timeoutMs?: number,
  ): Promise<RecordedConversation>;
  /**
   * The next `n` matching requests (default: POSTs of activities) are answered with `status`
   * and `headers`, e.g. failNext(1, 429, { "Retry-After": "1" }) or failNext(2, 500).
   */
  failNext(n: number, status: number, headers?: Record<string, string>, options?: FailNextOptions): void;
  /** Delay (ms) before answering activity POST/PUT/DELETE and create-conversation requests. */
  setLatency(ms: number): void;
  /** Enforce Teams-like limits (undefined turns them off). */
  setRateLimit(limits: RateLimitMode | undefined): void;
  /** Requests answered 429 by the rate limit (not by failNext). */
  readonly throttled: RecordedRequest[];
  /** Every later send or update to this conversation answers `status` with `{error:{code}}` (e.g. 403 MessageWritesBlocked, 404 ConversationNotFound). */
  failConversation(conversationId: string, status: number, code?: string): void;
  /** Opening a 1:1 chat with this member (id or aadObjectId) answers `status` (e.g. 403, 404). */
  failMember(idOrAadObjectId: string, status: number, code?: string): void;
  /** Clears failConversation/failMember. */
  clearFailures(): void;
  /** Clears recordings, pending failures and latency. Keeps the roster/teams unless `{ roster: true }`. */
  reset(options?: { roster?: boolean }): void;
  close(): Promise<void>;
}

export interface RateLimitMode {
  /** Activity posts/updates and create-conversation calls per tenant in any one second. */
  perTenantPerSecond?: number;
  /** Activity posts/updates into one conversation in any one second. */
  perConversationPerSecond?: number;
  /** Fixed Retry-After (seconds); default: until the window has room again, rounded up to a second. */
  retryAfterSeconds?: number;
}

interface PendingFailure {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  appliesTo: FailureScope;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function summarize(a: RecordedActivity): string {
  const b = a.body ?? {};
  const text = typeof b.text === "string" ? JSON.stringify(b.text.slice(0, 80)) : "";
  const att = Array.isArray(b.attachments) ? ` attachments=${b.attachments.map((x: { contentType?: string }) => x.contentType).join(",")}` : "";
  return `#${a.seq} ${a.operation} ${a.conversationId} type=${b.type ?? "-"} ${text}${att}`;
}

export async function startConnector(): Promise<Connector> {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const activities: RecordedActivity[] = [];
  const createdConversations: RecordedConversation[] = [];
  const requests: RecordedRequest[] = [];
  const rejected: RecordedRequest[] = [];
  let roster: ConnectorMember[] = [];
  const conversationRosters = new Map<string, ConnectorMember[]>();
  // A channel message's conversation id carries ";messageid=...": the roster is the channel's.
  const rosterOf = (conversationId: string) => conversationRosters.get(conversationId.split(";")[0]) ?? roster;
  const uploads: Array<{ name: string; bytes: Buffer; contentRange?: string }> = [];
  const teams = new Map<string, ConnectorTeam>();
  let failures: PendingFailure[] = [];
  let latencyMs = 0;
  let rateLimit: RateLimitMode | undefined;
  const throttled: RecordedRequest[] = [];
  const tenantWindows = new Map<string, number[]>();
  const conversationWindows = new Map<string, number[]>();
  const conversationTenants = new Map<string, string>();
  const conversationFailures = new Map<string, { status: number; code: string }>();
  const memberFailures = new Map<string, { status: number; code: string }>();
  let activitySeq = 0;
  let idCounter = 0;
  let conversationCounter = 0;

  const newActivityId = () => `act-${++idCounter}`;

  const findMember = (userId: string) =>
    roster.find(
      (m) => m.id === userId || m.aadObjectId.toLowerCase() === userId.toLowerCase(),
    );

  const takeFailure = (scope: Exclude<FailureScope, "any">): PendingFailure | undefined => {
    const i = failures.findIndex((f) => f.appliesTo === "any" || f.appliesTo === scope);
    if (i < 0) return undefined;
    return failures.splice(i, 1)[0];
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const rawBytes = Buffer.concat(chunks);
    if ((req.method ?? "").toUpperCase() === "PUT" && (req.url ?? "").startsWith("/upload/")) {
      const name = decodeURIComponent((req.url ?? "").slice("/upload/".length).split("?")[0]);
      uploads.push({ name, bytes: rawBytes, contentRange: typeof req.headers["content-range"] === "string" ? req.headers["content-range"] : undefined });
      res.writeHead(201, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ id: `item-${uploads.length}`, name, size: rawBytes.byteLength }));
      return;
    }
    const raw = rawBytes.toString("utf8");
    let body: unknown = undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }

    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = (req.method ?? "GET").toUpperCase();
    const segs = url.pathname
      .split("/")
      .filter((s) => s.length > 0)
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
    const authorization = typeof req.headers.authorization === "string" ? req.headers.authorization : undefined;
    const query = Object.fromEntries(url.searchParams.entries());
    const at = Date.now();

    const reqRecord: RecordedRequest = {
      method,
      path: url.pathname,
      query,
      status: 0,
      injected: false,
      body,
      authorization,
      headers: req.headers,
      at,
    };
    requests.push(reqRecord);

    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      reqRecord.status = status;
      const text = payload === undefined ? "" : JSON.stringify(payload);
      res.writeHead(status, {
        ...(text ? { "Content-Type": "application/json; charset=utf-8" } : {}),
        "Content-Length": String(Buffer.byteLength(text)),
        ...headers,
      });
      res.end(text);
      events.emit("request", reqRecord);
    };

    const injectIfPending = (scope: Exclude<FailureScope, "any">): boolean => {
      const f = takeFailure(scope);
      if (!f) return false;
      reqRecord.injected = true;
      rejected.push(reqRecord);
      const defaultBody = {
        error: {
          code: f.status === 429 ? "Throttled" : "ServiceError",
          message: `Injected failure ${f.status} from test connector`,
        },
      };
      send(f.status, f.body === undefined ? defaultBody : f.body, f.headers);
      return true;
    };

    /** Sliding one-second windows; answers 429 and returns true when a limit is exceeded. */
    const throttleIfOverLimit = (tenantId: string, conversationId: string | undefined): boolean => {
      if (!rateLimit) return false;
      const now = Date.now();
      const checks: Array<[Map<string, number[]>, string, number | undefined]> = [
        [tenantWindows, tenantId, rateLimit.perTenantPerSecond],
        ...(conversationId ? [[conversationWindows, conversationId, rateLimit.perConversationPerSecond] as [Map<string, number[]>, string, number | undefined]] : []),
      ];
      let waitMs = 0;
      for (const [windows, k, limit] of checks) {
        if (!limit) continue;
        const w = (windows.get(k) ?? []).filter((t) => t > now - 1000);
        windows.set(k, w);
        if (w.length >= limit) waitMs = Math.max(waitMs, w[w.length - limit] + 1000 - now);
      }
      if (waitMs > 0) {
        reqRecord.injected = true;
        throttled.push(reqRecord);
        rejected.push(reqRecord);
        const retryAfter = rateLimit.retryAfterSeconds ?? Math.max(1, Math.ceil(waitMs / 1000));
        send(429, { error: { code: "Throttled", message: "Too many requests" } }, { "Retry-After": String(retryAfter) });
        return true;
      }
      for (const [windows, k, limit] of checks) if (limit) windows.get(k)!.push(now);
      return false;
    };

    const tenantOfActivity = (cid: string): string => {
      const b = (body ?? {}) as { conversation?: { tenantId?: unknown }; channelData?: { tenant?: { id?: unknown } } };
      const fromBody = typeof b.conversation?.tenantId === "string" ? b.conversation.tenantId : typeof b.channelData?.tenant?.id === "string" ? b.channelData.tenant.id : undefined;
      return (fromBody ?? conversationTenants.get(cid) ?? "unknown").toLowerCase();
    };

    const failIfConversationFails = (cid: string): boolean => {
      const f = conversationFailures.get(cid);
      if (!f) return false;
      reqRecord.injected = true;
      rejected.push(reqRecord);
      send(f.status, { error: { code: f.code, message: `Injected failure ${f.status} for ${cid}` } });
      return true;
    };

    const recordActivity = (
      operation: ActivityOperation,
      conversationId: string,
      activityId: string,
      replyToId?: string,
    ): RecordedActivity => {
      const rec: RecordedActivity = {
        seq: ++activitySeq,
        operation,
        method: method as RecordedActivity["method"],
        path: url.pathname,
        conversationId,
        activityId,
        ...(replyToId !== undefined ? { replyToId } : {}),
        body,
        authorization,
        headers: req.headers,
        at,
      };
      activities.push(rec);
      events.emit("activity", rec);
      return rec;
    };

    const notFound = (code = "NotFound", message = `No route for ${method} ${url.pathname}`) =>
      send(404, { error: { code, message } });

    if (segs[0] !== "v3") return notFound();

    // /v3/teams/:teamId[/conversations]
    if (segs[1] === "teams" && segs.length >= 3 && method === "GET") {
      const team = teams.get(segs[2]);
      if (!team) return notFound("TeamNotFound", `Team ${segs[2]} not found`);
      if (segs.length === 3) {
        return send(200, { id: team.id, name: team.name, aadGroupId: team.aadGroupId });
      }
      if (segs.length === 4 && segs[3] === "conversations") {
        return send(200, { conversations: team.channels ?? [] });
      }
      return notFound();
    }

    if (segs[1] !== "conversations") return notFound();

    // POST /v3/conversations
    if (segs.length === 2) {
      if (method !== "POST") return notFound();
      const cb = (body ?? {}) as { tenantId?: unknown; channelData?: { tenant?: { id?: unknown } }; members?: Array<{ id?: unknown }> };
      const memberId = typeof cb.members?.[0]?.id === "string" ? cb.members[0].id : "";
      const mf = memberFailures.get(memberId.toLowerCase());
      if (mf) {
        reqRecord.injected = true;
        rejected.push(reqRecord);
        return send(mf.status, { error: { code: mf.code, message: `Injected failure ${mf.status} for member` } });
      }
      const createTenant = String(typeof cb.tenantId === "string" ? cb.tenantId : typeof cb.channelData?.tenant?.id === "string" ? cb.channelData.tenant.id : "unknown").toLowerCase();
      if (throttleIfOverLimit(createTenant, undefined)) return;
      if (injectIfPending("createConversation")) return;
      if (latencyMs) await sleep(latencyMs);
      const id = `a:new-${++conversationCounter}`;
      conversationTenants.set(id, createTenant);
      const activityId = newActivityId();
      const conv: RecordedConversation = { id, activityId, body, authorization, at };
      createdConversations.push(conv);
      const b = body as { activity?: unknown } | undefined;
      if (b && typeof b === "object" && b.activity) {
        // An initial activity in ConversationParameters is delivered to the new conversation.
        const rec: RecordedActivity = {
          seq: ++activitySeq,
          operation: "send",
          method: "POST",
          path: url.pathname,
          conversationId: id,
          activityId,
          body: b.activity,
          authorization,
          headers: req.headers,
          at,
        };
        activities.push(rec);
        events.emit("activity", rec);
      }
      events.emit("conversation", conv);
      return send(200, { id, activityId, serviceUrl });
    }

    const conversationId = segs[2];
    const rest = segs.slice(3);

    if (rest[0] === "activities") {
      if (rest.length === 1 && method === "POST") {
        if (failIfConversationFails(conversationId)) return;
        if (throttleIfOverLimit(tenantOfActivity(conversationId), conversationId)) return;
        if (injectIfPending("activities")) return;
        if (latencyMs) await sleep(latencyMs);
        const id = newActivityId();
        recordActivity("send", conversationId, id);
        return send(200, { id });
      }
      if (rest.length === 2) {
        const activityId = rest[1];
        if (method === "POST") {
          if (failIfConversationFails(conversationId)) return;
          if (throttleIfOverLimit(tenantOfActivity(conversationId), conversationId)) return;
          if (injectIfPending("activities")) return;
          if (latencyMs) await sleep(latencyMs);
          const id = newActivityId();
          recordActivity("reply", conversationId, id, activityId);
          return send(200, { id });
        }
        if (method === "PUT") {
          if (failIfConversationFails(conversationId)) return;
          if (throttleIfOverLimit(tenantOfActivity(conversationId), conversationId)) return;
          if (latencyMs) await sleep(latencyMs);
          recordActivity("update", conversationId, activityId);
          return send(200, { id: activityId });
        }
        if (method === "DELETE") {
          if (latencyMs) await sleep(latencyMs);
          recordActivity("delete", conversationId, activityId);
          return send(200);
        }
      }
      if (rest.length === 3 && rest[2] === "members" && method === "GET") {
        return send(200, rosterOf(conversationId));
      }
      return notFound();
    }

    if (method === "GET" && rest[0] === "members") {
      if (rest.length === 1) return send(200, rosterOf(conversationId));
      if (rest.length === 2) {
        const m = conversationRosters.has(conversationId.split(";")[0]) ? rosterOf(conversationId).find((x) => x.id === rest[1] || x.aadObjectId.toLowerCase() === rest[1].toLowerCase()) : findMember(rest[1]);
        if (!m) {
          return notFound("MemberNotFoundInConversation", "The specified user is not part of the conversation.");
        }
        return send(200, m);
      }
      return notFound();
    }

    if (method === "GET" && rest[0] === "pagedmembers" && rest.length === 1) {
      const pageSize = Math.max(1, Number(query.pageSize) || 200);
      const start = Math.max(0, Number(query.continuationToken) || 0);
      const all = rosterOf(conversationId);
      const members = all.slice(start, start + pageSize);
      const next = start + pageSize;
      return send(200, next < all.length ? { members, continuationToken: String(next) } : { members });
    }

    return notFound();
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ error: { code: "ConnectorStandInError", message: String(err) } }));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const serviceUrl = `http://127.0.0.1:${port}/`;

  function waitForEvent<T>(
    event: string,
    existing: () => T | undefined,
    timeoutMs: number,
    label: string,
    details: () => string,
  ): Promise<T> {
    const found = existing();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const onEvent = () => {
        const r = existing();
        if (r !== undefined) {
          cleanup();
          resolve(r);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`connector.${label} timed out after ${timeoutMs} ms.${details()}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        events.off(event, onEvent);
      };
      events.on(event, onEvent);
    });
  }

  let closing: Promise<void> | undefined;

  const recordedSummary = () =>
    activities.length === 0 ? " Nothing recorded." : ` Recorded:\n  ${activities.map(summarize).join("\n  ")}`;

  const connector: Connector = {
    serviceUrl,
    port,
    activities,
    createdConversations,
    requests,
    rejected,
    get members() {
      return [...roster];
    },
    setMember(member) {
      roster = roster.filter((m) => m.id !== member.id);
      roster.push(member);
    },
    setMembers(members) {
      roster = [...members];
    },
    setConversationMembers(conversationId, members) {
      conversationRosters.set(conversationId, [...members]);
    },
    uploads,
    removeMember(idOrAad) {
      roster = roster.filter((m) => m.id !== idOrAad && m.aadObjectId.toLowerCase() !== idOrAad.toLowerCase());
    },
    setTeam(team) {
      teams.set(team.id, team);
    },
    sentTo(conversationId) {
      return activities.filter(
        (a) => a.conversationId === conversationId && (a.operation === "send" || a.operation === "reply"),
      );
    },
    waitFor(predicate, timeoutMs = 5000) {
      return waitForEvent(
        "activity",
        () => activities.find(predicate),
        timeoutMs,
        "waitFor(predicate)",
        recordedSummary,
      );
    },
    waitForCount(count, predicate = () => true, timeoutMs = 5000) {
      return waitForEvent(
        "activity",
        () => {
          const matches = activities.filter(predicate);
          return matches.length >= count ? matches : undefined;
        },
        timeoutMs,
        `waitForCount(${count})`,
        () => ` ${activities.filter(predicate).length} matched.${recordedSummary()}`,
      );
    },
    waitForConversation(predicate = () => true, timeoutMs = 5000) {
      return waitForEvent(
        "conversation",
        () => createdConversations.find(predicate),
        timeoutMs,
        "waitForConversation",
        () => ` ${createdConversations.length} conversation(s) created.`,
      );
    },
    failNext(n, status, headers = {}, options = {}) {
      for (let i = 0; i < n; i++) {
        failures.push({ status, headers, body: options.body, appliesTo: options.appliesTo ?? "activities" });
      }
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    throttled,
    setRateLimit(limits) {
      rateLimit = limits;
      tenantWindows.clear();
      conversationWindows.clear();
    },
    failConversation(conversationId, status, code = status === 404 ? "ConversationNotFound" : status === 403 ? "MessageWritesBlocked" : "ServiceError") {
      conversationFailures.set(conversationId, { status, code });
    },
    failMember(idOrAad, status, code = status === 404 ? "NotFound" : status === 403 ? "Forbidden" : "ServiceError") {
      memberFailures.set(idOrAad.toLowerCase(), { status, code });
    },
    clearFailures() {
      conversationFailures.clear();
      memberFailures.clear();
    },
    reset(options = {}) {
      activities.length = 0;
      createdConversations.length = 0;
      requests.length = 0;
      rejected.length = 0;
      failures = [];
      latencyMs = 0;
      rateLimit = undefined;
      throttled.length = 0;
      tenantWindows.clear();
      conversationWindows.clear();
      conversationFailures.clear();
      memberFailures.clear();
      uploads.length = 0;
      if (options.roster) {
        roster = [];
        conversationRosters.clear();
        teams.clear();
      }
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
  return connector;
}
