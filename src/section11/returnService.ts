import { z } from "zod/v4";
import type { NoticeView } from "../cards/views";
import { md, text } from "../cards/text";
import type { Actor } from "../people/actor";
import { actorKey } from "../people/actor";
import type { AccessService } from "../people/accessService";
import type { Agency, AgenciesRepo } from "../storage/agenciesRepo";
import type { Cycle, CyclesRepo } from "../storage/cyclesRepo";
import { cardEtag } from "../storage/cardEtag";
import { isBatchConflict, isNotFound, isPreconditionFailed, messageOf } from "../storage/errors";
import { splitKey } from "../storage/keys";
import { newReturnHeader, returnPartition, returnVersion, type HistoryEntry, type LoadedReturn, type ReturnHeader, type ReturnRole, type ReturnsRepo, type Snapshot, type StoredAnswer } from "../storage/returnsRepo";
import type { PartnershipSettings } from "../storage/settingsRepo";
import { NO_ACCESS, UserFacingError } from "../errors";
import { formatDay, ukDate } from "../time";
import type { Outbound, Redraw } from "../routes";
import { answerDigest, answerOf, columnsOf, EMPTY_ANSWER, isBlank, missingForCompletion, normaliseAnswerInput, onlyWhatRatingUses, RATING_LABELS, RATINGS, type Answer, type Rating } from "./answer";
import { changedSince, describeAnswer, overviewView, reviewView, signoffView, standardAnswersView, STANDARD_TEXT_BUDGET, stepContextOf, stepView, type RatingsBeside, type StepContext, type ViewContext } from "./returnViews";
import { CARD_SIZE_LIMIT, CardTooLargeError, cardSize, renderCard } from "../cards/renderCard";
import { CycleCache, ReturnAccessCache, type ReturnAccess } from "./returnAccessCache";
import { displayStatus, incompleteIndicators, resumePoint } from "./status";
import type { TemplateCatalog } from "./templateCatalog";
import type { TemplateIndex } from "./template";
import { NAV } from "./verbs";
import type { ReturnSummariesRepo } from "../storage/returnSummariesRepo";
import type { IndicatorStepView, OverviewView, ReviewView, SignoffRequestView, StandardAnswersView } from "./views";
import { fitText } from "../cards/fit";

const MISSING_ROW = "That answer does not exist in this return (it may have been added to the template later). Open the overview to carry on.";

/** Card payloads are untrusted: bounded strings only; everything else is re-derived from storage. */
export const returnIdSchema = z.string().min(3).max(300).refine((s) => splitKey(s).length === 2, "not a return id");
const answerField = z.unknown().transform((v) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "")).optional();
export const stepCommandSchema = z.object({
  returnId: returnIdSchema,
  indicatorId: z.string().max(40).optional(),
  /** Chosen on the card's first step: drawn, not saved. */
  rating: z.enum(RATINGS).optional().catch(undefined),
  returnTo: z.enum(["review"]).optional().catch(undefined),
});
export const standardCommandSchema = z.object({ returnId: returnIdSchema, standard: z.coerce.number().int().min(0).max(40), from: z.enum(["review", "signoff"]).catch("review") });
export const saveCommandSchema = z.object({
  returnId: returnIdSchema,
  indicatorId: z.string().min(1).max(40),
  etag: cardEtag,
  /** Digest of the stored answer the card was drawn from (see answerDigest). */
  answerDigest: z.string().max(40).default(""),
  /** The due date already stored, which may be kept although it has passed. */
  storedDue: z.string().max(10).default(""),
  then: z.enum(NAV).default("stay"),
  returnTo: z.enum(["review"]).optional().catch(undefined),
  rating: answerField,
  evidence: answerField,
  naReason: answerField,
  actionText: answerField,
  actionOwner: answerField,
  actionDue: answerField,
});
export type SaveCommand = z.infer<typeof saveCommandSchema>;
export const returnCommandSchema = z.object({ returnId: returnIdSchema, version: z.string().max(200).optional() });
export const requestSignoffSchema = returnCommandSchema.extend({ substituteContact: answerField });
export const sendBackSchema = returnCommandSchema.extend({ comment: answerField });

/** The message builder kinds this feature sends (see section11/messages.ts). */
export const S11_MESSAGES = { signoffRequest: "s11.signoffRequest", decision: "s11.decision" } as const;

/** The sign-off request cards sent for one request: sent once, and redrawn when the request is decided or withdrawn. */
export const signoffCards = (returnId: string, requestSeq: number): Redraw => ({ purpose: `s11.signoff|${returnId}|${requestSeq}`, kind: S11_MESSAGES.signoffRequest });

interface Opened extends ViewContext {
  roles: ReturnRole[] | ["viewer"];
  /** An admin reading an agency's return: read only. */
  asAdmin: boolean;
}

export interface ReturnServiceDeps {
  returns: ReturnsRepo;
  cycles: CyclesRepo;
  agencies: AgenciesRepo;
  catalog: TemplateCatalog;
  access: AccessService;
  now: () => Date;
  settings: () => Promise<PartnershipSettings>;
  accessCache: ReturnAccessCache;
  cycleCache: CycleCache;
  /** An agency's own deadline in a cycle (an extension for it alone: docs/deadlines.md), when it has one. */
  ownDeadline?: (cycleId: string, agencyId: string) => Promise<string | undefined>;
  /** The summary row's first-submission and moderated ratings, shown beside the agency's own when reading a standard (docs/panels.md). */
  summaries?: Pick<ReturnSummariesRepo, "read">;
}

