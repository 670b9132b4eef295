import { z } from "zod/v4";
import { md, text, type Shown } from "../cards/text";
import type { NoticeView } from "../cards/views";
import { UserFacingError } from "../errors";
import type { RouteContext } from "../routes";
import type { JobContext, JobResult } from "../schedule/scheduler";
import type { Registration } from "../storage/digestsRepo";
import type { TrainingFiguresProvider } from "../reporting/training";
import { ukDate } from "../time";
import type { ChannelAccess, DigestDeps } from "./channelAccess";
import { composeDigest, parseRecord, recordSummaryOf, type DigestRecord } from "./composer";
import { digestCard } from "./present";
import type { Registrations } from "./registrations";
import { nextSlot, periodOfSlot } from "./schedule";
import { DIGEST_JOB, DIGEST_MESSAGES, digestBatchId } from "./verbs";
import type { DigestSettingsView, DigestView } from "./views";

/** The scheduler gives up after 5 runs; the 4th failed run tells the admin and schedules the next slot. */
const JOB_ATTEMPTS_BEFORE_NOTICE = 4;

/**
 * What is posted: a digest composed once per channel and period and stored, enqueued in the
 * outbox once, drawn from the stored record when it is sent; on schedule, on request in the
 * channel, or by an admin from personal chat.
 */
export class Posting {
  constructor(
    private readonly d: DigestDeps,
    private readonly access: ChannelAccess,
    private readonly registrations: Registrations,
    private readonly training: () => TrainingFiguresProvider,
  ) {}

  private composerDeps() {
    return { reporting: this.d.reporting, agencies: this.d.agencies, digests: this.d.digests, training: this.training, now: this.d.now };
  }

  private nowPeriod(): string {
    const when = this.d.now();
    const hm = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(when);
    return `${ukDate(when)}T${hm}`;
  }

  /** Composes and stores the digest of a period, or returns the one already stored for it. */
  async record(reg: Registration, period: string): Promise<DigestRecord> {
    const existing = parseRecord(await this.d.digests.getRecord(reg.teamId, reg.channelId, period));
    if (existing) return existing;
    const r = await composeDigest(this.composerDeps(), reg, period);
    const stored = await this.d.digests.createRecord(reg.teamId, reg.channelId, period, recordSummaryOf(r), JSON.stringify(r));
    return parseRecord(stored.body) ?? r;
  }

  private view(r: DigestRecord, reg: Registration, data: Record<string, string>, interactive = true): DigestView {
    return digestCard(r, { sections: reg.sections, interactive, actionData: data });
  }

  /** `digest` typed in a channel: a digest now, as the answer (stored, so the next one can compare); the settings form for an admin of an unregistered channel. */
  async digestHere(ctx: RouteContext): Promise<{ digest: DigestView } | { settings: DigestSettingsView } | { message: Shown }> {
    const { teamId, channelId } = ctx.place;
    if (!teamId || !channelId) throw new UserFacingError("Teams did not say which channel this is.", "invalid");
    const found = await this.d.digests.getRegistration(teamId, channelId);
    if (!found) {
      if (await this.d.access.isAdmin(ctx.actor)) return { settings: await this.registrations.settingsForm(ctx) };
      return { message: md`This channel is not registered for Section 11 digests. A partnership admin can register it by typing **digest settings** here.` };
    }
    await this.access.refreshAddress(ctx, found.reg);
    const { reg } = await this.access.refreshNames(ctx, found);
    const r = await this.record(reg, this.nowPeriod());
    return { digest: this.view(r, reg, {}) };
  }

  /** Admin, personal chat: post a digest to a registered channel now, through the outbox. */
  async postNow(ctx: RouteContext, data: { teamId?: string; channelId?: string }): Promise<NoticeView> {
    const t = await this.access.target(ctx, data, { admin: true });
    const period = this.nowPeriod();
    await this.record(t.reg, period);
    await this.enqueue(t.reg, period);
    const status = await this.d.delivery.dispatcher.dispatchNow(digestBatchId(t.reg.teamId, t.reg.channelId, period), { budgetMs: 2_500 });
    const row = status.rows[0];
    return row?.state === "sent" ? { text: text("Posted to the channel."), color: "good" } : row && (row.state === "failed" || row.state === "unreachable") ? { text: text("Teams did not accept the digest for that channel: is the app still in it?"), color: "attention" } : { text: text("On its way: Teams is slow to answer; you will be told here if it cannot be delivered."), color: "default" };
  }

  private enqueue(reg: Registration, period: string) {
    return this.d.delivery.outbox.enqueue(digestBatchId(reg.teamId, reg.channelId, period), [
      { recipient: { kind: "channel", key: { teamId: reg.teamId, channelId: reg.channelId } }, kind: DIGEST_MESSAGES.post, params: { teamId: reg.teamId, channelId: reg.channelId, period }, tellOnFailure: reg.registeredBy },
    ]);
  }

  /** The `digest.view` verb: the digest as it is now (not stored), e.g. "Back to the digest" after a drill-down. */
  async preview(ctx: RouteContext, data: { teamId?: string; channelId?: string }): Promise<DigestView> {
    const t = await this.access.target(ctx, data, { member: true });
    const r = await composeDigest(this.composerDeps(), t.reg, this.nowPeriod());
    return this.view(r, t.reg, t.data);
  }

  /** Scheduled job, one per channel: compose the period's digest once, enqueue it once, move to the next slot. */
  readonly runJob = async (ctx: JobContext): Promise<JobResult> => {
    const p = z.object({ teamId: z.string(), channelId: z.string(), slot: z.string() }).parse(ctx.payload);
    const found = await this.d.digests.getRegistration(p.teamId, p.channelId);
    if (!found || found.reg.paused) return;
    const slot = new Date(p.slot);
    const period = periodOfSlot(slot);
    try {
      await this.record(found.reg, period);
      await this.enqueue(found.reg, period);
    } catch (e) {
      // The scheduler retries with back-off; on the last tries, tell the admin and move on to the next slot rather than stop.
      if (ctx.attempts < JOB_ATTEMPTS_BEFORE_NOTICE) throw e;
      this.d.log.warn({ job: ctx.id, attempts: ctx.attempts }, "digest could not be composed: admin told, next slot scheduled");
      await this.d.delivery.outbox.enqueue(`digest.failed|${found.reg.teamId}|${found.reg.channelId}|${period}`, [{ recipient: { kind: "person", ...found.reg.registeredBy }, kind: DIGEST_MESSAGES.failed, params: { period } }]);
    }
    // The next slot after this one (not after now), so a late run never skips a period's successor.
    let next = nextSlot(found.reg, slot);
    if (next.getTime() <= ctx.now.getTime()) next = nextSlot(found.reg, ctx.now);
    await this.d.delivery.scheduler.schedule(ctx.id, DIGEST_JOB, next, { teamId: p.teamId, channelId: p.channelId, slot: next.toISOString() });
  };

  /** The outbox's builder for a channel's digest: the stored record of its period, drawn as it was composed. */
  async postedCard(to: { teamId: string; channelId: string }, period: string): Promise<DigestView | { skip: string }> {
    const found = await this.d.digests.getRegistration(to.teamId, to.channelId);
    if (!found) return { skip: "channel no longer registered" };
    const r = parseRecord(await this.d.digests.getRecord(to.teamId, to.channelId, period));
    if (!r) return { skip: "no digest stored for the period" };
    return this.view(r, found.reg, {});
  }
}
