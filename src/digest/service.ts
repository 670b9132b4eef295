import { randomBytes } from "node:crypto";
import { z } from "zod/v4";
import { md, text, type Shown } from "../cards/text";
import type { ChoiceView, NoticeView } from "../cards/views";
import { UserFacingError } from "../errors";
import type { Logger } from "../log";
import type { AccessService } from "../people/accessService";
import { actorKey, type Actor } from "../people/actor";
import type { RouteContext } from "../routes";
import type { Delivery } from "../delivery/createDelivery";
import type { JobContext, JobResult } from "../schedule/scheduler";
import type { AgenciesRepo } from "../storage/agenciesRepo";
import type { CyclesRepo } from "../storage/cyclesRepo";
import { SECTIONS, type DigestsRepo, type Registration } from "../storage/digestsRepo";
import { returnPartition, type ReturnsRepo, type Snapshot } from "../storage/returnsRepo";
import { mapPool } from "../admin/pool";
import type { ReportingService } from "../reporting/summaries";
import { SECTOR_GROUPS, type SectorGroup } from "../reporting/rules";
import { NO_TRAINING, type TrainingFiguresProvider } from "../reporting/training";
import type { DigestInput } from "../reporting/types";
import { formatWhen, ukDate } from "../time";
import { composeDigest, parseRecord, recordSummaryOf, type DigestRecord } from "./composer";
import { agencyChoices, agencyDetail, sectorDetail, standardDetail } from "./drill";
import { csvOf, exportTables, xlsxOf } from "./exportFiles";
import { CHOICES, digestCard } from "./present";
import { describeSchedule, nextSlot, periodOfSlot, WEEKDAY_NAMES } from "./schedule";
import { DIGEST_JOB, DIGEST_MESSAGES, DIGEST_VERBS, digestBatchId, digestJobId } from "./verbs";
import type { DigestChannelsView, DigestDetailView, DigestSettingsView, DigestView } from "./views";

export interface DigestDeps {
  digests: DigestsRepo;
  reporting: ReportingService;
  agencies: AgenciesRepo;
  cycles: CyclesRepo;
  returns: ReturnsRepo;
  access: AccessService;
  delivery: Delivery;
  now: () => Date;
  log: Logger;
}

const bounded = (max: number) => z.unknown().transform((v) => (typeof v === "string" ? v.slice(0, max) : typeof v === "number" ? String(v) : ""));
/** A registered channel named in card data (admin cards in personal chat): only a pointer, looked up and re-checked. */
export const channelRef = z.object({ teamId: bounded(512), channelId: bounded(512) });
export const settingsInput = channelRef.extend({
  partnerships: bounded(2000),
  frequency: bounded(10),
  weekday: bounded(2),
  monthDay: bounded(3),
  time: bounded(5),
  sections: bounded(200),
});
export const drillInput = channelRef.extend({ standard: bounded(3), sector: bounded(30), agency: bounded(100), agencyId: bounded(120) });
export const exportFileInput = z.object({ grant: z.string().regex(/^[A-Za-z0-9_-]{16,40}$/).catch(""), format: z.enum(["xlsx", "figures", "returns", "actions"]).catch("xlsx"), teamId: bounded(512), channelId: bounded(512) });

const DENIED_ADMIN = "Only the partnership's admins can register a channel for digests or change its settings.";
const NOT_MEMBER = "Only members of this channel can look closer at its digest.";
const EXPORT_HOURS = 24;
/** The scheduler gives up after 5 runs; the 4th failed run tells the admin and schedules the next slot. */
const JOB_ATTEMPTS_BEFORE_NOTICE = 4;

interface Target {
  reg: Registration;
  etag: string;
  /** Personal chat: the card names the channel (admins only); in the channel the place does. */
  data: Record<string, string>;
}

/**
 * Channel digests: registration by an admin in the channel, the schedule, what is posted, and the
 * drill-downs a channel member can ask for. Aggregates only in anything posted to a channel; a
 * drill-down is answered to the person who pressed, after checking they are in the channel.
 */