/**
 * The Section 11 return: open, answer indicator by indicator, review, sign off, submit. Every
 * method takes the actor established by the edge and re-checks their access on the return's own
 * access rows (or their admin rights, read only), read in the same request as the data.
 */
export class ReturnService {
  constructor(private readonly deps: ReturnServiceDeps) {}

  private today() {
    return ukDate(this.deps.now());
  }

  /** Creates the return of an agency in a cycle, with its access rows, if it does not exist yet; idempotent. */
  async ensureReturn(cycle: Cycle, agency: Agency): Promise<string> {
    const index = await this.template(cycle);
    const pk = returnPartition(cycle.cycleId, agency.agencyId);
    await this.deps.returns.create(
      newReturnHeader(cycle, agency, this.deps.now().toISOString()),
      index.ordered.map((r) => r.indicator.id),
      await this.deps.access.accessRowsFor(agency.agencyId),
    );
    return pk;
  }

  /** The returns this person works on in open cycles, for the "which return?" choice and the welcome card. */
  async returnsFor(actor: Actor): Promise<Array<{ returnId: string; cycle: Cycle; agencyId: string; agencyName: string; roles: string[] }>> {
    const roles = await this.deps.access.rolesOf(actor);
    if (!roles.agencies.size) return [];
    const cycles = await this.deps.cycles.listOpen();
    const out = [];
    for (const [agencyId, a] of roles.agencies) {
      const agency = await this.deps.agencies.get(agencyId);
      if (!agency) continue;
      for (const cycle of cycles) {
        if (!cycle.partnerships.some((p) => agency.partnerships.includes(p))) continue;
        const returnId = await this.ensureReturn(cycle, agency);
        out.push({ returnId, cycle, agencyId, agencyName: a.agencyName || agency.name, roles: [...a.roles] });
      }
    }
    return out;
  }

  private async template(cycle: Pick<Cycle, "templateId" | "templateVersion">): Promise<TemplateIndex> {
    const index = await this.deps.catalog.get(cycle.templateId, cycle.templateVersion);
    if (!index) throw new Error(`Template ${cycle.templateId} v${cycle.templateVersion} is missing`);
    return index;
  }

  /**
   * One partition read: the return, its access rows, and the check that this actor is on them.
   * A person whose grant exists but whose access row is missing (a grant that stopped part-way)
   * gets the row written now; an admin reads any return, read only.
   */
  private async open(actor: Actor, returnId: string, opts: { freshCycle?: boolean } = {}): Promise<Opened> {
    let loaded = await this.deps.returns.load(returnId);
    const me = actorKey(actor);
    let row = loaded?.access.find((a) => `${a.tenantId}:${a.aadObjectId}` === me);
    if (loaded && (!row || !row.roles.length)) {
      const repaired = await this.deps.access.repairReturnAccess(actor, returnId, loaded.header.agencyId);
      if (repaired.length) {
        loaded = await this.deps.returns.load(returnId);
        row = loaded?.access.find((a) => `${a.tenantId}:${a.aadObjectId}` === me);
      }
    }
    let asAdmin = false;
    if (loaded && (!row || !row.roles.length)) asAdmin = await this.deps.access.isAdmin(actor);
    // Same answer for "no such return" and "not yours": an id guessed from a card reveals nothing.
    if (!loaded || (!asAdmin && (!row || !row.roles.length))) throw new UserFacingError(NO_ACCESS, "denied");
    if (row && !asAdmin) this.deps.accessCache.set(returnId, me, { roles: row.roles, header: loaded.header });
    const cycle = await this.cycleOf(loaded.header, opts.freshCycle);
    return { loaded, roles: asAdmin ? ["viewer"] : row!.roles, asAdmin, index: await this.template(loaded.header), cycle, today: this.today() };
  }

  private async cycleOf(header: ReturnHeader, fresh = false): Promise<Cycle> {
    const load = (id: string) => this.deps.cycles.get(id);
    const cycle = fresh ? await load(header.cycleId) : await this.deps.cycleCache.get(header.cycleId, load);
    return cycle ?? { cycleId: header.cycleId, name: header.cycleId, deadline: "", templateId: header.templateId, templateVersion: header.templateVersion, partnerships: [], status: "closed", createdAt: "", createdBy: "" };
  }

  private has(o: Opened, role: ReturnRole): boolean {
    return (o.roles as string[]).includes(role);
  }

  private canEdit(o: Opened) {
    return this.has(o, "lead") && o.cycle.status === "open";
  }

  private closedNotice(o: Opened): NoticeView | undefined {
    return o.cycle.status === "open" ? undefined : { text: md`The cycle ${o.cycle.name} is closed: this return is read only.`, color: "warning" };
  }

