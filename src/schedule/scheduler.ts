import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { z } from "zod/v4";
import { isNotFound, isPreconditionFailed } from "../storage/errors";
import type { JobRow, JobsRepo } from "../storage/jobsRepo";
import { errorKind } from "./errorKind";

export interface JobContext {
  id: string;
  kind: string;
  payload: unknown;
  /** 1 on the first run; counts runs that started, including ones a crash interrupted. */
  attempts: number;
  now: Date;
  /** The claim's lease ends here: finish (or return `{ rescheduleAt }` to continue later) well before it. */
  deadline: Date;
}

export type JobResult = void | { rescheduleAt: Date };

/**
 * Runs a due job. Handlers MUST be idempotent: a job can run again after a crash between the
 * work and the delete, or when its lease expired while it was still running on a slow instance.
 * Throwing retries the job with backoff; only the error's kind is stored, never its message.
 */
export type JobHandler = (ctx: JobContext) => Promise<JobResult>;

export interface SchedulerOptions {
  jobs: JobsRepo;
  now?: () => Date;
  /** Between passes of the loop. Default 2 s. */
  intervalMs?: number;
  /** How long a claim holds a job before another instance may take it. Default 60 s. */
  leaseMs?: number;
  /** Runs after which a failing job is marked failed. Default 5. */
  maxAttempts?: number;
  /** Delay before retry number `attempts + 1`. Default 5 s doubling to 15 min, with jitter. */
  backoffMs?: (attempts: number) => number;
  /** Jobs running at once in this instance. Default 4. */
  concurrency?: number;
  /** Identifies this instance in leases. Default a random id. */
  owner?: string;
  log?: Pick<Logger, "warn" | "error">;
}

const jsonPayload = z.string().max(16_000);

const defaultBackoff = (attempts: number) => {
  const base = Math.min(15 * 60_000, 5_000 * 2 ** Math.max(0, attempts - 1));
  return base / 2 + Math.random() * (base / 2);
};

/**
 * Scheduled work as rows (see JobsRepo). Every instance runs the loop; a job is claimed with an
 * ETag-conditional update that sets a lease, so exactly one instance runs it at a time, and a
 * crashed instance's lease expires and another takes the job over.
 */
export class Scheduler {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly now: () => Date;
  private readonly intervalMs: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: (attempts: number) => number;
  private readonly concurrency: number;
  readonly owner: string;
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> | undefined;
  private stopped = true;