export class DigestService {
  private training: TrainingFiguresProvider = NO_TRAINING;

  constructor(private readonly d: DigestDeps) {}

  /** Connects the training feature's figures (the default says "no training recorded yet"). */
  useTraining(provider: TrainingFiguresProvider): void {
    this.training = provider;
  }

  private composerDeps() {
    return { reporting: this.d.reporting, agencies: this.d.agencies, digests: this.d.digests, training: () => this.training, now: this.d.now };
  }

  private async requireAdmin(actor: Actor): Promise<void> {
    if (!(await this.d.access.isAdmin(actor))) throw new UserFacingError(DENIED_ADMIN, "denied");
  }

  /** The channel a request is about: the one it was made in, or (admins, personal chat) the one the card names. */
  private async target(ctx: RouteContext, data: { teamId?: string; channelId?: string }, opts: { member?: boolean; admin?: boolean } = {}): Promise<Target> {
    if (ctx.place.scope === "channel") {
      const { teamId, channelId } = ctx.place;
      if (!teamId || !channelId) throw new UserFacingError("Teams did not say which channel this is. Try again from the channel.", "invalid");
      if (opts.admin) await this.requireAdmin(ctx.actor);
      if (opts.member) await this.requireMember(ctx);
      const found = await this.d.digests.getRegistration(teamId, channelId);
      if (!found) throw new UserFacingError("This channel is not registered for digests. A partnership admin can register it: type digest settings here.", "not_found");
      await this.refreshAddress(ctx, found.reg);
      return { ...found, data: {} };
    }
    if (ctx.place.scope !== "personal") throw new UserFacingError("Digests work in a channel, or for admins in personal chat.", "invalid");
    await this.requireAdmin(ctx.actor);
    const found = data.teamId && data.channelId ? await this.d.digests.getRegistration(data.teamId, data.channelId) : undefined;
    if (!found) throw new UserFacingError("That channel is no longer registered for digests.", "not_found");
    return { ...found, data: { teamId: found.reg.teamId, channelId: found.reg.channelId } };
  }

  private async requireMember(ctx: RouteContext): Promise<void> {
    const members = ctx.channelMembers ? await ctx.channelMembers() : new Set<string>();
    if (!members.has(actorKey(ctx.actor))) throw new UserFacingError(NOT_MEMBER, "denied");
  }

  /** The channel's Bot Connector URL can change: keep the stored reference current from its own traffic. */
  private async refreshAddress(ctx: RouteContext, reg: Pick<Registration, "teamId" | "channelId">): Promise<void> {
    const a = ctx.channelAddress;
    if (!a) return;
    const stored = await this.d.delivery.conversations.channel(reg);
    if (stored && stored.serviceUrl === a.serviceUrl && stored.botId === a.botId) return;
    await this.d.delivery.conversations.saveChannel(reg, { serviceUrl: a.serviceUrl, conversationId: reg.channelId, teamId: reg.teamId, tenantId: a.tenantId, botId: a.botId });
  }

  // ------------------------------------------------------------------------------------------
  // Registration

  private async partnershipChoices(): Promise<ChoiceView[]> {
    const names = new Map<string, string>();
    for (const c of await this.d.cycles.list()) for (const p of c.partnerships) names.set(p.toLowerCase(), p);
    for (const a of await this.d.agencies.list()) for (const p of a.partnerships) if (!names.has(p.toLowerCase())) names.set(p.toLowerCase(), p);
    return [...names.values()].sort().map((p) => ({ title: p, value: p }));
  }

