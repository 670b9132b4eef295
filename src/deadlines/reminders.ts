import { z } from "zod/v4";
import { mapPool } from "../admin/pool";
import type { EnqueueItem, Recipient } from "../delivery/types";
import type { JobContext, JobResult } from "../schedule/scheduler";
import type { JobHandlers } from "../routes";
import type { Cycle } from "../storage/cyclesRepo";
import type { ReturnHeader } from "../storage/returnsRepo";
import type { DeadlineDeps } from "./deps";
import { dueReminder, effectiveDeadline, nextReminderAt, type AgencyDeadline } from "./rules";

export const DEADLINE_JOBS = { remind: "s11.deadline.remind" } as const;
export const DEADLINE_MESSAGES = { reminder: "s11.deadline.reminder", extended: "s11.deadline.extended" } as const;

/** One stored job per cycle: any instance may run it; the scheduler's lease lets one at a time. */
export const reminderJobId = (cycleId: string) => `${DEADLINE_JOBS.remind}|${cycleId}`;
/**
 * One outbox batch per agency, deadline and reminder: recipients are deduplicated per batch, so a
 * job run twice (two instances, a restart, the local-mode button) never reminds anyone twice, and
 * a new deadline (an extension) has batches of its own.
 */
export const reminderBatchId = (cycleId: string, agencyId: string, deadline: string, days: number) => `s11.deadline|${cycleId}|${agencyId}|${deadline}|D-${days}`;
export const extensionBatchId = (cycleId: string, agencyId: string, deadline: string) => `s11.extension|${cycleId}|${agencyId}|${deadline}`;

const payloadSchema = z.object({ cycleId: z.string().min(1).max(120) });
const emailSchema = z.email().max(320);

export interface AgencyPlan {
  agencyId: string;
  agencyName: string;
  header?: ReturnHeader & { partitionKey: string };
  deadline: AgencyDeadline;
  submitted: boolean;
  due?: number;
  next?: Date;
}

/**
 * Deadline reminders as a stored job per cycle. Each run works out, for every agency the cycle
 * covers, which reminder is due now (rules.ts), enqueues it to the agency's leads under a batch
 * id naming the agency, deadline and reminder, and reschedules itself for the earliest reminder
 * still to come. Whether an agency has submitted is checked twice: here, and again by the message
 * builder when each message is sent, so a return submitted meanwhile stops its reminder.
 */
export class DeadlineReminders {
  constructor(private readonly d: DeadlineDeps) {}

  readonly jobs: JobHandlers = {
    [DEADLINE_JOBS.remind]: (ctx: JobContext) => {
      const p = payloadSchema.safeParse(ctx.payload);
      return p.success ? this.run(p.data.cycleId) : Promise.resolve(undefined);
    },
  };

  /** Every agency of the cycle with its deadline and what is due for it at `now`. */
  async plan(cycle: Cycle, now: Date = this.d.now()): Promise<AgencyPlan[]> {
    const [agencies, headers, overrides] = await Promise.all([this.d.agencies.list(), this.d.returns.listHeaders(cycle.cycleId), this.d.overrides.listForCycle(cycle.cycleId)]);
    const byAgency = new Map(headers.map((h) => [h.agencyId, h]));
    const days = cycle.reminderDays ?? [];
    const ids = new Set([...agencies.filter((a) => cycle.partnerships.some((p) => a.partnerships.includes(p))).map((a) => a.agencyId), ...byAgency.keys()]);
    const names = new Map(agencies.map((a) => [a.agencyId, a.name]));
    return [...ids].map((agencyId) => {
      const header = byAgency.get(agencyId);
      const deadline = effectiveDeadline(cycle, overrides.get(agencyId));
      const submitted = (header?.submissionCount ?? 0) > 0;
      return { agencyId, agencyName: header?.agencyName ?? names.get(agencyId) ?? agencyId, header, deadline, submitted, due: submitted ? undefined : dueReminder(now, deadline, days), next: submitted ? undefined : nextReminderAt(now, deadline, days) };
    });
  }

  /** (Re)plans the cycle's job for its next reminder: after opening, an extension, new reminder days, reopening. */
  async replan(cycleId: string): Promise<Date | undefined> {
    const cycle = await this.d.cycles.get(cycleId);
    if (!cycle || cycle.status !== "open") {
      await this.d.scheduler.cancel(reminderJobId(cycleId));
      return undefined;
    }
    const plans = await this.plan(cycle);
    // A reminder due now goes out at once; otherwise the job waits for the next one. Moving the job
    // later is allowed here (an extension postpones reminders), unlike producers that only bring jobs forward.
    const at = plans.some((p) => p.due !== undefined) ? this.d.now() : earliest(plans.map((p) => p.next));
    if (!at) {
      await this.d.scheduler.cancel(reminderJobId(cycleId));
      return undefined;
    }
    await this.d.scheduler.schedule(reminderJobId(cycleId), DEADLINE_JOBS.remind, at, { cycleId });
    return at;
  }