  async overview(actor: Actor, returnId: string, notice?: NoticeView): Promise<OverviewView> {
    // The summary row is read beside the return (checked first), so the overview says when a panel moderated it.
    const opened = await this.open(actor, returnId);
    const [own, beside] = await Promise.all([this.deps.ownDeadline?.(opened.cycle.cycleId, opened.loaded.header.agencyId), this.besideOf(returnId)]);
    const o = own && own > opened.cycle.deadline ? { ...opened, cycle: { ...opened.cycle, deadline: own } } : opened;
    return overviewView(o, { notice: notice ?? this.closedNotice(o) ?? carriedNotice(o, "warning"), canEdit: this.canEdit(o), beside });
  }

  /**
   * Shows one indicator; without an id, where this person left off. With a rating chosen on the
   * card's first step, the card for that rating (nothing is saved until the person saves).
   */
  async step(actor: Actor, returnId: string, indicatorId?: string, opts: { rating?: Rating; returnTo?: "review" } = {}): Promise<IndicatorStepView> {
    const o = await this.open(actor, returnId);
    const id = indicatorId ?? resumePoint(o.index, o.loaded, actorKey(actor));
    if (!o.index.get(id)) throw new UserFacingError(`Indicator "${id}" is not part of this audit. Open the overview to pick one.`, "not_found");
    const canEdit = this.canEdit(o);
    const stored = o.loaded.answers.get(id);
    const shown = canEdit && opts.rating ? { ...(stored ? answerOf(stored) : EMPTY_ANSWER), rating: opts.rating } : undefined;
    const notice = this.closedNotice(o) ?? (canEdit ? this.submittedNotice(o) : undefined) ?? (shown ? { text: md`${RATING_LABELS[opts.rating!]}: fill in what it needs below, then save. Nothing is saved yet.`, color: "default" as const } : undefined);
    return stepView(stepContextOf(o), id, { readOnly: !canEdit, notice, shown, returnTo: opts.returnTo });
  }

  /** Said before a change, so nobody updates a submitted return without knowing. */
  private submittedNotice(o: Opened): NoticeView | undefined {
    const h = o.loaded.header;
    if (h.status !== "submitted") return undefined;
    return { text: md`This return was submitted on ${formatDay(h.lastSubmittedAt)}. A change here marks it "Updated since submission" until your senior officer signs the update off.`, color: "warning" };
  }