  async settingsForm(ctx: RouteContext, data: { teamId?: string; channelId?: string } = {}, notice?: NoticeView): Promise<DigestSettingsView> {
    await this.requireAdmin(ctx.actor);
    let existing: Target | undefined;
    if (ctx.place.scope === "channel") {
      const { teamId, channelId } = ctx.place;
      if (!teamId || !channelId) throw new UserFacingError("Teams did not say which channel this is.", "invalid");
      const found = await this.d.digests.getRegistration(teamId, channelId);
      existing = found ? { ...found, data: {} } : undefined;
    } else existing = await this.target(ctx, data, { admin: true });
    const partnershipChoices = await this.partnershipChoices();
    const r = existing?.reg;
    const d = existing?.data ?? {};
    return {
      title: r ? md`Digest settings for this channel` : md`Register this channel for Section 11 digests`,
      intro: r
        ? text(`Digests go out ${describeSchedule(r)} (UK time)${r.paused ? ", paused now" : ""}. Registered by ${r.registeredByName || "an admin"}.`)
        : md`The digest shows agencies' figures only, never evidence or people's names. Choose which partnerships, how often and which sections.`,
      notice,
      partnershipChoices,
      partnerships: (r?.partnerships ?? partnershipChoices.map((c) => c.value)).join(","),
      frequencyChoices: [
        { title: "Weekly", value: "weekly" },
        { title: "Monthly", value: "monthly" },
      ],
      frequency: r?.frequency ?? "weekly",
      weekdayChoices: WEEKDAY_NAMES.slice(1).map((w, i) => ({ title: w, value: String(i + 1) })),
      weekday: String(r?.weekday ?? 1),
      monthDay: String(r?.monthDay ?? 1),
      time: r?.time ?? "09:00",
      sectionChoices: CHOICES.sections,
      sections: (r?.sections ?? [...SECTIONS]).join(","),
      actions: [
        { title: r ? "Save changes" : "Register this channel", verb: DIGEST_VERBS.save, data: d, style: "positive" },
        ...(r ? [{ title: r.paused ? "Resume digests" : "Pause digests", verb: r.paused ? DIGEST_VERBS.resume : DIGEST_VERBS.pause, data: d, inputs: "none" as const }, { title: "Stop digests here", verb: DIGEST_VERBS.remove, data: d, style: "destructive" as const, inputs: "none" as const }] : []),
      ],
    };
  }

  async save(ctx: RouteContext, i: z.infer<typeof settingsInput>): Promise<DigestSettingsView> {
    await this.requireAdmin(ctx.actor);
    const known = new Map((await this.partnershipChoices()).map((c) => [c.value.toLowerCase(), c.value]));
    const partnerships = [...new Set(i.partnerships.split(",").map((p) => known.get(p.trim().toLowerCase())).filter((p): p is string => !!p))];
    const sections = SECTIONS.filter((s) => i.sections.split(",").map((x) => x.trim()).includes(s));
    const weekday = Number(i.weekday);
    const monthDay = Number(i.monthDay);
    const problems: string[] = [];
    if (!partnerships.length) problems.push("choose at least one partnership");
    if (!sections.length) problems.push("choose at least one section");
    if (i.frequency !== "weekly" && i.frequency !== "monthly") problems.push("choose weekly or monthly");
    if (i.frequency === "weekly" && !(weekday >= 1 && weekday <= 7)) problems.push("choose a day of the week");
    if (i.frequency === "monthly" && !(Number.isInteger(monthDay) && monthDay >= 1 && monthDay <= 28)) problems.push("the day of the month must be 1 to 28");
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(i.time)) problems.push("give a time like 09:00");
    if (problems.length) return this.settingsForm(ctx, i, { text: text(`Not saved: ${problems.join("; ")}.`), color: "attention" });

