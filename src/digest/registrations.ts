import type { z } from "zod/v4";
import { md, text } from "../cards/text";
import type { ChoiceView, NoticeView } from "../cards/views";
import { UserFacingError } from "../errors";
import type { Actor } from "../people/actor";
import type { RouteContext } from "../routes";
import { SECTIONS, type Registration } from "../storage/digestsRepo";
import { formatWhen } from "../time";
import type { ChannelAccess, DigestDeps, Target } from "./channelAccess";
import type { settingsInput } from "./inputs";
import { channelLabel, namesFromTurn } from "./channelNames";
import { CHOICES } from "./present";
import { describeSchedule, nextSlot, WEEKDAY_NAMES } from "./schedule";
import { DIGEST_JOB, DIGEST_VERBS, digestJobId } from "./verbs";
import type { DigestChannelsView, DigestSettingsView } from "./views";

/** Registering a channel for digests (admins): its partnerships, schedule and sections; pause, resume, remove; every channel from personal chat. */
export class Registrations {
  constructor(
    private readonly d: DigestDeps,
    private readonly access: ChannelAccess,
  ) {}

  private async partnershipChoices(): Promise<ChoiceView[]> {
    const names = new Map<string, string>();
    for (const c of await this.d.cycles.list()) for (const p of c.partnerships) names.set(p.toLowerCase(), p);
    for (const a of await this.d.agencies.list()) for (const p of a.partnerships) if (!names.has(p.toLowerCase())) names.set(p.toLowerCase(), p);
    return [...names.values()].sort().map((p) => ({ title: p, value: p }));
  }

  async settingsForm(ctx: RouteContext, data: { teamId?: string; channelId?: string } = {}, notice?: NoticeView): Promise<DigestSettingsView> {
    await this.access.requireAdmin(ctx.actor);
    let existing: Target | undefined;
    if (ctx.place.scope === "channel") {
      const { teamId, channelId } = ctx.place;
      if (!teamId || !channelId) throw new UserFacingError("Teams did not say which channel this is.", "invalid");
      const found = await this.d.digests.getRegistration(teamId, channelId);
      existing = found ? { ...found, data: {} } : undefined;
    } else existing = await this.access.target(ctx, data, { admin: true });
    const partnershipChoices = await this.partnershipChoices();
    const r = existing?.reg;
    const d = existing?.data ?? {};
    const label = r && channelLabel(r, ctx.actor.principal.tenantId);
    return {
      title: r ? (label ? md`Digest settings for ${label}` : md`Digest settings for this channel`) : md`Register this channel for Section 11 digests`,
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
    await this.access.requireAdmin(ctx.actor);
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
      existing = await this.access.target(ctx, i, { admin: true });
      ({ teamId, channelId } = existing.reg);
    }
    const now = this.d.now().toISOString();
    const tenantId = existing?.reg.tenantId ?? ctx.channelAddress!.tenantId;
    const reg: Registration = {
      teamId,
      channelId,
      tenantId,
      ...namesFromTurn(ctx, { tenantId, teamName: existing?.reg.teamName ?? "", channelName: existing?.reg.channelName ?? "" }),
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
    if (ctx.place.scope === "channel") await this.access.refreshAddress(ctx, reg);
    const next = await this.reschedule(reg);
    return this.settingsForm(ctx, i, { text: text(`${existing ? "Saved" : "Registered"}: digests go out ${describeSchedule(reg)} (UK time)${next ? `; the next one on ${formatWhen(next.toISOString())}` : ""}${reg.paused ? ". Digests are paused." : "."}`), color: "good" });
  }

  /** The channel's job, due at its next slot (idempotent; a paused channel has none). */
  async reschedule(reg: Registration): Promise<Date | undefined> {
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
      const t = await this.access.target(ctx, data, { admin: true });
      const reg = { ...t.reg, paused, updatedAt: this.d.now().toISOString() };
      if (!(await this.d.digests.putRegistration(reg, t.etag))) continue;
      const next = await this.reschedule(reg);
      return { place: ctx.place.scope === "channel" ? "channel" : "personal", notice: { text: text(paused ? "Digests paused for this channel." : `Digests resumed${next ? `: the next one on ${formatWhen(next.toISOString())}` : ""}.`), color: "good" } };
    }
    throw new UserFacingError("The settings kept changing while we saved: try again.", "conflict");
  }

  async remove(ctx: RouteContext, data: { teamId?: string; channelId?: string }): Promise<NoticeView> {
    const t = await this.access.target(ctx, data, { admin: true });
    if (!(await this.d.digests.deleteRegistration(t.reg.teamId, t.reg.channelId, t.etag))) throw new UserFacingError("The settings changed while we removed them: try again.", "conflict");
    await this.d.delivery.scheduler.cancel(digestJobId(t.reg.teamId, t.reg.channelId));
    await this.d.delivery.conversations.forgetChannel(t.reg);
    return { text: text("Digests stopped for that channel; its registration is removed."), color: "good" };
  }

  async channels(actor: Actor, notice?: NoticeView): Promise<DigestChannelsView> {
    await this.access.requireAdmin(actor);
    const regs = await this.d.digests.listRegistrations();
    const jobs = await Promise.all(regs.map((r) => this.d.delivery.scheduler.get(digestJobId(r.teamId, r.channelId))));
    return {
      notice,
      intro: regs.length ? text(`${regs.length} channel${regs.length === 1 ? "" : "s"} registered. To register another, type "digest settings" in that channel (the app must be added to it).`) : md`No channel is registered yet. Add the app to the Executive's team (and to a private channel, separately), then type **digest settings** in the channel.`,
      channels: regs.map((r, i) => {
        const data = { teamId: r.teamId, channelId: r.channelId };
        const job = jobs[i];
        return {
          name: text(channelLabel(r, actor.principal.tenantId) ?? `Channel registered ${formatWhen(r.createdAt)}`),
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
}