  /**
   * Saves one indicator and moves on. The hot path is one request: a transaction that updates the
   * answer on the ETag the card was drawn from and adds the history row, plus, to draw the
   * neighbouring indicator, one point read made at the same time. Authorisation comes from the
   * return's access row, read once and then cached for a few seconds. A stale card or a second
   * lead's newer answer fails the condition and is shown, never overwritten.
   */
  async save(actor: Actor, cmd: SaveCommand): Promise<IndicatorStepView | OverviewView | ReviewView> {
    const auth = await this.authorise(actor, cmd.returnId);
    const index = await this.template(auth.header);
    if (!index.get(cmd.indicatorId)) throw new UserFacingError(`Indicator "${cmd.indicatorId}" is not part of this audit. Open the overview to pick one.`, "not_found");
    const cycle = await this.cycleOf(auth.header);
    const pk = cmd.returnId;
    const step = (answers: StoredAnswer[]): StepContext => ({ index, returnId: pk, agencyName: auth.header.agencyName, answers: new Map(answers.map((a) => [a.indicatorId, a])) });
    if (!auth.roles.includes("lead") || cycle.status !== "open") {
      const current = await this.deps.returns.getAnswer(pk, cmd.indicatorId);
      return stepView(step(current ? [current] : []), cmd.indicatorId, { readOnly: true, notice: { text: cycle.status !== "open" ? md`The cycle ${cycle.name} is closed: answers can no longer change.` : md`Only your agency's safeguarding leads can change answers.`, color: "warning" } });
    }
    const typed = normaliseAnswerInput(cmd as unknown as Record<string, unknown>, this.today(), cmd.storedDue);
    const answer = onlyWhatRatingUses(typed.answer);
    if (typed.problems.length) {
      const current = await this.deps.returns.getAnswer(pk, cmd.indicatorId);
      if (!current) throw new UserFacingError(MISSING_ROW, "not_found");
      return stepView(step([current]), cmd.indicatorId, { shown: typed.answer, problems: typed.problems, returnTo: cmd.returnTo, notice: { text: md`Not saved: ${typed.problems.length === 1 ? "fix the field marked in red" : `fix the ${typed.problems.length} fields marked in red`}, then save again. What you typed is still here.`, color: "attention" } });
    }
    if (isBlank(answer) && cmd.answerDigest === answerDigest(EMPTY_ANSWER)) {
      // An empty card saved: nothing to store, and the card must not claim a draft was saved.
      const current = await this.deps.returns.getAnswer(pk, cmd.indicatorId);
      if (!current) throw new UserFacingError(MISSING_ROW, "not_found");
      return stepView(step([current]), cmd.indicatorId, { notice: { text: md`Nothing saved yet: choose a rating first.`, color: "warning" }, returnTo: cmd.returnTo });
    }
    const neighbourId = cmd.then === "next" ? index.next(cmd.indicatorId)?.indicator.id : cmd.then === "back" ? index.previous(cmd.indicatorId)?.indicator.id : undefined;
    const neighbour = neighbourId ? this.deps.returns.getAnswer(pk, neighbourId) : Promise.resolve(undefined);
    neighbour.catch(() => undefined); // awaited below; avoid an unhandled rejection if the write fails first

    const unchanged = cmd.answerDigest && cmd.answerDigest === answerDigest(answer);
    let stored: StoredAnswer | undefined;
    if (unchanged) {
      stored = await this.deps.returns.getAnswer(pk, cmd.indicatorId); // nothing changed: no write
      if (!stored) throw new UserFacingError(MISSING_ROW, "not_found");
    }
    let saved: StoredAnswer;
    // Saving a carried-forward answer as it is confirms it: a write that clears the mark.
    if (!stored || stored.carriedFrom) {
      const written = await this.write(actor, pk, cmd, answer);
      if ("conflict" in written) return this.conflictView(step(written.latest ? [written.latest] : []), cmd.indicatorId, answer);
      saved = written.saved;
    } else saved = stored;
    const savedAnswer = answerOf(saved);
    const missing = missingForCompletion(savedAnswer);
    const withdrawn = !unchanged && auth.header.status === "awaiting_signoff" ? md` The return was waiting for sign-off: this change withdraws the request; send it again when you are ready.` : md``;
    const blank = isBlank(savedAnswer);
    const savedNotice: NoticeView = { text: unchanged && stored?.carriedFrom ? md`Confirmed ${cmd.indicatorId} as carried forward.${withdrawn}` : md`Saved ${cmd.indicatorId}.${withdrawn}`, color: "good" };
    if (blank) {
      return stepView(step([saved]), cmd.indicatorId, { notice: unchanged ? { text: md`Nothing saved yet: choose a rating first.`, color: "warning" } : { text: md`Cleared the answer to ${cmd.indicatorId}.`, color: "default" }, returnTo: cmd.returnTo });
    }
    if (cmd.then === "stay" || ((cmd.then === "next" || cmd.then === "review") && missing.length)) {
      return stepView(step([saved]), cmd.indicatorId, {
        notice: missing.length ? { text: md`Saved ${cmd.indicatorId} as a draft: ${missing.length === 1 ? "one thing is" : `${missing.length} things are`} still needed to complete it, marked below.${withdrawn}`, color: "warning" } : savedNotice,
        problems: missing,
        skipTo: index.next(cmd.indicatorId)?.indicator.id,
        returnTo: cmd.returnTo,
      });
    }
    if (neighbourId) {
      const n = await neighbour;
      return stepView(step(n ? [saved, n] : [saved]), neighbourId, { notice: savedNotice });
    }
    if (cmd.then === "back") return stepView(step([saved]), cmd.indicatorId, { notice: savedNotice });
    // Overview, review, or past the last indicator: these show the whole return.
    const [o, beside] = await Promise.all([this.open(actor, pk), this.besideOf(pk)]);
    if (cmd.then === "overview") return overviewView(o, { notice: savedNotice, canEdit: true, beside });
    const remaining = incompleteIndicators(o.index, o.loaded.answers).length;
    if (cmd.then === "review") return reviewView(o, { notice: savedNotice, canEdit: true, beside });
    return reviewView(o, { notice: { text: remaining ? md`Saved ${cmd.indicatorId}. ${remaining} indicator(s) still need an answer.` : md`Saved ${cmd.indicatorId}. Every indicator is answered: review and send for sign-off.`, color: remaining ? "warning" : "good" }, canEdit: true, beside });
  }

  /**
   * The conditional write. A 412 whose stored content is still what the card was drawn from means
   * only the row's metadata moved (a sign-off touches every answer): the save is retried once on
   * the new ETag. Otherwise someone changed the answer and the conflict is shown.
   */
  private async write(actor: Actor, pk: string, cmd: SaveCommand, answer: Answer): Promise<{ saved: StoredAnswer } | { conflict: true; latest?: StoredAnswer }> {
    const who = { name: actor.name, key: actorKey(actor) };
    let etag = cmd.etag;
    for (let attempt = 0; attempt < 2; attempt++) {
      const now = this.deps.now().toISOString();
      try {
        const newEtag = await this.deps.returns.saveAnswer(pk, cmd.indicatorId, etag, columnsOf(answer), who, now);
        return { saved: { ...columnsOf(answer), indicatorId: cmd.indicatorId, etag: newEtag, updatedAt: now, updatedBy: actor.name, updatedByKey: who.key } };
      } catch (e) {
        if (isNotFound(e) || (isBatchConflict(e) && /ResourceNotFound/.test(messageOf(e)))) throw new UserFacingError(MISSING_ROW, "not_found");
        if (!isPreconditionFailed(e) && !isBatchConflict(e)) throw e;
        const latest = await this.deps.returns.getAnswer(pk, cmd.indicatorId);
        if (!latest) throw new UserFacingError(MISSING_ROW, "not_found");
        if (attempt === 0 && cmd.answerDigest && answerDigest(answerOf(latest)) === cmd.answerDigest) {
          etag = latest.etag;
          continue;
        }
        return { conflict: true, latest };
      }
    }
    return { conflict: true, latest: await this.deps.returns.getAnswer(pk, cmd.indicatorId) };
  }