    let teamId: string;
    let channelId: string;
    let existing: { reg: Registration; etag: string } | undefined;
    if (ctx.place.scope === "channel") {
      if (!ctx.place.teamId || !ctx.place.channelId || !ctx.channelAddress) throw new UserFacingError("Teams did not say which channel this is.", "invalid");
      ({ teamId, channelId } = ctx.place as { teamId: string; channelId: string });
      existing = await this.d.digests.getRegistration(teamId, channelId);
    } else {
      existing = await this.target(ctx, i, { admin: true });
      ({ teamId, channelId } = existing.reg);
    }
    const now = this.d.now().toISOString();
    const reg: Registration = {
      teamId,
      channelId,
      tenantId: existing?.reg.tenantId ?? ctx.channelAddress!.tenantId,
      channelName: existing?.reg.channelName ?? "",
      partnerships,
      frequency: i.frequency as "weekly" | "monthly",
      weekday: i.frequency === "weekly" ? weekday : (existing?.reg.weekday ?? 1),
      monthDay: i.frequency === "monthly" ? monthDay : (existing?.reg.monthDay ?? 1),
      time: i.time,
      sections: [...sections],
      paused: existing?.reg.paused ?? false,
      registeredBy: existing?.reg.registeredBy ?? ctx.actor.principal,
      registeredByName: existing?.reg.registeredByName ?? ctx.actor.name,
      createdAt: existing?.reg.createdAt ?? now,
      updatedAt: now,
    };
    if (!(await this.d.digests.putRegistration(reg, existing?.etag))) return this.settingsForm(ctx, i, { text: md`Someone changed these settings at the same time: here they are now. Save again if you still want your change.`, color: "warning" });
    if (ctx.place.scope === "channel") await this.refreshAddress(ctx, reg);
    const next = await this.reschedule(reg);
    return this.settingsForm(ctx, i, { text: text(`${existing ? "Saved" : "Registered"}: digests go out ${describeSchedule(reg)} (UK time)${next ? `; the next one on ${formatWhen(next.toISOString())}` : ""}${reg.paused ? ". Digests are paused." : "."}`), color: "good" });
  }

  /** The channel's job, due at its next slot (idempotent; a paused channel has none). */
  private async reschedule(reg: Registration): Promise<Date | undefined> {
    const id = digestJobId(reg.teamId, reg.channelId);
    if (reg.paused) {
      await this.d.delivery.scheduler.cancel(id);
      return undefined;
    }
    const slot = nextSlot(reg, this.d.now());
    await this.d.delivery.scheduler.schedule(id, DIGEST_JOB, slot, { teamId: reg.teamId, channelId: reg.channelId, slot: slot.toISOString() });
    return slot;
  }

  async setPaused(ctx: RouteContext, data: { teamId?: string; channelId?: string }, paused: boolean): Promise<{ place: "channel" | "personal"; notice: NoticeView }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const t = await this.target(ctx, data, { admin: true });
      const reg = { ...t.reg, paused, updatedAt: this.d.now().toISOString() };
      if (!(await this.d.digests.putRegistration(reg, t.etag))) continue;
      const next = await this.reschedule(reg);
      return { place: ctx.place.scope === "channel" ? "channel" : "personal", notice: { text: text(paused ? "Digests paused for this channel." : `Digests resumed${next ? `: the next one on ${formatWhen(next.toISOString())}` : ""}.`), color: "good" } };
    }
    throw new UserFacingError("The settings kept changing while we saved: try again.", "conflict");
  }

  async remove(ctx: RouteContext, data: { teamId?: string; channelId?: string }): Promise<NoticeView> {
    const t = await this.target(ctx, data, { admin: true });
    if (!(await this.d.digests.deleteRegistration(t.reg.teamId, t.reg.channelId, t.etag))) throw new UserFacingError("The settings changed while we removed them: try again.", "conflict");
    await this.d.delivery.scheduler.cancel(digestJobId(t.reg.teamId, t.reg.channelId));
    await this.d.delivery.conversations.forgetChannel(t.reg);
    return { text: text("Digests stopped for that channel; its registration is removed."), color: "good" };
  }

  async channels(actor: Actor, notice?: NoticeView): Promise<DigestChannelsView> {
    await this.requireAdmin(actor);
    const regs = await this.d.digests.listRegistrations();
    const jobs = await Promise.all(regs.map((r) => this.d.delivery.scheduler.get(digestJobId(r.teamId, r.channelId))));
    return {
      notice,
      intro: regs.length ? text(`${regs.length} channel${regs.length === 1 ? "" : "s"} registered. To register another, type "digest settings" in that channel (the app must be added to it).`) : md`No channel is registered yet. Add the app to the Executive's team (and to a private channel, separately), then type **digest settings** in the channel.`,
      channels: regs.map((r, i) => {
        const data = { teamId: r.teamId, channelId: r.channelId };
        const job = jobs[i];
        return {
          name: text(r.channelName || `Channel registered ${formatWhen(r.createdAt)}`),
          detail: text(`${r.partnerships.join(", ")} · ${describeSchedule(r)} (UK) · sections: ${r.sections.join(", ")} · registered by ${r.registeredByName || "an admin"}`),
          status: text(r.paused ? "Paused" : job ? `Next digest ${formatWhen(job.dueAt)}${job.state === "failed" ? " (the last run failed)" : ""}` : "Not scheduled"),
          color: r.paused ? ("warning" as const) : job?.state === "failed" ? ("attention" as const) : ("good" as const),
          actions: [
            { title: "Post one now", verb: DIGEST_VERBS.postNow, data },
            { title: "Preview", verb: DIGEST_VERBS.view, data },
            { title: "Settings", verb: DIGEST_VERBS.settings, data },
            r.paused ? { title: "Resume", verb: DIGEST_VERBS.resume, data } : { title: "Pause", verb: DIGEST_VERBS.pause, data },
            { title: "Remove", verb: DIGEST_VERBS.remove, data, style: "destructive" as const },
          ],
        };
      }),
      actions: [],
    };
  }

  // ------------------------------------------------------------------------------------------
  // Digests

  private nowPeriod(): string {
    const when = this.d.now();
    const hm = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(when);
    return `${ukDate(when)}T${hm}`;
  }

  /** Composes and stores the digest of a period, or returns the one already stored for it. */
  private async record(reg: Registration, period: string): Promise<DigestRecord> {
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
      if (await this.d.access.isAdmin(ctx.actor)) return { settings: await this.settingsForm(ctx) };
      return { message: md`This channel is not registered for Section 11 digests. A partnership admin can register it by typing **digest settings** here.` };
    }
    await this.refreshAddress(ctx, found.reg);
    const r = await this.record(found.reg, this.nowPeriod());
    return { digest: this.view(r, found.reg, {}) };
  }

  /** Admin, personal chat: post a digest to a registered channel now, through the outbox. */
  async postNow(ctx: RouteContext, data: { teamId?: string; channelId?: string }): Promise<NoticeView> {
    const t = await this.target(ctx, data, { admin: true });
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
    const t = await this.target(ctx, data, { member: true });
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

  // ------------------------------------------------------------------------------------------
  // Drill-down

  private async currentInput(reg: Registration): Promise<DigestInput> {
    const [cycle] = await this.d.reporting.cyclesFor(reg.partnerships);
    if (!cycle) throw new UserFacingError("No Section 11 cycle covers this channel's partnerships yet.", "not_found");
    return this.d.reporting.input(cycle, reg.partnerships);
  }

  async drill(ctx: RouteContext, kind: "standard" | "sector" | "agency", i: z.infer<typeof drillInput>): Promise<DigestDetailView> {
    const t = await this.target(ctx, i, { member: true });
    const input = await this.currentInput(t.reg);
    if (kind === "standard") {
      const index = Number.parseInt(i.standard, 10);
      if (!(index >= 0 && index < input.standards.length)) throw new UserFacingError("Choose a standard from the list first.", "invalid");
      return standardDetail(input, index, t.data);
    }
    if (kind === "sector") {
      if (!(SECTOR_GROUPS as readonly string[]).includes(i.sector)) throw new UserFacingError("Choose a sector from the list first.", "invalid");
      return sectorDetail(input, i.sector as SectorGroup, t.data);
    }
    if (i.agencyId) {
      // A pointer from a card: only agencies of this digest's partnerships are found.
      const a = input.agencies.find((x) => x.agencyId === i.agencyId);
      if (!a) throw new UserFacingError("That agency is not part of this digest.", "not_found");
      return agencyDetail(input, a, t.data);
    }
    if (!i.agency.trim()) throw new UserFacingError("Type part of the agency's name first.", "invalid");
    const matches = input.agencies.filter((a) => a.agencyName.toLowerCase().includes(i.agency.trim().toLowerCase()));
    return matches.length === 1 ? agencyDetail(input, matches[0], t.data) : agencyChoices(input, i.agency, t.data);
  }

  // ------------------------------------------------------------------------------------------
  // Export

  /** A channel member asked for the export: remember that they may have it, for 24 hours, and tell their 1:1 chat. */
  async requestExport(ctx: RouteContext, data: { teamId?: string; channelId?: string }): Promise<{ grant?: string; reg: Registration; data: Record<string, string> }> {
    const t = await this.target(ctx, data, { member: true });
    if (ctx.place.scope !== "channel") return { reg: t.reg, data: t.data };
    const grant = randomBytes(18).toString("base64url");
    await this.d.digests.putExportGrant(ctx.actor.principal, grant, { teamId: t.reg.teamId, channelId: t.reg.channelId, expiresAt: new Date(this.d.now().getTime() + EXPORT_HOURS * 3_600_000).toISOString() });
    return { grant, reg: t.reg, data: t.data };
  }

  /** The file itself, in personal chat: for the holder of a grant (the key is theirs), or an admin naming the channel. */
  async exportFile(actor: Actor, i: z.infer<typeof exportFileInput>): Promise<{ name: string; description: string; contentType: string; content: string; bytes?: Buffer }> {
    let reg: Registration | undefined;
    if (i.grant) {
      const g = await this.d.digests.getExportGrant(actor.principal, i.grant);
      if (!g || g.expiresAt < this.d.now().toISOString()) throw new UserFacingError("That export has expired: press Export on the digest in the channel again.", "denied");
      reg = (await this.d.digests.getRegistration(g.teamId, g.channelId))?.reg;
    } else {
      await this.requireAdmin(actor);
      reg = i.teamId && i.channelId ? (await this.d.digests.getRegistration(i.teamId, i.channelId))?.reg : undefined;
    }
    if (!reg) throw new UserFacingError("That channel is no longer registered for digests.", "not_found");
    const input = await this.currentInput(reg);
    const latest = new Map<string, Snapshot>();
    const submitted = input.agencies.filter((a) => a.latest);
    await mapPool(submitted, 8, async (a) => {
      const [snap] = (await this.d.returns.snapshots(returnPartition(input.cycle.cycleId, a.agencyId))).slice(-1);
      if (snap) latest.set(a.agencyId, snap);
    });
    const tables = exportTables(input, reg.partnerships, latest);
    const stem = `section11-${reg.partnerships.join("-").replace(/[^A-Za-z0-9-]+/g, "").slice(0, 40) || "digest"}-${input.today}`;
    switch (i.format) {
      case "xlsx":
        return { name: `${stem}.xlsx`, description: "Section 11 figures, returns and actions", contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", content: "", bytes: await xlsxOf(tables) };
      case "figures":
        return { name: `${stem}-figures.csv`, description: "Section 11 figures", contentType: "text/csv", content: csvOf(tables.figures) };
      case "returns":
        return { name: `${stem}-returns.csv`, description: "Section 11 returns: ratings per standard", contentType: "text/csv", content: csvOf(tables.returns) };
      case "actions":
        return { name: `${stem}-actions.csv`, description: "Section 11 actions and due dates", contentType: "text/csv", content: csvOf(tables.actions) };
    }
  }
}

export const exportFormats = [
  { title: "Excel workbook (everything)", format: "xlsx" },
  { title: "Figures (CSV)", format: "figures" },
  { title: "Returns (CSV)", format: "returns" },
  { title: "Actions (CSV)", format: "actions" },
] as const;
