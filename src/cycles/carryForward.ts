import { z } from "zod/v4";
import { DEADLINE_VERBS } from "../deadlines/verbs";
import { md, text } from "../cards/text";
import { formatDate } from "../time";
import type { MessageView } from "../cards/views";
import { mapPool } from "../admin/pool";
import { act, covers, plural } from "../admin/common";
import { ADMIN_VERBS } from "../admin/verbs";
import type { JobContext, JobResult } from "../schedule/scheduler";
import type { JobHandlers } from "../routes";
import type { Agency } from "../storage/agenciesRepo";
import type { Cycle } from "../storage/cyclesRepo";
import { isBatchConflict, isPreconditionFailed } from "../storage/errors";
import { answerColumns, newReturnHeader, returnPartition, type ReturnHeader } from "../storage/returnsRepo";
import { answerOf, isBlank } from "../section11/answer";
import type { TemplateIndex } from "../section11/template";
import type { CycleDeps } from "./deps";
import { CYCLE_VERBS } from "./verbs";

export const CARRY_JOB = "s11.carryForward";
export const carryJobId = (cycleId: string) => `${CARRY_JOB}|${cycleId}`;
const payloadSchema = z.object({
  cycleId: z.string().min(1).max(120),
  /** The admin who opened the cycle: told in personal chat when the job finishes what their answer could not. */
  tell: z.object({ tenantId: z.string().min(1).max(64), aadObjectId: z.string().min(1).max(64), name: z.string().max(256).catch("") }).optional(),
});
export const CARRY_DONE_MESSAGE = "s11.carryDone";
export const carryDoneBatchId = (cycleId: string) => `s11.carryDone|${cycleId}`;

export interface CarryProgress {
  cycle: Cycle;
  from: string;
  agencies: number;
  done: number;
  answers: number;
  /** Agencies whose transaction failed in this pass (they are carried by the next one). */
  failed?: number;
  /** Agencies this pass carried. */
  carriedNow?: number;
}

/** Who carry forward writes as (the history of the previous cycle keeps who wrote each answer). */
export const carriedBy = (previousName: string) => `Carried forward from ${previousName}`.slice(0, 200);

/**
 * Carry forward (docs/cycles.md): every return of the new cycle starts from the agency's answers
 * of the previous cycle, each marked "carried forward, please confirm" until the lead confirms or
 * changes it. One transaction per return partition (the new return whole, header last when it
 * does not fit one), so an agency is either done or untouched; the header's `carriedFrom` marks
 * it done. The run is a stored job and can be pressed again: a killed run resumes where it
 * stopped and nothing is carried twice.
 */
export class CarryForward {
  constructor(private readonly d: CycleDeps) {}

  readonly jobs: JobHandlers = {
    [CARRY_JOB]: async (ctx: JobContext): Promise<JobResult> => {
      const p = payloadSchema.safeParse(ctx.payload);
      if (!p.success) return undefined;
      // The claim's budget, on the wall clock (the scheduler's clock may be a test's or a demo's).
      const progress = await this.run(p.data.cycleId, new Date(Date.now() + Math.max(1_000, ctx.deadline.getTime() - ctx.now.getTime())));
      // This run finished what the admin's answer left: tell them (one message per cycle, whichever run gets here).
      if (progress && progress.done >= progress.agencies && progress.carriedNow && p.data.tell) {
        const t = p.data.tell;
        await this.d.outbox.enqueue(carryDoneBatchId(p.data.cycleId), [{ recipient: { kind: "person", tenantId: t.tenantId, aadObjectId: t.aadObjectId, name: t.name }, kind: CARRY_DONE_MESSAGE, params: { cycleId: p.data.cycleId } }]);
      }
      // Not finished within this claim's time: carry on in a fresh claim straight away.
      return progress && progress.done < progress.agencies ? { rescheduleAt: new Date(this.d.now().getTime() + (progress.failed ? 5_000 : 0)) } : undefined;
    },
  };

  /** Schedules the job (the safety net), then carries as much as fits in `budgetMs` for the admin's answer. */
  async start(cycleId: string, budgetMs: number, tell?: { tenantId: string; aadObjectId: string; name: string }): Promise<CarryProgress | undefined> {
    const payload = { cycleId, ...(tell ? { tell: { ...tell, name: tell.name.slice(0, 256) } } : {}) };
    await this.d.scheduler.schedule(carryJobId(cycleId), CARRY_JOB, new Date(this.d.now().getTime() + 15_000), payload, { ifEarlier: true });
    const progress = await this.run(cycleId, new Date(Date.now() + budgetMs));
    // Not finished in the answer's time: the job carries on at once, on any instance.
    if (progress && progress.done < progress.agencies) await this.d.scheduler.schedule(carryJobId(cycleId), CARRY_JOB, this.d.now(), payload, { ifEarlier: true });
    return progress;
  }