  /** Access from the cache, else from the return's header and this person's access row (one request). */
  private async authorise(actor: Actor, returnId: string): Promise<ReturnAccess> {
    const me = actorKey(actor);
    const hit = this.deps.accessCache.get(returnId, me);
    if (hit) return hit;
    let found = await this.deps.returns.loadAccess(returnId, actor.principal);
    if (found && !found.roles.length) {
      const repaired = await this.deps.access.repairReturnAccess(actor, returnId, found.header.agencyId);
      found = { ...found, roles: repaired };
    }
    if (!found || !found.roles.length) throw new UserFacingError(NO_ACCESS, "denied");
    this.deps.accessCache.set(returnId, me, found);
    return found;
  }

  private conflictView(ctx: StepContext, indicatorId: string, typed: Answer): IndicatorStepView {
    const latest = ctx.answers.get(indicatorId);
    const yours = fitText(describeAnswer(typed), 6_000);
    return stepView(ctx, indicatorId, {
      notice: { text: md`${latest?.updatedBy || "Someone"} changed this answer while you were editing. Their answer is in the form below; yours was not saved and is shown just under this message so you can copy what you need.`, color: "attention" },
      yourVersion: yours.cut ? md`${yours.text} … (cut here to fit the card: copy what you need and save again; nothing stored was cut)` : text(yours.text),
    });
  }

  async review(actor: Actor, returnId: string): Promise<ReviewView> {
    // The summary row (one point read, at the same time as the return) holds the first-submission and moderated ratings.
    const [o, beside] = await Promise.all([this.open(actor, returnId), this.besideOf(returnId)]);
    // Opening the review: its state is said once, at the top (a press's answer is also repeated by the buttons).
    return reviewView(o, { canEdit: this.canEdit(o), notice: this.closedNotice(o) ?? carriedNotice(o, "warning"), noticeBelow: false, beside });
  }

  /** What the review shows beside the agency's own ratings (docs/panels.md); nothing before the summary row exists. */
  private async besideOf(returnId: string): Promise<RatingsBeside | undefined> {
    const row = await this.deps.summaries?.read(returnId);
    return row ? { first: row.summary.first, moderated: row.summary.moderated } : undefined;
  }

  /** The officers who may sign off a request made by `requesterKey`, under the partnership's rule. */
  private async signers(o: Opened, requesterKey: string) {
    const separate = (await this.deps.settings()).separateSignoff;
    const officers = o.loaded.access.filter((a) => a.roles.includes("officer"));
    return { separate, officers: separate ? officers.filter((a) => `${a.tenantId}:${a.aadObjectId}` !== requesterKey) : officers, all: officers };
  }

  /** The lead asks the agency's senior officer(s) to sign the return off. */
  async requestSignoff(actor: Actor, returnId: string, substituteContactRaw = ""): Promise<{ view: ReviewView; outbound?: Outbound[] }> {
    const [o, beside] = await Promise.all([this.open(actor, returnId, { freshCycle: true }), this.besideOf(returnId)]);
    const substituteContact = substituteContactRaw.trim().slice(0, 200);
    if (!this.has(o, "lead")) throw new UserFacingError("Only your agency's safeguarding leads can send the return for sign-off.", "denied");
    if (o.cycle.status !== "open") return { view: reviewView(o, { beside, canEdit: false, notice: this.closedNotice(o) }) };
    const status = displayStatus(o.loaded.header, o.loaded.answers.values());
    if (status === "awaiting_signoff") return { view: reviewView(o, { beside, canEdit: true, notice: { text: md`This return is already waiting for sign-off.`, color: "warning" } }) };
    if (status === "submitted") return { view: reviewView(o, { beside, canEdit: true, notice: { text: md`Nothing has changed since the last submission.`, color: "default" } }) };
    const missing = incompleteIndicators(o.index, o.loaded.answers).length;
    if (missing) return { view: reviewView(o, { beside, canEdit: true, substituteContact, notice: { text: md`${missing} indicator(s) still need an answer before sign-off.`, color: "attention" } }) };
    const carried = carriedNotice(o, "attention");
    if (carried) return { view: reviewView(o, { beside, canEdit: true, substituteContact, notice: carried }) };
    const me = actorKey(actor);
    const { separate, officers, all } = await this.signers(o, me);
    const waiting = await this.deps.access.waitingByEmail(o.loaded.header.agencyId, "officer");
    if (!officers.length && !waiting.length) {
      const why = separate && all.length
        ? md`You are the only senior officer registered, and in this partnership the person who signs off must not be the lead who asked. Ask the business manager to add another senior officer, then send again.`
        : md`Your agency has no senior officer registered to sign off. Ask the business manager to add one, then send again.`;
      return { view: reviewView(o, { beside, canEdit: true, substituteContact, notice: { text: why, color: "attention" } }) };
    }
    const now = this.deps.now().toISOString();
    const patch: Partial<ReturnHeader> = { status: "awaiting_signoff", requestSeq: o.loaded.header.requestSeq + 1, signoffRequestedAt: now, signoffRequestedBy: actor.name, signoffRequestedByKey: me, substituteContact, sentBackAt: "", sentBackComment: "", sentBackBy: "", withdrawnAt: "", withdrawnReason: "" };
    try {
      o.loaded.headerEtag = await this.deps.returns.updateHeader(o.loaded.partitionKey, patch, o.loaded.headerEtag);
    } catch (e) {
      if (isPreconditionFailed(e)) return { view: await this.review(actor, returnId) };
      throw e;
    }
    Object.assign(o.loaded.header, patch);
    const names = [...officers.map((x) => x.name || "your senior officer"), ...waiting.map((w) => w.name)];
    const notYet = waiting.length
      ? md` ${waiting.map((w) => `${w.name} (${w.email})`).join(", ")} ${waiting.length === 1 ? "has" : "have"} not opened the Safeguarding Assurance app yet, so ${waiting.length === 1 ? "they were" : "they were each"} sent an e-mail asking them to open it in Teams and type "signoffs". It may help to tell them too.`
      : md``;
    return {
      view: reviewView(o, { beside, canEdit: true, notice: { text: md`Sent for sign-off to ${names.join(", ")}.${notYet}`, color: waiting.length ? "warning" : "good" } }),
      outbound: [
        {
          purpose: signoffCards(returnId, patch.requestSeq!).purpose,
          kind: S11_MESSAGES.signoffRequest,
          params: { returnId, requestSeq: String(patch.requestSeq), agencyName: o.loaded.header.agencyName, cycleName: o.cycle.name, requestedBy: actor.name },
          to: [...officers.map((x) => ({ tenantId: x.tenantId, aadObjectId: x.aadObjectId, name: x.name })), ...waiting],
          tellOnFailure: actor.principal,
        },
      ],
    };
  }