  constructor(private readonly options: SchedulerOptions) {
    this.now = options.now ?? (() => new Date());
    this.intervalMs = options.intervalMs ?? 2_000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.backoffMs = options.backoffMs ?? defaultBackoff;
    this.concurrency = options.concurrency ?? 4;
    this.owner = options.owner ?? randomUUID();
  }

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /**
   * Creates the job or moves it (idempotent: the id is the producer's). `ifEarlier` only ever
   * brings a job forward, so several producers asking "run by then" never postpone each other.
   * Rescheduling a job that is running does not start a second run: its runner sees the change
   * when it finishes and leaves the job pending for the new time.
   */
  async schedule(id: string, kind: string, dueAt: Date, payload: unknown = {}, opts: { ifEarlier?: boolean } = {}): Promise<void> {
    const body = jsonPayload.parse(JSON.stringify(payload ?? {}));
    const due = dueAt.toISOString();
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.options.jobs.get(id);
      const nowIso = this.now().toISOString();
      if (!current) {
        const created = await this.options.jobs.create({ id, kind, dueAt: due, payload: body, state: "pending", attempts: 0, leaseUntil: "", leaseOwner: "", lastError: "", updatedAt: nowIso });
        if (created) return;
        continue;
      }
      // A running job is always touched, even when it is due earlier: the runner may have read
      // its work before this call, and the changed ETag is what makes it leave the job pending.
      if (opts.ifEarlier && current.state === "pending" && current.dueAt <= due && current.payload === body) return;
      const keepEarlier = opts.ifEarlier && current.state === "pending" && current.dueAt < due;
      const leased = current.state === "running" && current.leaseUntil > nowIso;
      const patch = leased
        ? { kind, dueAt: due, payload: body, updatedAt: nowIso }
        : { kind, dueAt: keepEarlier ? current.dueAt : due, payload: body, state: "pending" as const, attempts: 0, leaseUntil: "", leaseOwner: "", lastError: "", updatedAt: nowIso };
      try {
        await this.options.jobs.update(id, patch, current.etag);
        return;
      } catch (e) {
        if (!isPreconditionFailed(e) && !isNotFound(e)) throw e;
      }
    }
    throw new Error("could not schedule the job: it kept changing");
  }

  /** True when there was a job to cancel. A run in progress finishes but does not reschedule. */
  cancel(id: string): Promise<boolean> {
    return this.options.jobs.delete(id);
  }

  async get(id: string): Promise<(Omit<JobRow, "payload" | "etag"> & { payload: unknown }) | undefined> {
    const row = await this.options.jobs.get(id);
    if (!row) return undefined;
    const { etag: _etag, payload, ...rest } = row;
    return { ...rest, payload: JSON.parse(payload) as unknown };
  }

  /** One pass: claims the jobs due at `now` (up to the free concurrency) and runs them to the end. For tests and scripts. */
  async runDue(now: Date = this.now()): Promise<number> {
    const started = await this.claimAndStart(now, this.concurrency);
    await Promise.all(started);
    return started.length;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = () => {
      if (this.stopped) return;
      this.pass = this.claimAndStart(this.now(), this.concurrency - this.running.size)
        .catch((e) => this.options.log?.warn({ err: errorKind(e) }, "scheduler pass failed"))
        .finally(() => {
          this.pass = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    tick();
  }

  /** Stops claiming and waits for the pass and the jobs already running in this instance. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass;
    await Promise.allSettled([...this.running]);
  }

  private async claimAndStart(now: Date, capacity: number): Promise<Promise<void>[]> {
    if (capacity <= 0) return [];
    const due = await this.options.jobs.due(now.toISOString(), Math.max(capacity * 2, 10));
    const started: Promise<void>[] = [];
    for (const job of due) {
      if (started.length >= capacity) break;
      const claimed = await this.claim(job, now);
      if (!claimed) continue;
      const run = this.run(claimed, now).finally(() => this.running.delete(run));
      this.running.add(run);
      started.push(run);
    }
    return started;
  }

  private async claim(job: JobRow, now: Date): Promise<JobRow | undefined> {
    const leaseUntil = new Date(now.getTime() + this.leaseMs).toISOString();
    const patch = { state: "running" as const, attempts: job.attempts + 1, leaseUntil, leaseOwner: this.owner, updatedAt: now.toISOString() };
    try {
      const etag = await this.options.jobs.update(job.id, patch, job.etag);
      return { ...job, ...patch, etag };
    } catch (e) {
      // Another instance claimed it first, or it was cancelled or rescheduled: not ours to run.
      if (isPreconditionFailed(e) || isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async run(job: JobRow, now: Date): Promise<void> {
    const handler = this.handlers.get(job.kind);
    let result: JobResult;
    try {
      if (!handler) throw Object.assign(new Error("no handler"), { name: "NoHandler" });
      let payload: unknown;
      try {
        payload = JSON.parse(job.payload);
      } catch {
        throw Object.assign(new Error("bad payload"), { name: "BadPayload" });
      }
      result = await handler({ id: job.id, kind: job.kind, payload, attempts: job.attempts, now, deadline: new Date(now.getTime() + this.leaseMs * 0.75) });
    } catch (e) {
      await this.afterFailure(job, e).catch((err) => this.options.log?.error({ err: errorKind(err), job: job.id }, "could not record a job failure"));
      return;
    }
    await this.afterSuccess(job, result).catch((err) => this.options.log?.error({ err: errorKind(err), job: job.id }, "could not finish a job"));
  }

  private async afterSuccess(job: JobRow, result: JobResult): Promise<void> {
    const nowIso = this.now().toISOString();
    const rescheduleAt = result && "rescheduleAt" in result ? result.rescheduleAt.toISOString() : undefined;
    try {
      if (rescheduleAt) await this.options.jobs.update(job.id, { state: "pending", dueAt: rescheduleAt, attempts: 0, leaseUntil: "", leaseOwner: "", lastError: "", updatedAt: nowIso }, job.etag);
      else await this.options.jobs.delete(job.id, job.etag);
    } catch (e) {
      if (!isPreconditionFailed(e)) throw e;
      await this.releaseChanged(job, rescheduleAt);
    }
  }

  private async afterFailure(job: JobRow, e: unknown): Promise<void> {
    const kind = errorKind(e);
    this.options.log?.warn({ err: kind, job: job.id, attempts: job.attempts }, "job failed");
    const nowIso = this.now().toISOString();
    const patch =
      job.attempts >= this.maxAttempts
        ? { state: "failed" as const, leaseUntil: "", leaseOwner: "", lastError: kind, updatedAt: nowIso }
        : { state: "pending" as const, dueAt: new Date(this.now().getTime() + this.backoffMs(job.attempts)).toISOString(), leaseUntil: "", leaseOwner: "", lastError: kind, updatedAt: nowIso };
    try {
      await this.options.jobs.update(job.id, patch, job.etag);
    } catch (err) {
      if (!isPreconditionFailed(err)) throw err;
      await this.releaseChanged(job, undefined);
    }
  }

  /**
   * Our claim's ETag no longer matches: someone rescheduled the job while it ran (keep their time,
   * or ours if earlier), or our lease expired and another instance claimed it (leave it alone).
   */
  private async releaseChanged(job: JobRow, rescheduleAt: string | undefined): Promise<void> {
    for (let i = 0; i < 5; i++) {
      const current = await this.options.jobs.get(job.id);
      if (!current || current.state !== "running" || current.leaseOwner !== this.owner || current.leaseUntil !== job.leaseUntil) return;
      const dueAt = rescheduleAt && rescheduleAt < current.dueAt ? rescheduleAt : current.dueAt;
      try {
        await this.options.jobs.update(job.id, { state: "pending", dueAt, attempts: 0, leaseUntil: "", leaseOwner: "", updatedAt: this.now().toISOString() }, current.etag);
        return;
      } catch (e) {
        if (!isPreconditionFailed(e)) throw e;
      }
    }
  }
}
