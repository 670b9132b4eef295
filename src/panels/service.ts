import { randomBytes } from "node:crypto";
import { z } from "zod/v4";
import { md, text, type Shown } from "../cards/text";
import { messageReply, type Reply } from "../cards/reply";
import type { ActionView, ChoiceView, FactView, NoticeView } from "../cards/views";
import { fitText } from "../cards/fit";
import { UserFacingError } from "../errors";
import type { Actor } from "../people/actor";
import { actorKey } from "../people/actor";
import type { AccessService } from "../people/accessService";
import type { Outbound, OutgoingFile } from "../routes";
import { toCsv } from "../export/csv";
import type { AgenciesRepo, Agency } from "../storage/agenciesRepo";
import type { ChallengesRepo, IndicatorPanelState, ThreadEntry } from "../storage/challengesRepo";
import type { Cycle, CyclesRepo } from "../storage/cyclesRepo";
import { cardEtag, cardEtagOrNone } from "../storage/cardEtag";
import { isBatchConflict, isConflict, isPreconditionFailed } from "../storage/errors";
import { isLinkedMember, isOrphanAge, type Panel, type PanelMember, type PanelsRepo } from "../storage/panelsRepo";
import type { PeopleRepo, Person } from "../storage/peopleRepo";
import { normaliseEmail } from "../storage/peopleRepo";
import { principalKey } from "../storage/principal";
import { returnPartition } from "../storage/returnsRepo";
import type { ReturnSummariesRepo } from "../storage/returnSummariesRepo";
import type { DecodedSummary } from "../storage/summaryRow";
import { SECTOR_GROUP_LABELS, SECTOR_GROUPS, sectorGroupOf, standardRating } from "../reporting/rules";
import { RATING_LABELS, ratingOf } from "../section11/answer";
import type { TemplateCatalog } from "../section11/templateCatalog";
import type { TemplateIndex } from "../section11/template";
import { S11_VERBS } from "../section11/verbs";
import { formatDate, formatDay, formatWhen, isRealDate, ukDate } from "../time";
import { PANEL_MESSAGES, PANEL_VERBS } from "./verbs";
import type { PanelAgencyView, PanelFormView, PanelIndicatorView } from "./views";

export const panelIdSchema = z.string().regex(/^pn-[a-z0-9]{10}$/);
const returnRef = z.string().min(3).max(300).regex(/^[^|]+\|[^|]+$/);
const indicatorRef = z.string().regex(/^[A-Za-z0-9._-]{1,40}$/);
/** Typed text: kept as typed (bounded), judged by the service so nothing typed is lost. */
const typed = (max: number) => z.unknown().transform((v) => (typeof v === "string" ? v.slice(0, max) : typeof v === "number" ? String(v) : "")).optional();