  /** The card a senior officer gets; also what they see when they reopen it. */
  async signoffCard(actor: Actor, returnId: string, notice?: NoticeView): Promise<SignoffRequestView> {
    const o = await this.open(actor, returnId);
    if (!this.has(o, "officer")) throw new UserFacingError("Only your agency's senior officer can sign this return off.", "denied");
    const open = o.cycle.status === "open" && displayStatus(o.loaded.header, o.loaded.answers.values()) === "awaiting_signoff";
    return signoffView(o, { open, notice: notice ?? this.decisionNotice(o), changedSince: open ? await this.changedSinceLast(o) : [] });
  }

  /** Indicators changed since the latest signed-off submission (none before the first). */
  private async changedSinceLast(o: Opened): Promise<string[]> {
    const n = o.loaded.header.submissionCount;
    if (!n) return [];
    const [last] = await this.deps.returns.snapshots(o.loaded.partitionKey, n);
    return changedSince(o.index, o.loaded.answers, last?.answers);
  }

  /** Every answer of one standard, read only: the senior officer's (and the lead's) drill-down before sign-off. */
  async standardAnswers(actor: Actor, returnId: string, standardIndex: number, from: "review" | "signoff"): Promise<StandardAnswersView> {
    const o = await this.open(actor, returnId);
    if (standardIndex >= o.index.template.standards.length) throw new UserFacingError("That standard is not part of this audit.", "not_found");
    const viaSignoff = from === "signoff" && this.has(o, "officer");
    const [changedList, summary] = await Promise.all([this.changedSinceLast(o), this.deps.summaries?.read(returnId)]);
    const changed = new Set(changedList);
    // Beside each self-rating: the rating at first submission and a challenge panel's moderated rating, where there are.
    const beside = summary ? { first: summary.summary.first, moderated: summary.summary.moderated } : undefined;
    // Long answers are cut to fit the card; how much depends on how much escaping they need, so try smaller shares until it fits.
    for (const budget of [STANDARD_TEXT_BUDGET, 10_000, 6_000, 3_000]) {
      const view = standardAnswersView(o, standardIndex, viaSignoff ? "signoff" : "review", changed, undefined, budget, beside);
      if (cardSize(renderCard("standardAnswers", view)) < CARD_SIZE_LIMIT * 0.95) return view;
    }
    return standardAnswersView(o, standardIndex, viaSignoff ? "signoff" : "review", changed, undefined, 1_000, beside);
  }

  /** What a closed sign-off card says about why it is closed. */
  private decisionNotice(o: Opened): NoticeView | undefined {
    const h = o.loaded.header;
    const status = displayStatus(h, o.loaded.answers.values());
    if (o.cycle.status !== "open") return { text: md`The cycle ${o.cycle.name} is closed: this sign-off request was withdrawn.`, color: "warning" };
    if (status === "awaiting_signoff") return undefined;
    if (status === "changed_after_request") return { text: md`The return changed after sign-off was requested: this request is withdrawn until the lead sends it again.`, color: "warning" };
    if (h.status === "submitted") return { text: md`Signed off by ${h.signedOffBy || "a senior officer"} and submitted.`, color: "good" };
    if (h.withdrawnAt) return { text: md`This sign-off request was withdrawn: ${h.withdrawnReason || "the return changed"}.`, color: "warning" };
    if (h.sentBackAt) return { text: md`Sent back to the lead by ${h.sentBackBy || "a senior officer"}.`, color: "warning" };
    return { text: md`This return is not waiting for sign-off.`, color: "default" };
  }

  private refuseIfSeparate(o: Opened, actor: Actor, separate: boolean): NoticeView | undefined {
    if (separate && o.loaded.header.signoffRequestedByKey === actorKey(actor)) {
      return { text: md`You asked for this sign-off as the lead, and in this partnership the person who signs off must be someone else (a second pair of eyes on what is submitted). Another senior officer of your agency needs to sign it off.`, color: "attention" };
    }
    return undefined;
  }