  /** Carries into every return not done yet, until `until` (wall clock). Idempotent. */
  async run(cycleId: string, until: Date): Promise<CarryProgress | undefined> {
    const cycle = await this.d.cycles.get(cycleId);
    if (!cycle?.carriedFrom) return undefined;
    const previous = await this.d.cycles.get(cycle.carriedFrom);
    const [agencies, headers, index, prevIndex] = await Promise.all([
      this.d.agencies.list(),
      this.d.returns.listHeaders(cycleId),
      this.d.catalog.get(cycle.templateId, cycle.templateVersion),
      previous ? this.d.catalog.get(previous.templateId, previous.templateVersion) : Promise.resolve(undefined),
    ]);
    if (!index) throw new Error(`Template ${cycle.templateId} v${cycle.templateVersion} is missing`);
    const covered = agencies.filter((a) => covers(cycle, a));
    const done = new Set(headers.filter((h) => h.carriedFrom === cycle.carriedFrom).map((h) => h.agencyId));
    const existing = new Set(headers.map((h) => h.agencyId));
    let answers = headers.reduce((n, h) => n + (h.carriedFrom === cycle.carriedFrom ? (h.carriedCount ?? 0) : 0), 0);
    const todo = covered.filter((a) => !done.has(a.agencyId));
    let failed = 0;
    let carriedNow = 0;
    await mapPool(todo, 6, async (agency) => {
      if (Date.now() > until.getTime()) return;
      try {
        answers += await this.carryOne(cycle, previous?.name ?? cycle.carriedFrom!, agency, index, prevIndex, existing.has(agency.agencyId));
        done.add(agency.agencyId);
        carriedNow++;
      } catch (e) {
        // One agency's failure (storage stumbling) leaves it for the next pass; the others go on.
        failed++;
        if (failed === todo.length) throw e;
      }
    });
    return { cycle, from: previous?.name ?? cycle.carriedFrom, agencies: covered.length, done: covered.filter((a) => done.has(a.agencyId)).length, answers, failed, carriedNow };
  }

  /** One agency: its previous answers into its new return, in one transaction. Returns how many were carried. */
  private async carryOne(cycle: Cycle, previousName: string, agency: Agency, index: TemplateIndex, prevIndex: TemplateIndex | undefined, exists: boolean): Promise<number> {
    const from = cycle.carriedFrom!;
    const prev = await this.d.returns.load(returnPartition(from, agency.agencyId));
    // Only indicators the new template still has; a rewritten indicator keeps its id only if it still asks the same thing.
    const carried = prev && prevIndex ? [...prev.answers.values()].filter((a) => index.get(a.indicatorId) && !isBlank(answerOf(a))).map((a) => ({ indicatorId: a.indicatorId, ...answerColumns(a) })) : [];
    const now = this.d.now().toISOString();
    const by = carriedBy(previousName);
    if (!exists) {
      const header: ReturnHeader = { ...newReturnHeader(cycle, agency, now), carriedFrom: from, carriedCount: carried.length };
      const access = await this.d.access.accessRowsFor(agency.agencyId);
      if (await this.d.carry.createCarried(header, index.ordered.map((r) => r.indicator.id), carried, access, by, now)) return carried.length;
    }
    // The return was created meanwhile (a lead opened it first): fill only what nobody has touched.
    for (let attempt = 0; attempt < 4; attempt++) {
      const pk = returnPartition(cycle.cycleId, agency.agencyId);
      const loaded = await this.d.returns.load(pk);
      if (!loaded) throw new Error("the return disappeared while carrying forward");
      if (loaded.header.carriedFrom === from) return 0;
      const fill = carried.flatMap((a) => {
        const row = loaded.answers.get(a.indicatorId);
        return row && !row.updatedAt && isBlank(answerOf(row)) ? [{ ...a, etag: row.etag }] : [];
      });
      try {
        await this.d.carry.fillExisting(pk, { etag: loaded.headerEtag, patch: { carriedFrom: from, carriedCount: fill.length } }, fill, from, by, now);
        return fill.length;
      } catch (e) {
        if (!isBatchConflict(e) && !isPreconditionFailed(e)) throw e;
      }
    }
    throw Object.assign(new Error("the return kept changing while carrying forward"), { statusCode: 503 });
  }

  /** What the admin sees: how far it got, and a button to look again (which also carries on). */
  progressView(p: CarryProgress, extra: { closedPrevious?: string } = {}): MessageView {
    const finished = p.done >= p.agencies;
    return {
      title: finished ? md`${p.cycle.name} is open, carried forward from ${p.from}` : md`${p.cycle.name} is open: carrying forward from ${p.from}`,
      text: finished
        ? md`Every agency's return starts from its answers of ${p.from}, each marked "carried forward, please confirm" until its lead confirms or changes it. A return cannot be sent for sign-off while any carried answer is unconfirmed.${extra.closedPrevious ? ` ${extra.closedPrevious} is closed: its returns are read only.` : ""}`
        : md`Carried into ${p.done} of ${plural(p.agencies, "agency's return", "agencies' returns")} so far. It carries on by itself; press the button to see how far it has got (pressing again never carries anything twice).${extra.closedPrevious ? ` ${extra.closedPrevious} is closed: its returns are read only.` : ""}`,
      color: finished ? "good" : "warning",
      facts: [
        { title: text("Agencies done"), value: text(`${p.done} of ${p.agencies}`) },
        { title: text("Answers carried forward"), value: text(p.answers.toLocaleString("en-GB")) },
        { title: text("Deadline"), value: text(formatDate(p.cycle.deadline)) },
      ],
      actions: finished
        ? [act("Where every agency stands", ADMIN_VERBS.status, { cycleId: p.cycle.cycleId }, "positive"), act("Deadline and reminders", DEADLINE_VERBS.form, { cycleId: p.cycle.cycleId }), act("Admin menu", ADMIN_VERBS.menu)]
        : [act("Show progress and carry on", CYCLE_VERBS.carryProgress, { cycleId: p.cycle.cycleId }, "positive"), act("Admin menu", ADMIN_VERBS.menu)],
    };
  }
}