const FORM_ID = /^[a-z0-9]{10}$/;
const newFormId = () => [...randomBytes(10)].map((b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("");
/**
 * A card's own id, made when it is drawn: the create form's becomes the panel's id, a challenge's or
 * an answer's is recorded with the conversation entry; so a double click (or a resent card) acts once.
 * Anything else in its place (an old card, a forged one) is no id: the press acts as before.
 */
const formIdField = z.unknown().transform((v) => (typeof v === "string" && FORM_ID.test(v) ? v : undefined));
export const panelFormInput = z.object({ name: typed(2000), date: typed(40), cycleId: typed(200), members: typed(20_000), agencyIds: typed(20_000), sector: typed(40), formId: formIdField });
/** "Suggest by sector" on the form: on the change form it carries the panel and the version the form was drawn from. */
export const suggestInput = panelFormInput.extend({ panelId: typed(200), etag: cardEtag });
export const panelRef = z.object({ panelId: panelIdSchema });
export const agencyRef = panelRef.extend({ returnId: returnRef });
export const indicatorInput = agencyRef.extend({ indicatorId: indicatorRef });
export const challengeInput = indicatorInput.extend({ sendId: formIdField, modEtag: cardEtagOrNone, comment: typed(20_000), moderatedRating: typed(20), actionText: typed(20_000), actionOwner: typed(2000), actionDue: typed(40) });
export const leadRef = z.object({ returnId: returnRef, indicatorId: indicatorRef });
export const answerInput = leadRef.extend({ kind: z.enum(["reply", "accepted", "updated"]), reply: typed(20_000), sendId: formIdField });

export const PANEL_LIMITS = { name: 120, comment: 2000, actionText: 1000, actionOwner: 120, members: 20, agencies: 30 } as const;
const NOT_YOURS = "That return is not one your panel reviews. A panel member sees only the submitted returns of the agencies in their panel.";
const NOT_A_MEMBER = "You are not a member of that panel. If you should be, ask your partnership's business manager.";

const clean = (s: string | undefined) => (s ?? "").replace(/\r\n?/g, "\n").replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").trim();
const oneLine = (s: string) => clean(s).replace(/\s+/g, " ");
const ratingWord = (r: string | undefined) => (r && ratingOf(r) ? RATING_LABELS[ratingOf(r)!] : "-");
const STD_WORDS = { fully: "Fully met", partially: "Partially met", not: "Not met" } as const;
const stdWord = (r: keyof typeof STD_WORDS | undefined) => (r ? STD_WORDS[r] : "-");

export interface PanelServiceDeps {
  panels: PanelsRepo;
  challenges: ChallengesRepo;
  summaries: ReturnSummariesRepo;
  agencies: AgenciesRepo;
  cycles: CyclesRepo;
  catalog: TemplateCatalog;
  access: AccessService;
  people: PeopleRepo;
  now: () => Date;
}

type Authorised = { panel: Panel; member: boolean };

/**
 * Challenge panels (docs/panels.md). The admin creates a panel (name, date, cycle, members,
 * agencies; agencies can be suggested by sector). A member reads, read only, the submitted returns
 * of their panel's agencies and nothing else, challenges indicators (comment, moderated rating,
 * agreed action), and the agency's lead answers in chat. Every press re-checks the member's right
 * from storage (a point read by tenant id + object id) and that the return is one of the panel's.
 */
export class PanelService {
  constructor(private readonly d: PanelServiceDeps) {}

  private today() {
    return ukDate(this.d.now());
  }

  private async requireAdmin(actor: Actor) {
    if (!(await this.d.access.isAdmin(actor))) throw new UserFacingError("Only the partnership's admins can create panels.", "denied");
  }

  /** The member's right, read from storage on every press; admins read (only) any panel. */
  private async authorise(actor: Actor, panelId: string, opts: { mustBeMember?: boolean } = {}): Promise<Authorised> {
    const [memberRow, panel] = await Promise.all([this.d.panels.isMember(actor.principal, panelId), this.d.panels.get(panelId)]);
    if (!panel) throw new UserFacingError(NOT_A_MEMBER, "denied");
    // Both the member's own row and their place on the panel's list: a removal takes effect with the panel row.
    const listed = panel.members.some((m) => principalKey(m) === actorKey(actor));
    if (memberRow && listed) return { panel, member: true };
    if (!opts.mustBeMember && (await this.d.access.isAdmin(actor))) return { panel, member: false };
    throw new UserFacingError(NOT_A_MEMBER, "denied");
  }

  /** The return must be one of the panel's agencies in the panel's cycle. */
  private agencyOf(panel: Panel, returnId: string): string {
    const agencyId = panel.agencyIds.find((id) => returnPartition(panel.cycleId, id) === returnId);
    if (!agencyId) throw new UserFacingError(NOT_YOURS, "denied");
    return agencyId;
  }

  /** For an agency's lead or senior officer: the indicators a panel challenged, those waiting for the agency's answer first. */
  private async challengesToMe(actor: Actor): Promise<{ facts: FactView[]; actions: ActionView[] }> {
    const roles = await this.d.access.rolesOf(actor);
    const facts: FactView[] = [];
    const actions: ActionView[] = [];
    if (!roles.agencies.size) return { facts, actions };
    const cycles = await this.d.cycles.listOpen();
    for (const [agencyId, a] of roles.agencies) {
      for (const cycle of cycles) {
        const pk = returnPartition(cycle.cycleId, agencyId);
        const list = (await this.d.challenges.challenged(pk)).sort((x, y) => Number(y.last.role === "panel") - Number(x.last.role === "panel") || y.last.at.localeCompare(x.last.at));
        for (const c of list) {
          const waiting = c.last.role === "panel";
          facts.push({ title: text(`${a.agencyName} · ${c.indicatorId}`), value: text(`${waiting ? "Waiting for your answer" : "Answered"}: ${c.count} message${c.count === 1 ? "" : "s"}, the last ${formatWhen(c.last.at)} by ${c.last.by}`) });
          if (actions.length < 10) actions.push({ title: `${waiting ? "Answer" : "Read"} the challenge on ${c.indicatorId}`.slice(0, 80), verb: PANEL_VERBS.lead, data: { returnId: pk, indicatorId: c.indicatorId }, style: waiting ? "positive" : "default" });
        }
      }
    }
    return { facts, actions };
  }

  async home(actor: Actor, notice?: NoticeView): Promise<Reply> {
    const [admin, mine, toMe] = await Promise.all([this.d.access.isAdmin(actor), this.d.panels.rightsOf(actor.principal), this.challengesToMe(actor)]);
    const found = await Promise.all(mine.map(async (m) => ({ ...m, panel: admin ? undefined : await this.d.panels.get(m.panelId) })));
    // A right row whose panel is gone grants nothing; one left by a delete that stopped part-way is removed here (not one of a panel being created).
    if (!admin) for (const f of found) if (!f.panel && isOrphanAge(f.writtenAt, this.d.now())) await this.d.panels.deleteMemberRight(actor.principal, f.panelId);
    const panels = admin ? await this.d.panels.list() : found.flatMap((f) => (f.panel ? [f.panel] : []));
    if (!admin && !panels.length && toMe.facts.length) return messageReply(md`Challenges to your agency's return`, notice?.text ?? md`A challenge panel has questioned these indicators. Open one to accept the challenge, reply, or update your answer.`, notice?.color ?? "default", toMe);
    if (!admin && !panels.length) return messageReply("No challenge panel for you", "You are not a member of a challenge panel, and no panel has challenged your agency's return. If you should be on a panel, ask your partnership's business manager.", "warning");
    const actions: ActionView[] = panels.slice(0, 12).map((p) => ({ title: `${p.name} (${formatDate(p.date)})`.slice(0, 80), verb: PANEL_VERBS.view, data: { panelId: p.panelId } }));
    if (admin) actions.push(...panels.slice(0, 12).map((p) => ({ title: `Change ${p.name}`.slice(0, 80), verb: PANEL_VERBS.edit, data: { panelId: p.panelId } })));
    if (admin) actions.push(...panels.slice(0, 12).map((p) => ({ title: `Delete ${p.name}`.slice(0, 80), verb: PANEL_VERBS.deleteAsk, data: { panelId: p.panelId }, style: "destructive" as const })));
    if (admin) actions.unshift({ title: "Create a panel", verb: PANEL_VERBS.form, data: {}, style: "positive" });
    return messageReply(md`Challenge panels`, notice?.text ?? (admin ? md`Panels group similar agencies (health, education, voluntary, police and justice...). Members read the submitted returns of their panel's agencies, challenge indicators and give moderated ratings; the agency's lead answers in chat.` : md`The panels you sit on.`), notice?.color ?? "default", {
      facts: panels.slice(0, 30).map((p) => {
        const waiting = p.members.filter((m) => !isLinkedMember(m)).length;
        return { title: text(p.name), value: text(`${formatDate(p.date)}, ${p.agencyIds.length} agencies, ${p.members.length} members${waiting ? ` (${waiting} not yet linked)` : ""}`) };
      }),
      actions,
    });
  }

  private async cyclesAndAgencies(cycleId: string | undefined): Promise<{ cycles: Cycle[]; cycle?: Cycle; agencies: Agency[] }> {
    const cycles = (await this.d.cycles.list()).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const cycle = cycles.find((c) => c.cycleId === cycleId) ?? cycles.find((c) => c.status === "open") ?? cycles[0];
    const agencies = cycle ? (await this.d.agencies.list()).filter((a) => cycle.partnerships.some((p) => a.partnerships.includes(p))).sort((a, b) => a.name.localeCompare(b.name)) : [];
    return { cycles, cycle, agencies };
  }

  async form(actor: Actor, input: Partial<z.infer<typeof panelFormInput>> = {}, extra: { notice?: NoticeView; problems?: Shown[] } = {}): Promise<PanelFormView> {
    await this.requireAdmin(actor);
    const { cycles, cycle, agencies } = await this.cyclesAndAgencies(input.cycleId);
    const formId = input.formId ?? newFormId();
    return {
      title: md`Create a challenge panel`,
      intro: md`Name the panel, the day it meets, its members (by their work e-mail: someone who has not used the bot yet is linked when they first open it, signed in to the partnership's organisation) and the agencies whose submitted returns it reviews. Choose a sector and press **Suggest by sector** to choose its agencies for you, then add or remove any.`,
      notice: extra.notice,
      problems: extra.problems ?? [],
      name: input.name ?? "",
      date: input.date ?? "",
      cycleId: cycle?.cycleId ?? "",
      cycleChoices: cycles.slice(0, 20).map((c) => ({ title: c.name, value: c.cycleId })),
      members: input.members ?? "",
      agencyIds: input.agencyIds ?? "",
      agencyChoices: agencies.slice(0, 100).map((a) => ({ title: a.name, value: a.agencyId })),
      chosen: chosenLine(input.agencyIds ?? "", agencies),
      sector: input.sector ?? "",
      sectorChoices: SECTOR_GROUPS.map((g) => ({ title: SECTOR_GROUP_LABELS[g], value: g })),
      suggestActions: [{ title: "Suggest by sector", verb: PANEL_VERBS.suggest, data: { formId } }],
      actions: [
        { title: "Create the panel", verb: PANEL_VERBS.create, data: { formId }, style: "positive" },
        { title: "Back to panels", verb: PANEL_VERBS.home, data: {}, inputs: "none" },
      ],
    };
  }

  /** Fills the agencies with those of the chosen sector (the reporting sector groups), keeping everything else typed. */
  async suggest(actor: Actor, raw: z.infer<typeof suggestInput>): Promise<PanelFormView> {
    await this.requireAdmin(actor);
    const { panelId, etag, ...input } = raw;
    if (panelId && !panelIdSchema.safeParse(panelId).success) throw new UserFacingError("That panel does not exist (it may have been removed). Type panels to see them all.", "not_found");
    // On the change form the answer is the change form again (same panel, same version read), never a create form.
    const again = (i: z.infer<typeof panelFormInput>, extra: { notice?: NoticeView; problems?: Shown[] }) =>
      panelId ? this.editForm(actor, panelId, { input: i, etag, ...extra }) : this.form(actor, i, extra);
    const group = SECTOR_GROUPS.find((g) => g === input.sector);
    if (!group) return again(input, { problems: [md`Choose a sector to suggest its agencies.`] });
    const { agencies } = await this.cyclesAndAgencies(input.cycleId);
    const picked = agencies.filter((a) => sectorGroupOf(a.sector) === group);
    const verbWord = panelId ? "save the changes" : "create the panel";
    return again({ ...input, agencyIds: picked.map((a) => a.agencyId).join(","), name: input.name || `${SECTOR_GROUP_LABELS[group]} panel` }, { notice: { text: md`${picked.length} ${SECTOR_GROUP_LABELS[group]} agenc${picked.length === 1 ? "y" : "ies"} suggested and chosen below: check them (add or remove any), then ${verbWord}.`, color: "good" } });
  }

  /**
   * A member's e-mail: the one person who reported it from the partnership's own organisation (the
   * home tenant; any tenant in local mode without one), the member already linked under it on this
   * panel, or, when nobody has yet, a member waiting on the address (linked on first contact).
   * Undefined when two people of the organisation reported it: the right must never go to the wrong one.
   */
  private async resolveMember(email: string, current: PanelMember[]): Promise<PanelMember | undefined> {
    const already = current.find((m) => isLinkedMember(m) && normaliseEmail(m.email) === email);
    if (already) return already;
    const all = (await this.d.people.withEmail(email)).filter((p) => this.d.access.mayLinkToPartnership(p));
    if (all.length > 1) return undefined;
    if (!all.length) return { tenantId: "", aadObjectId: "", name: current.find((m) => normaliseEmail(m.email) === email)?.name || email, email };
    const person = await this.d.people.get(all[0]);
    return { tenantId: all[0].tenantId.toLowerCase(), aadObjectId: all[0].aadObjectId.toLowerCase(), name: person?.name || email, email };
  }

  /**
   * First contact of a member added by e-mail (AccessService.linkers, run on every message turn
   * while the address waits): from the partnership's own organisation their right moves to their
   * tenant id + object id, in steps that are each safe if the next never happens (right row, then
   * the panel's list on its ETag, then the wait removed); from anywhere else nothing is granted and
   * the attempt is noted for the admin, as for leads.
   */
  async linkWaitingMember(person: Person): Promise<void> {
    const email = normaliseEmail(person.email);
    const waiting = await this.d.panels.waitingFor(email);
    if (!waiting.length) return;
    if (!this.d.access.mayLinkToPartnership(person)) {
      for (const { panelId } of waiting) await this.d.panels.noteRefusedLink(email, panelId, { tenantId: person.tenantId.toLowerCase(), upn: (person.upn || person.email).slice(0, 200), at: this.d.now().toISOString() });
      return;
    }
    for (const w of waiting) await this.linkOne(w.panelId, w.writtenAt, email, person);
  }

  private async linkOne(panelId: string, writtenAt: string, email: string, person: Person): Promise<void> {
    const me: PanelMember = { tenantId: person.tenantId.toLowerCase(), aadObjectId: person.aadObjectId.toLowerCase(), name: person.name || email, email };
    for (let attempt = 0; attempt < 4; attempt++) {
      const found = await this.d.panels.getWithEtag(panelId);
      const at = found?.panel.members.findIndex((m) => !isLinkedMember(m) && normaliseEmail(m.email) === email) ?? -1;
      if (!found || at < 0) {
        // A create or save under way writes its waits before the panel row: a young wait the panel does not list yet is left for the next message.
        if (!isOrphanAge(writtenAt, this.d.now())) return;
        // The panel is gone, or the admin took the address off it before this first contact: nothing to link.
        if (!found?.panel.members.some((m) => isLinkedMember(m) && principalKey(m) === principalKey(me))) await this.d.panels.deleteMemberRight(me, panelId);
        await this.d.panels.deleteWaiting(email, panelId);
        return;
      }
      await this.d.panels.putMemberRight(me, found.panel);
      const members = found.panel.members.map((m, i) => (i === at ? { ...me, name: person.name || m.name } : m));
      if (await this.d.panels.replaceMembers(panelId, members, found.etag)) {
        await this.d.panels.deleteWaiting(email, panelId);
        return;
      }
    }
    // Still changing under us: the wait stays, and their next message completes the link.
  }

  /** Checks a panel's form: every problem with its reason; the members resolved to their identities. */
  private async validate(input: z.infer<typeof panelFormInput>, verbWord: string, current: PanelMember[] = []): Promise<{ problems: Shown[]; panel?: Omit<Panel, "panelId" | "createdAt" | "createdBy"> }> {
    const problems: Shown[] = [];
    const name = oneLine(input.name ?? "");
    if (!name) problems.push(md`Give the panel a name.`);
    else if (name.length > PANEL_LIMITS.name) problems.push(md`The name is ${name.length} characters; the limit is ${PANEL_LIMITS.name}.`);
    const date = clean(input.date);
    if (!isRealDate(date)) problems.push(md`Choose the date the panel meets (from the calendar).`);
    const { cycle, agencies } = await this.cyclesAndAgencies(input.cycleId);
    if (!cycle || cycle.cycleId !== input.cycleId) problems.push(md`Choose one of the cycles listed.`);
    const known = new Map(agencies.map((a) => [a.agencyId, a]));
    const ids = [...new Set(clean(input.agencyIds).split(",").map((s) => s.trim()).filter(Boolean))];
    const unknown = ids.filter((id) => !known.has(id));
    if (!ids.length) problems.push(md`Choose the agencies whose returns the panel reviews (or suggest a sector's).`);
    if (unknown.length) problems.push(md`${unknown.length} of the agencies chosen ${unknown.length === 1 ? "is" : "are"} not registered in this cycle's partnerships; choose from the list.`);
    if (ids.length > PANEL_LIMITS.agencies) problems.push(md`A panel reviews at most ${PANEL_LIMITS.agencies} agencies; you chose ${ids.length}. Split them into two panels.`);
    const emails = [...new Set(clean(input.members).split(/[\n,;]+/).map((s) => normaliseEmail(s)).filter(Boolean))];
    if (!emails.length) problems.push(md`Add at least one member's work e-mail.`);
    if (emails.length > PANEL_LIMITS.members) problems.push(md`A panel has at most ${PANEL_LIMITS.members} members; you listed ${emails.length}.`);
    const members: PanelMember[] = [];
    const bad: string[] = [];
    const ambiguous: string[] = [];
    if (emails.length <= PANEL_LIMITS.members) {
      for (const e of emails) {
        if (!z.email().max(254).safeParse(e).success) bad.push(e);
        else {
          const m = await this.resolveMember(e, current);
          if (m) members.push(m);
          else ambiguous.push(e);
        }
      }
    }
    if (bad.length) problems.push(md`Not an e-mail address: ${bad.slice(0, 5).map((b) => b.slice(0, 80)).join(", ")}.`);
    if (ambiguous.length) problems.push(md`Two people in the partnership's organisation use ${ambiguous.slice(0, 5).map((b) => b.slice(0, 80)).join(", ")}: the panel cannot tell which is the member. Ask your IT team to correct the directory, then ${verbWord} the panel again.`);
    return problems.length ? { problems } : { problems, panel: { name, date, cycleId: cycle!.cycleId, agencyIds: ids, members } };
  }

  async create(actor: Actor, input: z.infer<typeof panelFormInput>): Promise<{ created: true; reply: Reply } | { created: false; view: PanelFormView }> {
    await this.requireAdmin(actor);
    const { problems, panel: fields } = await this.validate(input, "create");
    const keep = { ...input, name: input.name ?? "", members: input.members ?? "" };
    if (!fields) return { created: false, view: await this.form(actor, keep, { problems, notice: { text: md`Not created: ${problems.length === 1 ? "fix the problem above" : `fix the ${problems.length} problems above`}. What you typed is kept.`, color: "attention" } }) };
    // A card from before forms had an id still creates, once per press.
    const panel: Panel = { panelId: `pn-${input.formId ?? newFormId()}`, ...fields, createdAt: this.d.now().toISOString(), createdBy: actor.name };
    // Looked for first so a resent form never writes member rows for the panel it already made; the create itself is conditional for a true double click.
    if ((await this.d.panels.get(panel.panelId)) || !(await this.d.panels.create(panel))) {
      return { created: true, reply: await this.view(actor, panel.panelId, { text: md`This panel was already created (the form was sent twice).`, color: "good" }) };
    }
    return { created: true, reply: await this.view(actor, panel.panelId, { text: md`Panel created. Its members can type **panels** to open it.`, color: "good" }) };
  }

  /** The form again for an existing panel (admins): its fields as stored, saved with Save changes. */
  async editForm(actor: Actor, panelId: string, extra: { input?: z.infer<typeof panelFormInput>; etag?: string; notice?: NoticeView; problems?: Shown[] } = {}): Promise<PanelFormView> {
    await this.requireAdmin(actor);
    const found = await this.d.panels.getWithEtag(panelId);
    if (!found) throw new UserFacingError("That panel does not exist (it may have been removed). Type panels to see them all.", "not_found");
    const panel = found.panel;
    const known = extra.input ? undefined : new Set((await this.d.agencies.list()).map((a) => a.agencyId));
    const removed = known ? panel.agencyIds.filter((id) => !known.has(id)) : [];
    const input = extra.input ?? { name: panel.name, date: panel.date, cycleId: panel.cycleId, members: panel.members.map((m) => m.email).join("\n"), agencyIds: panel.agencyIds.filter((id) => !removed.length || known!.has(id)).join(","), sector: "" };
    const notice = extra.notice ?? (removed.length ? { text: md`${removed.length} of this panel's agencies ${removed.length === 1 ? "was" : "were"} removed from the partnership and ${removed.length === 1 ? "is" : "are"} left out below: saving takes ${removed.length === 1 ? "it" : "them"} off the panel.`, color: "warning" as const } : undefined);
    const view = await this.form(actor, input, { notice, problems: extra.problems });
    return {
      ...view,
      title: md`Change ${panel.name}`,
      intro: md`Change the panel's name, date, members or agencies. Removing a member takes their access away at once; the conversations so far are kept.`,
      // After "Suggest by sector" the form keeps the version it was first drawn from (suggestInput makes a missing or forged one match nothing).
      suggestActions: [{ title: "Suggest by sector", verb: PANEL_VERBS.suggest, data: { panelId, etag: extra.etag ?? found.etag } }],
      actions: [
        // The card carries the version it was drawn from: saving over someone else's change is refused, not silent.
        { title: "Save changes", verb: PANEL_VERBS.save, data: { panelId, etag: extra.etag ?? found.etag }, style: "positive" },
        { title: "Back to the panel", verb: PANEL_VERBS.view, data: { panelId }, inputs: "none" },
      ],
    };
  }

  /**
   * Saves a changed panel: new members' rights first, then the panel row on the ETag it was read
   * with (a member's right needs both their row and their place on the panel's list, so a removal
   * takes effect here), then the removed members' rows are deleted.
   */
  async save(actor: Actor, panelId: string, input: z.infer<typeof panelFormInput>, seenEtag: string): Promise<{ saved: true; reply: Reply } | { saved: false; view: PanelFormView }> {
    await this.requireAdmin(actor);
    const current = await this.d.panels.getWithEtag(panelId);
    if (!current) throw new UserFacingError("That panel does not exist (it may have been removed). Type panels to see them all.", "not_found");
    const { problems, panel: fields } = await this.validate(input, "save", current.panel.members);
    if (!fields) return { saved: false, view: await this.editForm(actor, panelId, { input, problems, notice: { text: md`Not saved: ${problems.length === 1 ? "fix the problem above" : `fix the ${problems.length} problems above`}. What you typed is kept.`, color: "attention" } }) };
    const next: Panel = { ...current.panel, ...fields };
    if (!(await this.d.panels.update(next, current.panel.members, seenEtag))) {
      return { saved: false, view: await this.editForm(actor, panelId, { input, notice: { text: md`Someone else changed this panel meanwhile: check it and save again. What you typed is kept.`, color: "warning" } }) };
    }
    return { saved: true, reply: await this.view(actor, panelId, { text: md`Saved.`, color: "good" }) };
  }

  /** Asks the admin to confirm a deletion, saying what it does; the button carries the version of the panel shown. */
  async deleteAsk(actor: Actor, panelId: string, notice?: Shown): Promise<Reply> {
    await this.requireAdmin(actor);
    const found = await this.d.panels.getWithEtag(panelId);
    if (!found) return this.home(actor, { text: md`That panel was already deleted.`, color: "default" });
    const p = found.panel;
    return messageReply(md`Delete ${p.name}?`, md`${notice ? md`${notice} ` : ""}Its ${p.members.length} member${p.members.length === 1 ? "" : "s"} lose access to its agencies' returns at once. The challenges, moderated ratings and agreed actions already recorded stay in each return's history: the agencies' leads still see and answer them, and the actions stay on their lists. This cannot be undone.`, "warning", {
      facts: [{ title: text("Meets"), value: text(formatDate(p.date)) }, { title: text("Members"), value: text(p.members.map((m) => (isLinkedMember(m) ? m.name : `${m.email} (not yet linked)`)).join("; ")) }],
      actions: [
        { title: "Yes, delete the panel", verb: PANEL_VERBS.delete, data: { panelId, etag: found.etag }, style: "destructive" },
        { title: "Keep it", verb: PANEL_VERBS.view, data: { panelId } },
      ],
    });
  }

  /** Deletes a panel as it was shown to the admin (its ETag): members' rights end at once; the returns' challenge rows stay. */
  async delete(actor: Actor, panelId: string, seenEtag: string): Promise<Reply> {
    await this.requireAdmin(actor);
    const found = await this.d.panels.getWithEtag(panelId);
    if (!found) return this.home(actor, { text: md`That panel was already deleted.`, color: "default" });
    if (found.etag !== seenEtag || !(await this.d.panels.delete(found.panel, seenEtag))) {
      return this.deleteAsk(actor, panelId, md`**Nothing was deleted**: someone changed this panel since you were asked. Check it and confirm again.`);
    }
    return this.home(actor, { text: md`Deleted ${found.panel.name}. Its members no longer see its agencies' returns; the conversations and actions stay with the returns.`, color: "good" });
  }

  /**
   * The panel's page: one line per agency with its submission, changes since first submission,
   * open actions and moderated ratings. Storage: the member's right and the panel (two point reads,
   * at once), the cycle (a point read), the cycle's header and summary rows (one query), the
   * agencies' names (one query): five requests whatever the number of agencies (bench/panel.ts).
   */
  async view(actor: Actor, panelId: string, notice?: NoticeView): Promise<Reply> {
    const { panel } = await this.authorise(actor, panelId);
    const [cycle, rows, refused] = await Promise.all([this.d.cycles.get(panel.cycleId), this.d.summaries.listForCycle(panel.cycleId), this.refusedLinks(actor, panel)]);
    const byAgency = new Map(rows.map((r) => [r.header.agencyId, r]));
    const today = this.today();
    const facts: FactView[] = [{ title: text("Members"), value: text(panel.members.map((m) => (isLinkedMember(m) ? m.name : `${m.email} (not yet linked: added by e-mail, linked when they first open the app)`)).join("; ") || "none") }];
    for (const r of refused) facts.push({ title: text("Not linked"), value: text(`Someone signed in to another organisation (tenant ${r.tenantId}, ${r.upn}) used ${r.email} on ${formatWhen(r.at)} and was not given this panel. Ask the member to open the app signed in to the partnership's organisation.`) });
    const actions: ActionView[] = [];
    const missingNames = panel.agencyIds.filter((id) => !byAgency.has(id));
    const names = missingNames.length ? new Map((await this.d.agencies.list()).map((a) => [a.agencyId, a.name])) : new Map<string, string>();
    for (const agencyId of panel.agencyIds) {
      const r = byAgency.get(agencyId);
      if (!r && !names.has(agencyId)) {
        // The agency (and its returns) were deleted from the partnership: say so rather than show a bare id.
        facts.push({ title: text("Removed agency"), value: text(`Removed from the partnership (it was ${agencyId}): nothing to review.`) });
        continue;
      }
      if (!r || !(r.header.submissionCount > 0 || r.summary?.latest)) {
        facts.push({ title: text(r?.header.agencyName ?? names.get(agencyId) ?? agencyId), value: text("Not submitted yet: nothing to review.") });
        continue;
      }
      const s = summaryFigures(r.summary, today);
      facts.push({ title: text(r.header.agencyName), value: text(`Submitted ${formatDay(r.header.firstSubmittedAt)}; ${s.changed} indicator${s.changed === 1 ? "" : "s"} changed since first submission; ${s.open} open action${s.open === 1 ? "" : "s"}${s.overdue ? ` (${s.overdue} overdue)` : ""}; ${s.moderated} moderated`) });
      if (actions.length < 30) actions.push({ title: `Open ${r.header.agencyName}`.slice(0, 80), verb: PANEL_VERBS.agency, data: { panelId, returnId: r.partitionKey } });
    }
    actions.push({ title: "Export for the minutes (CSV)", verb: PANEL_VERBS.export, data: { panelId } });
    actions.push({ title: "Back to panels", verb: PANEL_VERBS.home, data: {} });
    return messageReply(md`${panel.name}`, notice?.text ?? md`${formatDate(panel.date)} · ${cycle?.name ?? panel.cycleId} · ${panel.members.length} member${panel.members.length === 1 ? "" : "s"}. Read only: open an agency to see its ratings side by side and challenge an indicator.`, notice?.color ?? "default", { facts, actions });
  }

  /** For admins: members waiting on an e-mail whose address someone from another organisation tried (a point read each, only for those waiting). */
  private async refusedLinks(actor: Actor, panel: Panel): Promise<Array<{ email: string; tenantId: string; upn: string; at: string }>> {
    const waiting = panel.members.filter((m) => !isLinkedMember(m));
    if (!waiting.length || !(await this.d.access.isAdmin(actor))) return [];
    const found = await Promise.all(waiting.map(async (m) => ({ email: m.email, r: await this.d.panels.refusedLink(m.email, panel.panelId) })));
    return found.flatMap((f) => (f.r ? [{ email: f.email, ...f.r }] : []));
  }

  /**
   * The panel's own export for its minutes (members and admins): per agency and indicator the
   * self-rating, the rating at first submission and the moderated rating (who, when), and the
   * actions agreed at panels. CSV, formula-safe (src/export/csv.ts), offered in personal chat with
   * Teams' file consent. Storage: the cycle's header and summary rows (one query), then one query
   * per submitted return for its moderated ratings and panel actions, at the same time.
   */
  async exportCsv(actor: Actor, panelId: string): Promise<{ file: OutgoingFile; rows: number }> {
    const { panel } = await this.authorise(actor, panelId);
    const [cycle, summaries] = await Promise.all([this.d.cycles.get(panel.cycleId), this.d.summaries.listForCycle(panel.cycleId)]);
    const byAgency = new Map(summaries.map((r) => [r.header.agencyId, r]));
    const missing = panel.agencyIds.filter((id) => !byAgency.has(id));
    const registered = missing.length ? new Map((await this.d.agencies.list()).map((a) => [a.agencyId, a])) : new Map<string, Agency>();
    const rows: unknown[][] = [];
    const word = (r: string | undefined) => (r && ratingOf(r) ? RATING_LABELS[ratingOf(r)!].toLowerCase() : "");
    const records = await Promise.all(panel.agencyIds.map(async (agencyId) => {
      const r = byAgency.get(agencyId);
      const submitted = !!r && (r.header.submissionCount > 0 || !!r.summary?.latest);
      return { agencyId, r, submitted, record: submitted ? await this.d.challenges.panelRecord(r!.partitionKey) : undefined, index: submitted ? await this.index(r!.header) : undefined };
    }));
    for (const { agencyId, r, submitted, record, index } of records) {
      const agencyName = r?.header.agencyName ?? registered.get(agencyId)?.name ?? "";
      if (!r && !agencyName) {
        rows.push([agencyId, "", "", "", "removed from the partnership", "", "", "", "", "", "", "", "", "", ""]);
        continue;
      }
      if (!submitted || !record || !index) {
        rows.push([agencyName, r?.header.sector ?? registered.get(agencyId)?.sector ?? "", "", "", "not submitted", "", "", "", "", "", "", "", "", "", ""]);
        continue;
      }
      const cur = (id: string) => r!.summary?.current.get(id)?.rating;
      for (const ref of index.ordered) {
        const id = ref.indicator.id;
        const m = record.moderated.get(id);
        const base = [agencyName, r!.header.sector, `${ref.standardIndex + 1}. ${ref.standard.title}`, id, `submitted ${ukDate(new Date(r!.header.firstSubmittedAt ?? r!.header.createdAt))}`, word(cur(id)), word(r!.summary?.first?.get(id)?.rating), word(m?.rating), m?.by ?? "", m?.at ? ukDate(new Date(m.at)) : ""];
        const acts = record.actions.filter((a) => a.indicatorId === id);
        if (!acts.length) rows.push([...base, "", "", "", "", ""]);
        for (const a of acts) rows.push([...base, a.text, a.owner, a.due, a.status, a.panelId === panel.panelId ? "this panel" : "another panel"]);
      }
    }
    const csv = toCsv(["agency", "sector", "standard", "indicator", "return", "self_rating", "first_submission_rating", "moderated_rating", "moderated_by", "moderated_on", "agreed_action", "action_owner", "action_due", "action_status", "agreed_at"], rows);
    const name = `panel-${panel.name.replace(/[^A-Za-z0-9-]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 40) || "export"}-${this.today()}.csv`;
    return { file: { name, description: `Challenge panel ${panel.name} (${cycle?.name ?? panel.cycleId}): self and moderated ratings, agreed actions`.slice(0, 200), contentType: "text/csv", content: csv }, rows: rows.length };
  }

  private async index(h: { templateId: string; templateVersion: number }): Promise<TemplateIndex> {
    const index = await this.d.catalog.get(h.templateId, h.templateVersion);
    if (!index) throw new Error(`Template ${h.templateId} v${h.templateVersion} is missing`);
    return index;
  }

  /** One agency for the panel: per standard the self-rating, first submission and moderated rating side by side; changes; open actions. */
  async agency(actor: Actor, panelId: string, returnId: string, notice?: NoticeView): Promise<PanelAgencyView> {
    const { panel } = await this.authorise(actor, panelId);
    this.agencyOf(panel, returnId);
    const r = await this.d.challenges.headerAndSummary(returnId);
    if (!r || !(r.header.submissionCount > 0)) throw new UserFacingError("This agency has not submitted its return yet: there is nothing for the panel to review.", "not_found");
    const index = await this.index(r.header);
    const cur = (id: string) => r.summary?.current.get(id)?.rating;
    const mod = (id: string) => r.summary?.moderated?.get(id);
    const standards: FactView[] = index.template.standards.map((s, i) => {
      const ids = s.indicators.map((x) => x.id);
      const moderatedIds = ids.filter((id) => mod(id));
      const moderated = moderatedIds.length ? standardRating(ids.map((id) => mod(id) || cur(id))) : undefined;
      return { title: text(`${i + 1}. ${s.title}`), value: text(`Self: ${stdWord(standardRating(ids.map(cur)))} · First submission: ${stdWord(standardRating(ids.map((id) => r.summary?.first?.get(id)?.rating)))} · Moderated: ${moderatedIds.length ? `${stdWord(moderated)} (${moderatedIds.length} indicator${moderatedIds.length === 1 ? "" : "s"})` : "-"}`) };
    });
    const changes = index.ordered.map((x) => x.indicator.id).filter((id) => r.summary?.first && (r.summary.first.get(id)?.rating ?? "") !== (cur(id) ?? "")).map((id) => `${id} ${ratingWord(r.summary!.first!.get(id)?.rating)} → ${ratingWord(cur(id))}`);
    const s = summaryFigures(r.summary, this.today());
    return {
      title: text(r.header.agencyName),
      subtitle: text(`${panel.name} · submitted ${formatDay(r.header.firstSubmittedAt)}${r.header.submissionCount > 1 ? `, updated ${formatDay(r.header.lastSubmittedAt)}` : ""}`),
      notice,
      standards,
      changes: text(changes.length ? fitText(changes.join("; "), 1500).text : "No indicator changed since the first submission."),
      openActions: text(s.open ? `${s.open} open${s.overdue ? `, ${s.overdue} overdue` : ""}: ${fitText(s.lines.join("; "), 1500).text}` : "No open actions."),
      indicatorId: index.ordered[0]?.indicator.id ?? "",
      indicatorChoices: index.ordered.map((x) => ({ title: `${x.indicator.id} Self: ${ratingWord(cur(x.indicator.id))}${mod(x.indicator.id) ? ` · Moderated: ${ratingWord(mod(x.indicator.id))}` : ""}`, value: x.indicator.id })),
      actions: [
        { title: "Read and challenge", verb: PANEL_VERBS.indicator, data: { panelId, returnId }, style: "positive" },
        { title: "Back to the panel", verb: PANEL_VERBS.view, data: { panelId }, inputs: "none" },
      ],
    };
  }

  private async loadForPanel(actor: Actor, panelId: string, returnId: string, indicatorId: string, opts: { mustBeMember?: boolean } = {}) {
    const auth = await this.authorise(actor, panelId, opts);
    this.agencyOf(auth.panel, returnId);
    const state = await this.d.challenges.loadIndicator(returnId, indicatorId);
    if (!state || !(state.header.submissionCount > 0)) throw new UserFacingError("This agency has not submitted its return yet: there is nothing for the panel to review.", "not_found");
    const index = await this.index(state.header);
    if (!index.get(indicatorId)) throw new UserFacingError(`Indicator "${indicatorId}" is not part of this audit.`, "not_found");
    return { ...auth, state, index };
  }

  private facts(state: IndicatorPanelState, indicatorId: string): FactView[] {
    const a = state.answer;
    const facts: FactView[] = [
      { title: text("Self-rating"), value: text(ratingWord(a?.rating)) },
      { title: text("First submission"), value: text(ratingWord(state.summary?.first?.get(indicatorId)?.rating)) },
      { title: text("Moderated"), value: text(state.moderated?.rating ? `${ratingWord(state.moderated.rating)} (${state.moderated.by}, ${formatDay(state.moderated.at)})` : "-") },
    ];
    if (a?.evidence) facts.push({ title: text("Evidence"), value: text(fitText(a.evidence, 700).text) });
    if (a?.naReason) facts.push({ title: text("Why not applicable"), value: text(fitText(a.naReason, 400).text) });
    if (a?.actionText) facts.push({ title: text("Agency's action"), value: text(fitText(`${a.actionText} (${a.actionOwner || "no owner"}, due ${formatDate(a.actionDue)})`, 500).text) });
    for (const p of state.panelActions.slice(0, 3)) facts.push({ title: text("Panel action"), value: text(fitText(`${p.text} (${p.owner}, due ${formatDate(p.due)}, ${p.status})`, 400).text) });
    return facts;
  }

  private thread(state: IndicatorPanelState): Array<{ line: Shown }> {
    const words: Record<ThreadEntry["kind"], string> = { challenge: "challenged", reply: "replied", accepted: "accepted the challenge", updated: "updated the answer" };
    const shown = state.thread.slice(-8).map((t) => ({ line: text(fitText(`${t.by} (${t.role === "panel" ? "panel" : "agency"}), ${formatWhen(t.at)}, ${words[t.kind]}${t.moderatedRating ? `, moderated rating ${ratingWord(t.moderatedRating)}` : ""}${t.comment ? `: ${t.comment}` : "."}`, 400).text) }));
    return state.thread.length > 8 ? [{ line: text(`${state.thread.length - 8} earlier messages not shown.`) }, ...shown] : shown;
  }

  private ratingChoices(): ChoiceView[] {
    return [{ title: "No moderated rating", value: "" }, ...(["fully", "partially", "not", "na"] as const).map((r) => ({ title: RATING_LABELS[r], value: r }))];
  }

  /** One indicator for a panel member: read only, with the challenge form. */
  async indicator(actor: Actor, input: z.infer<typeof indicatorInput>, extra: { notice?: NoticeView; problems?: Shown[]; typed?: Partial<z.infer<typeof challengeInput>> } = {}): Promise<PanelIndicatorView> {
    const { panel, member, state, index } = await this.loadForPanel(actor, input.panelId, input.returnId, input.indicatorId);
    const t = extra.typed ?? {};
    return {
      title: text(`${input.indicatorId} ${index.get(input.indicatorId)!.indicator.text}`),
      subtitle: text(`${state.header.agencyName} · ${panel.name}`),
      notice: extra.notice ?? (member ? undefined : { text: md`You are not a member of this panel: read only.`, color: "default" }),
      facts: this.facts(state, input.indicatorId),
      thread: this.thread(state),
      problems: extra.problems ?? [],
      canChallenge: member,
      canAnswer: false,
      comment: t.comment ?? "",
      moderatedRating: t.moderatedRating ?? state.moderated?.rating ?? "",
      ratingChoices: this.ratingChoices(),
      actionText: t.actionText ?? "",
      actionOwner: t.actionOwner ?? "",
      actionDue: t.actionDue ?? "",
      reply: "",
      actions: [
        ...(member ? [{ title: "Send the challenge", verb: PANEL_VERBS.challenge, data: { panelId: input.panelId, returnId: input.returnId, indicatorId: input.indicatorId, modEtag: state.moderated?.etag ?? "", sendId: newFormId() }, style: "positive" as const }] : []),
        { title: "Back to the agency", verb: PANEL_VERBS.agency, data: { panelId: input.panelId, returnId: input.returnId }, inputs: "none" as const },
      ],
    };
  }

  /**
   * A challenge: comment (required), a moderated rating beside the agency's own, an agreed action
   * with owner and due date. One transaction in the return's partition; the agency's leads are told
   * through the outbox (personal chat, e-mail where Teams cannot reach them).
   */
  async challenge(actor: Actor, input: z.infer<typeof challengeInput>): Promise<{ view: PanelIndicatorView; outbound?: Outbound[] }> {
    const { panel, state } = await this.loadForPanel(actor, input.panelId, input.returnId, input.indicatorId, { mustBeMember: true });
    const problems: Shown[] = [];
    const comment = clean(input.comment);
    const rating = clean(input.moderatedRating);
    const actionText = clean(input.actionText);
    const actionOwner = oneLine(input.actionOwner ?? "");
    const actionDue = clean(input.actionDue).slice(0, 10);
    const typedBack = { ...input, comment: comment.slice(0, PANEL_LIMITS.comment), actionText: actionText.slice(0, PANEL_LIMITS.actionText), actionOwner: actionOwner.slice(0, PANEL_LIMITS.actionOwner) };
    if (!comment) problems.push(md`Write the challenge: it is what the agency's lead answers.`);
    if (comment.length > PANEL_LIMITS.comment) problems.push(md`The challenge is ${comment.length.toLocaleString("en-GB")} characters; the limit is ${PANEL_LIMITS.comment.toLocaleString("en-GB")}. We kept the first ${PANEL_LIMITS.comment.toLocaleString("en-GB")}.`);
    if (rating && !ratingOf(rating)) problems.push(md`Choose one of the moderated ratings listed.`);
    const wantsAction = !!(actionText || actionOwner || actionDue);
    if (wantsAction) {
      if (!actionText) problems.push(md`Say what the agreed action is.`);
      if (actionText.length > PANEL_LIMITS.actionText) problems.push(md`The action is ${actionText.length.toLocaleString("en-GB")} characters; the limit is ${PANEL_LIMITS.actionText.toLocaleString("en-GB")}.`);
      if (!actionOwner) problems.push(md`Name who owns the action.`);
      if (actionOwner.length > PANEL_LIMITS.actionOwner) problems.push(md`The owner is ${actionOwner.length} characters; the limit is ${PANEL_LIMITS.actionOwner}.`);
      if (!isRealDate(actionDue)) problems.push(md`Choose the action's due date from the calendar.`);
      else if (actionDue < this.today()) problems.push(md`The due date ${formatDate(actionDue)} is in the past: choose today or later.`);
      else if (actionDue > "2100-01-01") problems.push(md`The due date is too far ahead.`);
    }
    const again = (notice: NoticeView, p = problems) => this.indicator(actor, input, { problems: p, notice, typed: typedBack });
    if (problems.length) return { view: await again({ text: md`Not sent: ${problems.length === 1 ? "fix the problem above" : `fix the ${problems.length} problems above`}. What you typed is kept.`, color: "attention" }) };
    const current = state.moderated?.etag ?? "";
    if (rating && input.modEtag !== current) {
      return { view: await again({ text: md`The moderated rating changed since this card was drawn (now ${ratingWord(state.moderated?.rating)} by ${state.moderated?.by ?? "someone"}). Check it and send again; what you typed is kept.`, color: "warning" }, []) };
    }
    const at = this.d.now().toISOString();
    const moderate = rating && rating !== state.moderated?.rating ? { rating, etag: state.moderated?.etag } : undefined;
    const action = wantsAction ? { actionId: `p.${input.indicatorId}.${at.replace(/[^0-9]/g, "").slice(0, 14)}${randomBytes(2).toString("hex")}`, text: actionText, owner: actionOwner, due: actionDue } : undefined;
    let rowKey: string;
    try {
      rowKey = await this.d.challenges.record(input.returnId, input.indicatorId, { kind: "challenge", comment, moderatedRating: rating, actionId: action?.actionId ?? "", panelId: panel.panelId, by: actor.name, byTenant: actor.principal.tenantId.toLowerCase(), byAad: actor.principal.aadObjectId.toLowerCase(), role: "panel", at }, { moderate, action, once: input.sendId });
    } catch (e) {
      if (!isConflict(e) && !isPreconditionFailed(e) && !isBatchConflict(e)) throw e;
      if (input.sendId && (await this.d.challenges.wasSent(input.returnId, input.sendId))) return { view: await this.indicator(actor, input, { notice: { text: md`Already sent: this challenge was sent once (the button was pressed twice).`, color: "good" } }) };
      return { view: await again({ text: md`Someone changed the moderated rating at the same moment. Check it and send again; what you typed is kept.`, color: "warning" }, []) };
    }
    const leads = state.access.filter((a) => a.roles.includes("lead"));
    const to = await Promise.all(leads.map(async (l) => ({ tenantId: l.tenantId, aadObjectId: l.aadObjectId, name: l.name, email: (await this.d.people.get(l))?.email || undefined })));
    const view = await this.indicator(actor, input, { notice: { text: md`Sent to ${leads.length ? leads.map((l) => l.name || "the lead").join(", ") : "nobody yet: the agency has no lead registered (tell the business manager)"}. Their answer will come to your chat.`, color: leads.length ? "good" : "warning" } });
    return { view, outbound: leads.length ? [{ purpose: `${PANEL_MESSAGES.challenged}|${input.returnId}|${rowKey}`, kind: PANEL_MESSAGES.challenged, params: { returnId: input.returnId, indicatorId: input.indicatorId, panelName: panel.name.slice(0, 120) }, to, tellOnFailure: actor.principal }] : undefined };
  }

  /** The agency's side: the challenge and the conversation, with Accept, Reply and Update my answer. Leads answer; senior officers read. */
  async leadView(actor: Actor, returnId: string, indicatorId: string, extra: { notice?: NoticeView; problems?: Shown[]; reply?: string } = {}): Promise<PanelIndicatorView> {
    const state = await this.d.challenges.loadIndicator(returnId, indicatorId);
    const me = actorKey(actor);
    const roles = state?.access.find((a) => principalKey(a) === me)?.roles ?? [];
    if (!state || !roles.length) throw new UserFacingError("You don't have access to that return. If you should, ask your partnership's business manager to add you to your agency.", "denied");
    const index = await this.index(state.header);
    const ref = index.get(indicatorId);
    if (!ref) throw new UserFacingError(`Indicator "${indicatorId}" is not part of this audit.`, "not_found");
    const lead = roles.includes("lead");
    // One send id for the card: whichever of its buttons is pressed is recorded once, however often it arrives.
    const sendId = newFormId();
    return {
      title: text(`${indicatorId} ${ref.indicator.text}`),
      subtitle: text(`${state.header.agencyName} · challenge panel`),
      notice: extra.notice ?? (lead ? undefined : { text: md`Only your agency's safeguarding lead answers the panel.`, color: "default" }),
      facts: this.facts(state, indicatorId),
      thread: this.thread(state),
      problems: extra.problems ?? [],
      canChallenge: false,
      canAnswer: lead,
      comment: "",
      moderatedRating: "",
      ratingChoices: this.ratingChoices(),
      actionText: "",
      actionOwner: "",
      actionDue: "",
      reply: extra.reply ?? "",
      actions: lead
        ? [
            { title: "Send my reply", verb: PANEL_VERBS.answer, data: { returnId, indicatorId, kind: "reply", sendId }, style: "positive" },
            { title: "Accept the challenge", verb: PANEL_VERBS.answer, data: { returnId, indicatorId, kind: "accepted", sendId } },
            { title: "Update my answer", verb: S11_VERBS.step, data: { returnId, indicatorId }, inputs: "none" },
            { title: "Tell the panel I updated it", verb: PANEL_VERBS.answer, data: { returnId, indicatorId, kind: "updated", sendId } },
          ]
        : [],
    };
  }

  /** The lead's answer: kept in the conversation, and sent to the panel members who took part. */
  async answer(actor: Actor, input: z.infer<typeof answerInput>): Promise<{ view: PanelIndicatorView; outbound?: Outbound[] }> {
    const state = await this.d.challenges.loadIndicator(input.returnId, input.indicatorId);
    const me = actorKey(actor);
    const roles = state?.access.find((a) => principalKey(a) === me)?.roles ?? [];
    if (!state || !roles.includes("lead")) {
      if (state && roles.length) return { view: await this.leadView(actor, input.returnId, input.indicatorId, { notice: { text: md`Only your agency's safeguarding lead answers the panel.`, color: "attention" } }) };
      throw new UserFacingError("You don't have access to that return. If you should, ask your partnership's business manager to add you to your agency.", "denied");
    }
    const challengers = new Map<string, ThreadEntry>();
    for (const t of state.thread) if (t.role === "panel") challengers.set(`${t.byTenant}:${t.byAad}`, t);
    if (!challengers.size) return { view: await this.leadView(actor, input.returnId, input.indicatorId, { notice: { text: md`No panel has challenged this indicator: there is nothing to answer.`, color: "warning" } }) };
    const reply = clean(input.reply);
    if (input.kind === "reply" && !reply) return { view: await this.leadView(actor, input.returnId, input.indicatorId, { problems: [md`Write your reply to the panel.`], notice: { text: md`Not sent: write your reply.`, color: "attention" } }) };
    if (reply.length > PANEL_LIMITS.comment) return { view: await this.leadView(actor, input.returnId, input.indicatorId, { reply: reply.slice(0, PANEL_LIMITS.comment), problems: [md`Your reply is ${reply.length.toLocaleString("en-GB")} characters; the limit is ${PANEL_LIMITS.comment.toLocaleString("en-GB")}. We kept the first ${PANEL_LIMITS.comment.toLocaleString("en-GB")}.`], notice: { text: md`Not sent: the reply is too long.`, color: "attention" } }) };
    const at = this.d.now().toISOString();
    const last = [...challengers.values()].pop()!;
    let rowKey: string;
    try {
      rowKey = await this.d.challenges.record(input.returnId, input.indicatorId, { kind: input.kind, comment: reply, moderatedRating: "", actionId: "", panelId: last.panelId, by: actor.name, byTenant: actor.principal.tenantId.toLowerCase(), byAad: actor.principal.aadObjectId.toLowerCase(), role: "lead", at }, { once: input.sendId });
    } catch (e) {
      if (!(input.sendId && (isConflict(e) || isBatchConflict(e)) && (await this.d.challenges.wasSent(input.returnId, input.sendId)))) throw e;
      return { view: await this.leadView(actor, input.returnId, input.indicatorId, { notice: { text: md`Already sent: your answer was sent once (the button was pressed twice).`, color: "good" } }) };
    }
    // A deleted panel's challenges stay with the return and can still be answered; its former members are not told.
    const live = await Promise.all([...new Set([...challengers.values()].map((t) => t.panelId))].map(async (id) => ((await this.d.panels.get(id)) ? id : "")));
    const toTell = [...challengers.values()].filter((t) => live.includes(t.panelId));
    const view = await this.leadView(actor, input.returnId, input.indicatorId, { notice: toTell.length ? { text: md`Sent to the panel.`, color: "good" } : { text: md`Kept in the conversation. The panel that challenged this indicator has been deleted, so nobody was told.`, color: "default" } });
    return {
      view,
      outbound: toTell.map((t) => ({ purpose: `${PANEL_MESSAGES.answered}|${input.returnId}|${rowKey}|${t.byAad}`, kind: PANEL_MESSAGES.answered, params: { panelId: t.panelId, returnId: input.returnId, indicatorId: input.indicatorId, by: actor.name.slice(0, 120) }, to: [{ tenantId: t.byTenant, aadObjectId: t.byAad, name: t.by }] })),
    };
  }
}

/** What a panel's list shows of one submitted return, from its summary row only. */
/** The chosen agencies in words, for the form (a compact multi-select shows little of a long choice on a phone). */
function chosenLine(agencyIds: string, agencies: Array<{ agencyId: string; name: string }>): Shown {
  const ids = new Set(agencyIds.split(",").map((x) => x.trim()).filter(Boolean));
  const names = agencies.filter((a) => ids.has(a.agencyId)).map((a) => a.name);
  if (!names.length) return text(`None chosen yet (${agencies.length} agenc${agencies.length === 1 ? "y" : "ies"} to choose from).`);
  const shown = names.slice(0, 8).join("; ");
  return text(`${names.length} of ${agencies.length} chosen: ${shown}${names.length > 8 ? `; and ${names.length - 8} more` : ""}.`);
}

export function summaryFigures(summary: DecodedSummary | undefined, today: string): { changed: number; open: number; overdue: number; moderated: number; lines: string[] } {
  if (!summary) return { changed: 0, open: 0, overdue: 0, moderated: 0, lines: [] };
  let changed = 0;
  if (summary.first) for (const [id, c] of summary.current) if ((summary.first.get(id)?.rating ?? "") !== c.rating) changed++;
  const open: Array<{ id: string; due: string }> = [];
  for (const [id, c] of summary.current) {
    if ((c.rating !== "partially" && c.rating !== "not") || !c.actionDue) continue;
    if (summary.actions?.selfDone.get(id) === c.actionDue) continue;
    open.push({ id, due: c.actionDue });
  }
  for (const p of summary.actions?.panel ?? []) if (p.status === "open") open.push({ id: `${p.indicatorId} (panel)`, due: p.due });
  open.sort((a, b) => a.due.localeCompare(b.due));
  const overdue = open.filter((a) => a.due && a.due < today).length;
  return { changed, open: open.length, overdue, moderated: summary.moderated?.size ?? 0, lines: open.map((a) => `${a.id} due ${formatDate(a.due)}${a.due < today ? " (overdue)" : ""}`) };
}

