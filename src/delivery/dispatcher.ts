import { randomUUID } from "node:crypto";
import Bottleneck from "bottleneck";
import type { Logger } from "pino";
import { z } from "zod/v4";
import { isNotFound, isPreconditionFailed } from "../storage/errors";
import type { DeliveriesRepo, DeliveryPatch } from "../storage/deliveriesRepo";
import type { ThrottleRepo } from "../storage/throttleRepo";
import type { JobContext, JobResult } from "../schedule/scheduler";
import { errorKind } from "../schedule/errorKind";
import type { BatchStatus, Outbox } from "./outbox";
import { RateLimits } from "./rateLimits";
import { backoffMs, throttleDelayMs } from "./retryPolicy";
import { SendPostponed, type EmailTransport, type SendOptions, type SendResult, type TeamsTransport } from "./transports";
import type { DeliveryChannel, DeliveryRow, MessageBuilder, MessageContent } from "./types";

export const FAILURE_NOTICE_KIND = "delivery.failed";
export const noticeBatchId = (batchId: string, recipientKey: string) => `${FAILURE_NOTICE_KIND}|${batchId}|${recipientKey}`;

export const LINK_REASON = {
  noTransport: "no Teams, no e-mail configured: link to hand out",
  noAddress: "no Teams, no e-mail address: link to hand out",
  noEmailForm: "no Teams, the message has no e-mail form: link to hand out",
} as const;

export interface DispatcherOptions {
  deliveries: DeliveriesRepo;
  throttle: ThrottleRepo;
  /** Enqueues failure notices and re-ensures the dispatch job after `dispatchNow`. */
  outbox: Outbox;
  /** Message builders by row kind, supplied by the features (and "delivery.failed" by the integrator). */
  builders: ReadonlyMap<string, MessageBuilder> | Readonly<Record<string, MessageBuilder>>;
  teams?: TeamsTransport;
  /** Without it, people Teams cannot reach end "unreachable" with a link to hand out. */
  email?: EmailTransport;
  /** Share one between the dispatchers of a process. Default: its own, with default limits. */
  limits?: RateLimits;
  now?: () => Date;
  owner?: string;
  /** How long a claimed row is ours before another instance may take it over. Default 60 s. */
  leaseMs?: number;
  /** 5xx, network, 412 and builder failures before a row ends failed. Default 6. */
  maxFailures?: number;
  /** 429s before a row ends failed. Default 50. */
  maxThrottled?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Wait after a 429 without Retry-After (plus jitter). Default 5 s. */
  default429Ms?: number;
  /** Rows claimed and waiting for their turn to send, per dispatcher. Bounds how long a claim waits. Default 64. */
  claimAhead?: number;
  /** How often a long round re-reads the shared throttle rows. Default 2 s. */
  throttleRefreshMs?: number;
  /** Throttles up to this long are waited out inside a round rather than re-queued. Default 5 s. */
  maxThrottleWaitMs?: number;
  log?: Pick<Logger, "warn" | "error" | "info">;
}

export interface DispatchResult {
  /** When the batch's job should run again; undefined when nothing is left to do. */
  rescheduleAt?: Date;
  claimed: number;
}

type Outcome = { state: DeliveryRow["state"]; patch: DeliveryPatch };

const payloadSchema = z.object({ batchId: z.string().min(1) });
const ISO = (ms: number) => new Date(ms).toISOString();
const SHORT = (s: string) => s.slice(0, 200);

/**
 * Sends a batch's due rows. Each row is claimed (pending → sending, with a lease) by an
 * ETag-conditional update, sent, and its outcome recorded by another update conditional on the
 * claim's ETag, so two dispatchers never both send a row they both saw.
 *
 * At-least-once: a process that dies after the service accepted a message and before the
 * outcome is recorded leaves the row "sending"; when the lease expires it is sent again. The
 * window is one HTTP round trip plus one storage write per row in flight (at most
 * `maxInFlight` rows per process).
 */