  /**
   * Sign-off and submission in one step by the senior officer, for exactly the version they saw.
   * One transaction, conditional on everything read: the header flips to submitted, the decision
   * row for this request is created (a second decision collides), every answer is checked
   * unchanged, and an immutable snapshot of the submission is written.
   */
  async approve(actor: Actor, returnId: string, seenVersion?: string): Promise<{ view: SignoffRequestView; outbound?: Outbound[]; redraw?: Redraw[] }> {
    const o = await this.open(actor, returnId, { freshCycle: true });
    if (!this.has(o, "officer")) throw new UserFacingError("Only your agency's senior officer can sign this return off.", "denied");
    const h = o.loaded.header;
    const status = displayStatus(h, o.loaded.answers.values());
    if (o.cycle.status !== "open" || status !== "awaiting_signoff") {
      const already = h.status === "submitted" && status === "submitted" ? { text: md`Already signed off by ${h.signedOffBy || "a senior officer"} and submitted.`, color: "good" as const } : undefined;
      return { view: signoffView(o, { open: false, notice: already ?? this.decisionNotice(o) ?? { text: md`This return is no longer waiting for sign-off.`, color: "warning" } }) };
    }
    const { separate } = await this.signers(o, "");
    const refused = this.refuseIfSeparate(o, actor, separate);
    if (refused) return { view: signoffView(o, { open: true, notice: refused }) };
    const version = returnVersion(o.loaded);
    if (seenVersion && seenVersion !== version) {
      return { view: signoffView(o, { open: true, notice: { text: md`The return changed since this card was drawn. This is the current version: read it again before you sign off.`, color: "warning" } }) };
    }
    if (incompleteIndicators(o.index, o.loaded.answers).length) {
      return { view: signoffView(o, { open: false, notice: { text: md`The return is incomplete: the lead needs to finish it and send it again.`, color: "warning" } }) };
    }
    const now = this.deps.now().toISOString();
    const isFirst = h.submissionCount === 0;
    const number = h.submissionCount + 1;
    const patch: Partial<ReturnHeader> = { status: "submitted", lastSubmittedAt: now, submittedBy: actor.name, signedOffBy: actor.name, signedOffByKey: actorKey(actor), submissionCount: number, ...(isFirst ? { firstSubmittedAt: now } : {}) };
    try {
      await this.deps.returns.decide(o.loaded, { decision: "approved", by: actor.name, byKey: actorKey(actor), at: now, version, patch, snapshot: { number } });
    } catch (e) {
      if (isBatchConflict(e) || isPreconditionFailed(e)) return { view: await this.afterLostRace(actor, returnId) };
      throw e;
    }
    Object.assign(h, patch);
    return {
      view: signoffView(o, { open: false, notice: { text: md`Signed off and submitted. Thank you. ${isFirst ? "This first submission is kept as it is for comparison." : `Submission ${number} is kept as signed; the first submission stays unchanged for comparison.`}`, color: "good" } }),
      outbound: [this.decisionMessage(o, returnId, "approved", actor)],
      redraw: [signoffCards(returnId, o.loaded.header.requestSeq)],
    };
  }

  /** Someone else decided, or the return changed, between our read and our write: say which. */
  private async afterLostRace(actor: Actor, returnId: string): Promise<SignoffRequestView> {
    const again = await this.open(actor, returnId);
    const h = again.loaded.header;
    const status = displayStatus(h, again.loaded.answers.values());
    const notice: NoticeView =
      h.status === "submitted"
        ? { text: md`Already signed off by ${h.signedOffBy || "a senior officer"} and submitted${h.signedOffByKey === actorKey(actor) ? " (this was a second click)" : ""}.`, color: "good" }
        : h.sentBackAt && h.status === "draft"
          ? { text: md`${h.sentBackBy || "Another senior officer"} sent this return back at the same moment; nothing was submitted.`, color: "warning" }
          : { text: md`The return changed while you were signing off: read it again.`, color: "warning" };
    return signoffView(again, { open: status === "awaiting_signoff", notice });
  }

  private decisionMessage(o: Opened, returnId: string, decision: "approved" | "sent_back", actor: Actor): Outbound {
    return {
      purpose: `s11.decision|${returnId}|${o.loaded.header.requestSeq}`,
      kind: S11_MESSAGES.decision,
      params: { returnId, decision, by: actor.name },
      to: o.loaded.access.filter((a) => a.roles.includes("lead")).map((x) => ({ tenantId: x.tenantId, aadObjectId: x.aadObjectId, name: x.name })),
    };
  }