  /** The job: enqueue what is due now, then wait for the next reminder. Idempotent. */
  async run(cycleId: string, now: Date = this.d.now()): Promise<JobResult> {
    const cycle = await this.d.cycles.get(cycleId);
    if (!cycle || cycle.status !== "open") return undefined;
    const plans = await this.plan(cycle, now);
    await mapPool(
      plans.filter((p) => p.due !== undefined),
      4,
      (p) => this.enqueueReminder(cycle, p, p.due!),
    );
    const next = earliest(plans.map((p) => p.next));
    return next ? { rescheduleAt: next } : undefined;
  }

  /** Local mode's "make time pass": the reminder D-`days` for every agency that has not submitted, now. */
  async sendAsIf(cycle: Cycle, days: number): Promise<number> {
    const plans = (await this.plan(cycle)).filter((p) => !p.submitted);
    let created = 0;
    await mapPool(plans, 4, async (p) => {
      created += await this.enqueueReminder(cycle, p, days);
    });
    return created;
  }

  private async enqueueReminder(cycle: Cycle, p: AgencyPlan, days: number): Promise<number> {
    const to = await this.leadsOf(p.agencyId, p.header?.partitionKey);
    if (!to.length) return 0;
    const params = { cycleId: cycle.cycleId, agencyId: p.agencyId, deadline: p.deadline.deadline, days: String(days) };
    const { created } = await this.d.outbox.enqueue(
      reminderBatchId(cycle.cycleId, p.agencyId, p.deadline.deadline, days),
      to.map((recipient): EnqueueItem => ({ recipient, kind: DEADLINE_MESSAGES.reminder, params })),
    );
    return created;
  }

  /** Tells the leads of these agencies their new deadline. */
  async enqueueExtension(cycle: Cycle, agencyIds: string[], deadline: string, previous: Map<string, string>, by: string): Promise<number> {
    const headers = new Map((await this.d.returns.listHeaders(cycle.cycleId)).map((h) => [h.agencyId, h.partitionKey]));
    let created = 0;
    await mapPool(agencyIds, 4, async (agencyId) => {
      const to = await this.leadsOf(agencyId, headers.get(agencyId));
      if (!to.length) return;
      const params = { cycleId: cycle.cycleId, agencyId, deadline, previous: previous.get(agencyId) ?? "", by: by.slice(0, 200) };
      created += (await this.d.outbox.enqueue(extensionBatchId(cycle.cycleId, agencyId, deadline), to.map((recipient): EnqueueItem => ({ recipient, kind: DEADLINE_MESSAGES.extended, params })))).created;
    });
    return created;
  }

  /**
   * The agency's leads: those on the return's access rows (reached in Teams, with their e-mail as
   * the fallback), and those registered by e-mail who have not opened the bot yet (e-mail only).
   */
  async leadsOf(agencyId: string, pk: string | undefined): Promise<Recipient[]> {
    const onReturn = pk ? ((await this.d.returns.load(pk))?.access ?? []) : await this.d.access.accessRowsFor(agencyId);
    const leads = onReturn.filter((a) => a.roles.includes("lead") && this.tenantAllowed(a.tenantId));
    const people = await Promise.all(leads.map((a) => this.d.people.get(a)));
    const out: Recipient[] = leads.map((a, i) => {
      const email = people[i]?.email;
      return { kind: "person", tenantId: a.tenantId, aadObjectId: a.aadObjectId, name: (a.name || people[i]?.name || "").slice(0, 256), ...(email && emailSchema.safeParse(email).success ? { email } : {}) };
    });
    for (const w of await this.d.access.waitingByEmail(agencyId, "lead")) if (emailSchema.safeParse(w.email).success) out.push({ kind: "email", email: w.email, name: w.name.slice(0, 256) });
    return out;
  }

  private tenantAllowed(tenantId: string): boolean {
    return this.d.config.anyTenant || this.d.config.ALLOWED_TENANT_IDS.includes(tenantId.toLowerCase());
  }
}

function earliest(dates: Array<Date | undefined>): Date | undefined {
  const t = dates.filter((x): x is Date => !!x).map((x) => x.getTime());
  return t.length ? new Date(Math.min(...t)) : undefined;
}