export class Dispatcher {
  private readonly now: () => Date;
  private readonly owner: string;
  private readonly limits: RateLimits;
  private readonly ownLimits: boolean;
  private readonly pipeline: Bottleneck;
  private readonly throttles = new Map<string, number>();
  private throttlesReadAt = 0;
  private throttleRead: Promise<void> | undefined;
  private readonly background = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(private readonly o: DispatcherOptions) {
    this.now = o.now ?? (() => new Date());
    this.owner = o.owner ?? randomUUID();
    this.ownLimits = !o.limits;
    this.limits = o.limits ?? new RateLimits();
    this.pipeline = new Bottleneck({ maxConcurrent: o.claimAhead ?? 64 });
  }

  /** The `delivery.dispatch` job handler: register it with `scheduler.register(DISPATCH_JOB, d.handleJob)`. */
  readonly handleJob = async (ctx: JobContext): Promise<JobResult> => {
    const { batchId } = payloadSchema.parse(ctx.payload);
    const r = await this.dispatchBatch(batchId, { deadline: ctx.deadline });
    return r.rescheduleAt ? { rescheduleAt: r.rescheduleAt } : undefined;
  };

  /**
   * For a button press that should send at once (a sign-off request): runs the batch here,
   * claiming rows as usual so a scheduler pass elsewhere cannot send them twice, and resolves
   * with the batch's status when done or when `budgetMs` has passed; the rest goes on in the background.
   */
  async dispatchNow(batchId: string, opts: { budgetMs?: number } = {}): Promise<BatchStatus> {
    const work = this.track(
      this.dispatchBatch(batchId).then(async (r) => {
        if (r.rescheduleAt) await this.o.outbox.ensureDispatch(batchId, r.rescheduleAt);
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([work, new Promise<void>((res) => (timer = setTimeout(res, opts.budgetMs ?? 2_500)))]);
    clearTimeout(timer);
    return this.o.outbox.batchStatus(batchId);
  }

  /** One round over the batch's due rows. Stops starting rows at `deadline`. */
  async dispatchBatch(batchId: string, opts: { deadline?: Date } = {}): Promise<DispatchResult> {
    const deadline = opts.deadline?.getTime() ?? Infinity;
    await this.refreshThrottles(true);
    // Shuffled, so two instances working on one batch mostly claim different rows instead of
    // racing for the same ones in the same order.
    const due = shuffle(await this.o.deliveries.due(batchId, this.now().toISOString()));
    let claimed = 0;
    let cutShort = false;
    const jobs = due.map((row) =>
      this.pipeline.schedule(async () => {
        if (this.stopping || this.now().getTime() >= deadline) {
          cutShort = true;
          return;
        }
        if (row.notice === "due") return this.sendNotice(row);
        if (!(await this.waitOutThrottle(this.throttledUntil(row), deadline))) return;
        if (await this.processRow(row)) claimed++;
      }),
    );
    const results = await Promise.allSettled(jobs);
    for (const r of results) if (r.status === "rejected") this.o.log?.error({ err: errorKind(r.reason), batchId }, "delivery row crashed");
    return { claimed, rescheduleAt: await this.nextRun(batchId, cutShort || results.some((r) => r.status === "rejected")) };
  }

  /** Stops starting rows and waits for what is in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.background]);
    await this.pipeline.stop({ dropWaitingJobs: false }).catch(() => undefined);
    if (this.ownLimits) await this.limits.stop();
  }

  private track<T>(p: Promise<T>): Promise<void> {
    const tracked = p.then(
      () => undefined,
      (e) => this.o.log?.error({ err: errorKind(e) }, "background dispatch failed"),
    );
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
    return tracked;
  }

  /** Returns false when another dispatcher had the row. */
  private async processRow(row: DeliveryRow): Promise<boolean> {
    const now = this.now().getTime();
    const leaseUntil = ISO(now + (this.o.leaseMs ?? 60_000));
    let etag: string;
    try {
      etag = await this.o.deliveries.update(row, { state: "sending", leaseUntil, leaseOwner: this.owner, attempts: row.attempts + 1, updatedAt: ISO(now) }, row.etag);
    } catch (e) {
      if (isPreconditionFailed(e) || isNotFound(e)) return false;
      throw e;
    }
    const claimed: DeliveryRow = { ...row, state: "sending", leaseUntil, leaseOwner: this.owner, attempts: row.attempts + 1, etag };
    let outcome: Outcome;
    try {
      outcome = await this.deliver(claimed);
    } catch (e) {
      if (e instanceof SendPostponed) {
        outcome = { state: "pending", patch: { state: "pending", notBefore: e.until.toISOString(), attempts: row.attempts } };
      } else {
        this.o.log?.warn({ err: errorKind(e), kind: row.kind }, "delivery attempt failed");
        outcome = this.retryOutcome(claimed, { outcome: "retry", status: 0, reason: SHORT(`error ${errorKind(e)}`) }, claimed.channel);
      }
    }
    await this.record(claimed, outcome);
    return true;
  }

  private async deliver(row: DeliveryRow): Promise<Outcome> {
    const builder = this.builder(row.kind);
    if (!builder) return this.retryOutcome(row, { outcome: "retry", status: 0, reason: `no message builder for ${SHORT(row.kind)}` }, row.channel);
    const content = await builder(row);
    if ("skip" in content) return { state: "skipped", patch: { state: "skipped", lastError: SHORT(`skipped: ${content.skip}`) } };

    const r = row.recipient;
    if (r.kind === "channel") {
      if (!this.o.teams || !(content.card || content.text)) return unreachable("link", 0, this.o.teams ? "the message has no Teams form" : "no Teams transport");
      const res = await this.teamsSend(row, (opts) => this.o.teams!.sendToChannel(r.key, content, opts));
      return this.fromResult(row, res.outcome === "gone" ? { outcome: "unreachable", status: 404, reason: res.reason } : res, "teams");
    }
    let teamsReason = "";
    if (r.kind === "person" && row.channel !== "email" && this.o.teams && (content.card || content.text)) {
      const principal = { tenantId: r.tenantId, aadObjectId: r.aadObjectId };
      let res = await this.teamsSend(row, (opts) => this.o.teams!.sendToPerson(principal, content, opts));
      // The person deleted the chat: the transport forgot it; opening a new one is tried once.
      if (res.outcome === "gone") res = await this.teamsSend(row, (opts) => this.o.teams!.sendToPerson(principal, content, opts));
      if (res.outcome === "gone") res = { outcome: "unreachable", status: 404, reason: `${res.reason} twice` };
      if (res.outcome !== "unreachable") return this.fromResult(row, res, "teams");
      teamsReason = res.reason;
    }
    return this.emailOrLink(row, content, teamsReason);
  }

  private async emailOrLink(row: DeliveryRow, content: MessageContent, teamsReason: string): Promise<Outcome> {
    const r = row.recipient;
    const address = r.kind === "channel" ? undefined : r.email;
    const why = (reason: string) => SHORT(teamsReason ? `${teamsReason}; ${reason}` : reason);
    if (!this.o.email) return unreachable("link", 0, why(LINK_REASON.noTransport));
    if (!address) return unreachable("link", 0, why(LINK_REASON.noAddress));
    if (!content.email) return unreachable("link", 0, why(LINK_REASON.noEmailForm));
    const email = content.email;
    await this.limits.emailGate();
    const res = await this.limits.inFlight(() => this.o.email!.send({ to: { email: address, name: r.kind === "channel" ? undefined : r.name }, ...email }));
    return this.fromResult(row, res, "email");
  }

  private async teamsSend(row: DeliveryRow, send: (opts: SendOptions) => Promise<SendResult>): Promise<SendResult & { tenantId?: string }> {
    await this.limits.conversationGate(row.recipientKey);
    let tenant: string | undefined;
    const leaseEnd = Date.parse(row.leaseUntil ?? "") - 10_000;
    const beforeRequest = async (tenantId: string) => {
      const t = tenantId.toLowerCase();
      tenant = t;
      // Loop: a 429 may have arrived while we waited for our turn at the gate. Bounded, in case
      // the throttle keeps moving (or a test's clock does not).
      for (let waits = 0; ; ) {
        void this.refreshThrottles(false);
        const until = this.throttles.get(t) ?? 0;
        if (until > this.now().getTime()) {
          if (waits++ >= 3 || !(await this.waitOutThrottle(until, leaseEnd))) throw new SendPostponed(new Date(until));
          continue;
        }
        await this.limits.tenantGate(t);
        if ((this.throttles.get(t) ?? 0) <= this.now().getTime()) return;
      }
    };
    const res = await this.limits.inFlight(() => send({ beforeRequest }));
    if (res.outcome === "retry" && res.status === 429 && tenant) {
      const until = this.now().getTime() + throttleDelayMs(res.retryAfterMs, this.o.default429Ms ?? 5_000);
      await this.raiseThrottle(tenant, until);
    }
    return { ...res, tenantId: tenant };
  }

  private fromResult(row: DeliveryRow, res: SendResult, channel: DeliveryChannel): Outcome {
    switch (res.outcome) {
      case "sent":
        return { state: "sent", patch: { state: "sent", channel, activityId: res.activityId ?? "", conversationId: res.conversationId ?? "", sentAt: this.now().toISOString(), lastStatus: 200, lastError: "" } };
      case "retry":
        return this.retryOutcome(row, res, channel === "email" ? "email" : row.channel);
      case "unreachable":
      case "gone":
        return unreachable(channel, res.status, res.reason);
      case "failed":
        return { state: "failed", patch: { state: "failed", channel, lastStatus: res.status, lastError: SHORT(res.reason) } };
    }
  }

  /** Back to pending with a delay, or failed once the row has used its attempts. */
  private retryOutcome(row: DeliveryRow, res: Extract<SendResult, { outcome: "retry" }>, channel: DeliveryChannel | undefined): Outcome {
    const now = this.now().getTime();
    const base = { lastStatus: res.status, lastError: SHORT(res.reason), channel };
    if (res.status === 429) {
      const throttled = row.throttled + 1;
      if (throttled >= (this.o.maxThrottled ?? 50)) return { state: "failed", patch: { ...base, state: "failed", throttled, lastError: SHORT(`throttled ${throttled} times: ${res.reason}`) } };
      const wait = throttleDelayMs(res.retryAfterMs, this.o.default429Ms ?? 5_000);
      return { state: "pending", patch: { ...base, state: "pending", throttled, notBefore: ISO(now + wait) } };
    }
    const failures = row.failures + 1;
    if (failures >= (this.o.maxFailures ?? 6)) return { state: "failed", patch: { ...base, state: "failed", failures } };
    const wait = res.retryAfterMs ?? backoffMs(failures, this.o.retryBaseMs ?? 2_000, this.o.retryMaxMs ?? 5 * 60_000);
    return { state: "pending", patch: { ...base, state: "pending", failures, notBefore: ISO(now + wait) } };
  }

  private async record(row: DeliveryRow, outcome: Outcome): Promise<void> {
    const final = outcome.state === "failed" || outcome.state === "unreachable";
    const patch: DeliveryPatch = { ...outcome.patch, leaseUntil: "", leaseOwner: "", updatedAt: this.now().toISOString(), ...(final && row.tellOnFailure ? { notice: "due" as const } : {}) };
    let etag: string;
    try {
      etag = await this.o.deliveries.update(row, patch, row.etag);
    } catch (e) {
      // Our lease ran out and another dispatcher took the row over: it may send it again.
      if (isPreconditionFailed(e) || isNotFound(e)) {
        this.o.log?.warn({ batch: row.batchId, state: outcome.state }, "delivery row was taken over before its outcome was recorded");
        return;
      }
      throw e;
    }
    if (final && row.tellOnFailure) await this.sendNotice({ ...row, ...patch, etag } as DeliveryRow);
  }

  /**
   * Enqueues the "could not be delivered" notice, then marks it done. Enqueue is idempotent, so
   * a crash in between only repeats the enqueue on the next round, never the notice.
   */
  private async sendNotice(row: DeliveryRow): Promise<void> {
    if (!row.tellOnFailure) return;
    await this.o.outbox.enqueue(noticeBatchId(row.batchId, row.recipientKey), [
      {
        recipient: { kind: "person", ...row.tellOnFailure },
        kind: FAILURE_NOTICE_KIND,
        params: { batchId: row.batchId, recipientKey: row.recipientKey, state: row.state, reason: row.lastError ?? "" },
      },
    ]);
    try {
      await this.o.deliveries.update(row, { notice: "done" }, row.etag);
    } catch (e) {
      if (!isPreconditionFailed(e) && !isNotFound(e)) throw e;
    }
  }

  private async nextRun(batchId: string, cutShort: boolean): Promise<Date | undefined> {
    const open = await this.o.deliveries.open(batchId);
    if (open.length === 0) return undefined;
    const now = this.now().getTime();
    if (cutShort) return new Date(now);
    let next = Infinity;
    for (const r of open) {
      const at = r.notice === "due" ? now : r.state === "sending" ? Date.parse(r.leaseUntil ?? "") : Math.max(Date.parse(r.notBefore), this.throttledUntil(r));
      next = Math.min(next, Number.isNaN(at) ? now : at);
    }
    return new Date(Math.max(now, next));
  }

  private builder(kind: string): MessageBuilder | undefined {
    const b = this.o.builders;
    return b instanceof Map ? b.get(kind) : (b as Record<string, MessageBuilder>)[kind];
  }

  private throttledUntil(row: DeliveryRow): number {
    if (row.recipient.kind !== "person") return 0;
    return this.throttles.get(row.recipient.tenantId.toLowerCase()) ?? 0;
  }

  /**
   * A short throttle is waited out in place (the claim and the round go on); a long one, or one
   * that would outlast `limit` (the round's deadline, the claim's lease), returns false so the row
   * is left or put back for later. Waiting beats re-queuing here: re-queuing costs two storage
   * writes per row and a new round, which after a 1 s Retry-After is most of the second.
   */
  private async waitOutThrottle(until: number, limit: number): Promise<boolean> {
    const wait = until - this.now().getTime();
    if (wait <= 0) return true;
    if (wait > (this.o.maxThrottleWaitMs ?? 5_000) || this.now().getTime() + wait >= limit) return false;
    await new Promise((r) => setTimeout(r, wait));
    return !this.stopping;
  }

  private async raiseThrottle(tenant: string, until: number): Promise<void> {
    if ((this.throttles.get(tenant) ?? 0) < until) this.throttles.set(tenant, until);
    await this.o.throttle.raise(tenant, ISO(until)).catch((e) => this.o.log?.warn({ err: errorKind(e) }, "could not share the throttle"));
  }

  /** Reads every instance's "throttled until" rows: always at the start of a round, then at most every `throttleRefreshMs`. */
  private refreshThrottles(force: boolean): Promise<void> {
    const now = Date.now();
    if (this.throttleRead) return this.throttleRead;
    if (!force && now - this.throttlesReadAt < (this.o.throttleRefreshMs ?? 2_000)) return Promise.resolve();
    this.throttlesReadAt = now;
    this.throttleRead = this.o.throttle
      .all()
      .then((rows) => {
        for (const [tenant, until] of rows) {
          const ms = Date.parse(until);
          if (!Number.isNaN(ms) && ms > (this.throttles.get(tenant) ?? 0)) this.throttles.set(tenant, ms);
        }
      })
      .catch((e) => this.o.log?.warn({ err: errorKind(e) }, "could not read the shared throttle"))
      .finally(() => (this.throttleRead = undefined));
    return this.throttleRead;
  }
}

function unreachable(channel: DeliveryChannel, status: number, reason: string): Outcome {
  return { state: "unreachable", patch: { state: "unreachable", channel, lastStatus: status, lastError: SHORT(reason) } };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