  async sendBack(actor: Actor, returnId: string, commentRaw: string, seenVersion?: string): Promise<{ view: SignoffRequestView; outbound?: Outbound[]; redraw?: Redraw[] }> {
    const o = await this.open(actor, returnId, { freshCycle: true });
    if (!this.has(o, "officer")) throw new UserFacingError("Only your agency's senior officer can send this return back.", "denied");
    const comment = commentRaw.trim();
    const status = displayStatus(o.loaded.header, o.loaded.answers.values());
    if (o.cycle.status !== "open" || (status !== "awaiting_signoff" && status !== "changed_after_request") || o.loaded.header.status !== "awaiting_signoff") {
      return { view: signoffView(o, { open: false, notice: this.decisionNotice(o) ?? { text: md`This return is no longer waiting for sign-off.`, color: "warning" } }) };
    }
    if (!comment) return { view: signoffView(o, { open: true, notice: { text: md`Say what needs to change in the comment box, then send it back.`, color: "attention" } }) };
    if (comment.length > 1000) return { view: signoffView(o, { open: true, comment: comment.slice(0, 1000), notice: { text: md`The comment is ${comment.length} characters; the limit is 1,000. We kept the first 1,000.`, color: "attention" } }) };
    const version = returnVersion(o.loaded);
    if (seenVersion && seenVersion !== version && status === "awaiting_signoff") {
      return { view: signoffView(o, { open: true, comment, notice: { text: md`The return changed since this card was drawn. This is the current version: read it again, then send it back if you still want to.`, color: "warning" } }) };
    }
    const now = this.deps.now().toISOString();
    const patch: Partial<ReturnHeader> = { status: "draft", sentBackAt: now, sentBackBy: actor.name, sentBackComment: comment };
    try {
      await this.deps.returns.decide(o.loaded, { decision: "sent_back", by: actor.name, byKey: actorKey(actor), at: now, version, patch });
    } catch (e) {
      if (isBatchConflict(e) || isPreconditionFailed(e)) return { view: await this.afterLostRace(actor, returnId) };
      throw e;
    }
    Object.assign(o.loaded.header, patch);
    return {
      view: signoffView(o, { open: false, comment, notice: { text: md`Sent back to the lead with your comment.`, color: "good" } }),
      outbound: [this.decisionMessage(o, returnId, "sent_back", actor)],
      redraw: [signoffCards(returnId, o.loaded.header.requestSeq)],
    };
  }

  /**
   * Withdraws a pending request without a decision (the cycle closed): the same collision-safe
   * decision row as a sign-off, so a sign-off racing the close either wins or is refused.
   */
  async withdrawPending(header: ReturnHeader & { partitionKey: string }, reason: string, by: { name: string; key: string }): Promise<number | undefined> {
    const loaded = await this.deps.returns.load(header.partitionKey);
    if (!loaded || loaded.header.status !== "awaiting_signoff") return undefined;
    const now = this.deps.now().toISOString();
    try {
      await this.deps.returns.decide(loaded, { decision: "withdrawn", by: by.name, byKey: by.key, at: now, version: returnVersion(loaded), patch: { status: "draft", withdrawnAt: now, withdrawnReason: reason } });
      return loaded.header.requestSeq;
    } catch (e) {
      if (isBatchConflict(e) || isPreconditionFailed(e)) return undefined;
      throw e;
    }
  }

  /** Every signed-off submission of a return, for the people on it and admins. */
  async snapshots(actor: Actor, returnId: string): Promise<Snapshot[]> {
    await this.open(actor, returnId);
    return this.deps.returns.snapshots(returnId);
  }

  /** The immutable first submission: the baseline for "first submission vs now". */
  async firstSubmission(actor: Actor, returnId: string): Promise<Map<string, Answer> | undefined> {
    await this.open(actor, returnId);
    const [first] = await this.deps.returns.snapshots(returnId, 1);
    return first ? new Map([...first.answers].map(([id, a]) => [id, answerOf(a)])) : undefined;
  }

  /** The audit trail of one indicator (who changed what, when), for admins and the people on the return. */
  async history(actor: Actor, returnId: string, indicatorId: string): Promise<{ opened: Opened; entries: HistoryEntry[] }> {
    const opened = await this.open(actor, returnId);
    if (!opened.index.get(indicatorId)) throw new UserFacingError(`Indicator "${indicatorId}" is not part of this audit.`, "not_found");
    return { opened, entries: await this.deps.returns.history(returnId, indicatorId) };
  }

  /** For the history card: the return's name and the indicator's question. */
  describe(o: Opened, indicatorId: string): { agencyName: string; question: string; cycleName: string } {
    return { agencyName: o.loaded.header.agencyName, question: o.index.get(indicatorId)?.indicator.text ?? indicatorId, cycleName: o.cycle.name };
  }
}

export type { Opened as OpenedReturn };

/**
 * Carried-forward answers still to confirm block sign-off (docs/cycles.md): a return is submitted
 * only once its lead has looked at every answer this cycle. Said on the review and the overview.
 */
function carriedNotice(o: Pick<Opened, "loaded" | "index">, color: "warning" | "attention"): NoticeView | undefined {
  const ids = o.index.ordered.map((r) => r.indicator.id).filter((id) => o.loaded.answers.get(id)?.carriedFrom);
  if (!ids.length) return undefined;
  // A few ids, not a wall: the review lists every one, each a tap away.
  const list = ids.length > 5 ? `${ids.slice(0, 3).join(", ")} and ${ids.length - 3} more` : ids.join(", ");
  return { text: md`${ids.length} ${ids.length === 1 ? "answer was" : "answers were"} carried forward from the previous cycle (${list}): confirm or change each. The return cannot be sent for sign-off until every carried answer is confirmed.`, color };
}
