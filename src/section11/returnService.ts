import { z } from "zod/v4";
import type { IndicatorStepView, NoticeView, OverviewView, ReviewView, SignoffRequestView } from "../cards/views";
import type { Actor } from "../people/actor";
import { actorKey } from "../people/actor";
import type { AccessService } from "../people/accessService";
import type { Agency, AgenciesRepo } from "../storage/agenciesRepo";
import type { Cycle, CyclesRepo } from "../storage/cyclesRepo";
import { isBatchConflict, isNotFound, isPreconditionFailed } from "../storage/errors";
import { splitKey } from "../storage/keys";
import { HISTORY_TRIM_AT, returnPartition, type ReturnHeader, type ReturnRole, type ReturnsRepo, type StoredAnswer } from "../storage/returnsRepo";
import { EMPTY_ANSWER, answerFingerprint, missingForCompletion, normaliseAnswerInput, type Answer } from "./answer";
import { NO_ACCESS, UserFacingError } from "./errors";
import { describeAnswer, overviewView, reviewView, signoffView, stepContextOf, stepView, type StepContext, type ViewContext } from "./returnViews";
import { ReturnAccessCache, type ReturnAccess } from "./returnAccessCache";
import { displayStatus, incompleteIndicators, resumePoint } from "./status";
import type { TemplateCatalog } from "./templateCatalog";
import type { TemplateIndex } from "./template";
import { NAV, type Nav } from "./verbs";

const MISSING_ROW = "That answer does not exist in this return (it may have been added to the template later). Open the overview to carry on.";

/** Card payloads are untrusted: bounded strings only; everything else is re-derived from storage. */
const returnIdSchema = z.string().min(3).max(300).refine((s) => splitKey(s).length === 2, "not a return id");
export const stepCommandSchema = z.object({ returnId: returnIdSchema, indicatorId: z.string().max(40).optional() });
export const saveCommandSchema = z.object({
  returnId: returnIdSchema,
  indicatorId: z.string().min(1).max(40),
  etag: z.string().max(200).default(""),
  fp: z.string().max(40).default(""),
  origDue: z.string().max(10).default(""),
  /** History entries on the row when the card was drawn; a hint for trimming, never trusted for more. */
  hn: z.coerce.number().int().min(0).max(10_000).catch(0).default(0),
  go: z.enum(NAV).default("stay"),
});
export const returnCommandSchema = z.object({ returnId: returnIdSchema, version: z.string().max(200).optional() });

export interface Notify {
  /** People to tell, with the card view to send them. */
  to: Array<{ tenantId: string; aadObjectId: string; name: string }>;
  kind: "signoff_request" | "signed_off" | "sent_back";
  returnId: string;
}

interface Opened extends ViewContext {
  roles: ReturnRole[];
}

/**
 * The Section 11 return: open, answer indicator by indicator, review, sign off, submit. Every
 * method takes the actor established by the edge and re-checks their access on the return's own
 * access rows, read in the same request as the data.
 */
export class ReturnService {
  constructor(
    private readonly deps: {
      returns: ReturnsRepo;
      cycles: CyclesRepo;
      agencies: AgenciesRepo;
      catalog: TemplateCatalog;
      access: AccessService;
      now: () => Date;
      accessCache?: ReturnAccessCache;
    },
  ) {
    this.accessCache = deps.accessCache ?? new ReturnAccessCache();
  }

  private readonly accessCache: ReturnAccessCache;

  private today() {
    return this.deps.now().toISOString().slice(0, 10);
  }

  /** Creates the return of an agency in a cycle if it does not exist yet; idempotent. */
  async ensureReturn(cycle: Cycle, agency: Agency): Promise<string> {
    const index = await this.template(cycle);
    const pk = returnPartition(cycle.cycleId, agency.agencyId);
    const created = await this.deps.returns.create(
      {
        cycleId: cycle.cycleId,
        agencyId: agency.agencyId,
        agencyName: agency.name,
        sector: agency.sector,
        templateId: cycle.templateId,
        templateVersion: cycle.templateVersion,
        status: "draft",
        createdAt: this.deps.now().toISOString(),
        submissionCount: 0,
      },
      index.ordered.map((r) => r.indicator.id),
    );
    // Access rows of an existing return are kept in step by AccessService.grant.
    if (!created) return pk;
    for (const row of await this.deps.access.accessRowsFor(agency.agencyId)) {
      await this.deps.returns.upsertAccess(pk, { ...row.principal, name: row.name }, row.roles);
    }
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

  /** One partition read: the return, its access rows, and the check that this actor is on them. */
  private async open(actor: Actor, returnId: string): Promise<Opened> {
    const loaded = await this.deps.returns.load(returnId);
    const me = actorKey(actor);
    const row = loaded?.access.find((a) => `${a.tenantId}:${a.aadObjectId}` === me);
    // Same answer for "no such return" and "not yours": an id guessed from a card reveals nothing.
    if (!loaded || !row || row.roles.length === 0) throw new UserFacingError(NO_ACCESS, "denied");
    this.accessCache.set(returnId, me, { roles: row.roles, header: loaded.header });
    const cycle = await this.cycleById(loaded.header.cycleId, loaded.header);
    return { loaded, roles: row.roles, index: await this.template(loaded.header), cycle, today: this.today() };
  }

  private readonly cycleCache = new Map<string, { cycle: Cycle; at: number }>();
  /** Cycles change rarely (name, deadline); a short cache keeps a step to one storage read plus the write. */
  private async cycleById(cycleId: string, header: ReturnHeader): Promise<Cycle> {
    const hit = this.cycleCache.get(cycleId);
    if (hit && Date.now() - hit.at < 30_000) return hit.cycle;
    const cycle = (await this.deps.cycles.get(cycleId)) ?? {
      cycleId, name: cycleId, deadline: "", templateId: header.templateId, templateVersion: header.templateVersion, partnerships: [], status: "open" as const, createdAt: "", createdBy: "",
    };
    this.cycleCache.set(cycle.cycleId, { cycle, at: Date.now() });
    return cycle;
  }

  private canEdit(o: Opened) {
    return o.roles.includes("lead") && o.cycle.status === "open";
  }

  async overview(actor: Actor, returnId: string, notice?: NoticeView): Promise<OverviewView> {
    const o = await this.open(actor, returnId);
    return overviewView(o, { notice, canEdit: this.canEdit(o) });
  }

  /** Shows one indicator; without an id, where this person left off. */
  async step(actor: Actor, returnId: string, indicatorId?: string): Promise<IndicatorStepView> {
    const o = await this.open(actor, returnId);
    const id = indicatorId ?? resumePoint(o.index, o.loaded, actorKey(actor));
    if (!o.index.get(id)) throw new UserFacingError(`Indicator "${id}" is not part of this audit. Open the overview to pick one.`, "not_found");
    return stepView(stepContextOf(o), id, { readOnly: !this.canEdit(o) });
  }

  /**
   * Saves one indicator and moves on. The hot path costs one conditional write (the card carries
   * the ETag and a digest of the answer it was drawn from), plus, to draw the neighbouring
   * indicator, one point read made at the same time. Authorisation comes from the return's access
   * row, read once and then cached for a few seconds (ReturnAccessCache). A stale card or a second
   * lead's newer answer fails the condition and is shown, never overwritten.
   */
  async save(actor: Actor, cmd: z.infer<typeof saveCommandSchema>, raw: Record<string, unknown>): Promise<IndicatorStepView | OverviewView | ReviewView> {
    const auth = await this.authorise(actor, cmd.returnId);
    const index = await this.template(auth.header);
    if (!index.get(cmd.indicatorId)) throw new UserFacingError(`Indicator "${cmd.indicatorId}" is not part of this audit. Open the overview to pick one.`, "not_found");
    const cycle = await this.cycleById(auth.header.cycleId, auth.header);
    const pk = cmd.returnId;
    const step = (answers: StoredAnswer[]): StepContext => ({ index, returnId: pk, agencyName: auth.header.agencyName, answers: new Map(answers.map((a) => [a.indicatorId, a])) });
    if (!auth.roles.includes("lead") || cycle.status !== "open") {
      const current = await this.deps.returns.getAnswer(pk, cmd.indicatorId);
      return stepView(step(current ? [current] : []), cmd.indicatorId, { readOnly: true, notice: { text: cycle.status !== "open" ? "This cycle is closed: answers can no longer change." : "Only your agency's safeguarding leads can change answers.", color: "warning" } });
    }
    const { answer, problems } = normaliseAnswerInput(raw, this.today(), { ...EMPTY_ANSWER, actionDue: cmd.origDue });
    if (problems.length) {
      const current = await this.deps.returns.getAnswer(pk, cmd.indicatorId);
      if (!current) throw new UserFacingError(MISSING_ROW, "not_found");
      return stepView(step([current]), cmd.indicatorId, { shown: answer, problems: problems.map((p) => p.message), notice: { text: "Not saved yet: please fix what is marked below.", color: "attention" } });
    }
    const neighbourId = cmd.go === "next" ? index.next(cmd.indicatorId)?.indicator.id : cmd.go === "back" ? index.previous(cmd.indicatorId)?.indicator.id : undefined;
    const neighbour = neighbourId ? this.deps.returns.getAnswer(pk, neighbourId) : Promise.resolve(undefined);
    neighbour.catch(() => undefined); // awaited below; avoid an unhandled rejection if the write fails first

    let saved: StoredAnswer | undefined;
    if (cmd.fp && cmd.fp === answerFingerprint(answer)) {
      saved = await this.deps.returns.getAnswer(pk, cmd.indicatorId); // nothing changed: no write
      if (!saved) throw new UserFacingError(MISSING_ROW, "not_found");
    } else {
      const now = this.deps.now().toISOString();
      try {
        const etag = await this.deps.returns.updateAnswer(pk, { indicatorId: cmd.indicatorId, etag: cmd.etag || "\"none\"", historyCount: cmd.hn }, answer, { name: actor.name, key: actorKey(actor) }, now);
        saved = { ...answer, indicatorId: cmd.indicatorId, etag, updatedAt: now, updatedBy: actor.name, updatedByKey: actorKey(actor), history: [], historyCount: cmd.hn >= HISTORY_TRIM_AT ? HISTORY_TRIM_AT / 2 + 1 : cmd.hn + 1 };
      } catch (e) {
        if (isPreconditionFailed(e)) {
          const latest = await this.deps.returns.getAnswer(pk, cmd.indicatorId);
          return this.conflictView(step(latest ? [latest] : []), cmd.indicatorId, answer);
        }
        if (isNotFound(e)) throw new UserFacingError(MISSING_ROW, "not_found");
        throw e;
      }
    }
    const savedNotice: NoticeView = { text: "Saved.", color: "good" };
    const missing = missingForCompletion(saved);
    if (cmd.go === "stay" || (cmd.go === "next" && missing.length)) {
      return stepView(step([saved]), cmd.indicatorId, {
        notice: missing.length ? { text: "Saved as a draft. To complete this indicator:", color: "warning" } : savedNotice,
        problems: missing.map((m) => m.message),
        skipTo: index.next(cmd.indicatorId)?.indicator.id,
      });
    }
    if (neighbourId) {
      const n = await neighbour;
      return stepView(step(n ? [saved, n] : [saved]), neighbourId, { notice: { text: `Saved ${cmd.indicatorId}.`, color: "good" } });
    }
    if (cmd.go === "back") return stepView(step([saved]), cmd.indicatorId, { notice: savedNotice });
    // Overview, review, or past the last indicator: these show the whole return.
    const o = await this.open(actor, pk);
    if (cmd.go === "overview") return overviewView(o, { notice: savedNotice, canEdit: true });
    const remaining = incompleteIndicators(o.index, o.loaded.answers).length;
    if (cmd.go === "review") return reviewView(o, { notice: savedNotice, canEdit: true });
    return reviewView(o, { notice: { text: remaining ? `Saved. ${remaining} indicator(s) still need an answer.` : "Saved. Every indicator is answered: review and send for sign-off.", color: remaining ? "warning" : "good" }, canEdit: true });
  }

  /** Access from the cache, else from the return's header and this person's access row (one request). */
  private async authorise(actor: Actor, returnId: string): Promise<ReturnAccess> {
    const me = actorKey(actor);
    const hit = this.accessCache.get(returnId, me);
    if (hit) return hit;
    const found = await this.deps.returns.loadAccess(returnId, actor.principal);
    if (!found || !found.roles.length) throw new UserFacingError(NO_ACCESS, "denied");
    this.accessCache.set(returnId, me, found);
    return found;
  }

  private conflictView(ctx: StepContext, indicatorId: string, typed: Answer): IndicatorStepView {
    const latest = ctx.answers.get(indicatorId);
    return stepView(ctx, indicatorId, {
      notice: { text: `${latest?.updatedBy || "Someone"} changed this answer while you were editing. Below is their answer; yours was not saved and is shown at the end so you can copy what you need.`, color: "attention" },
      yourVersion: describeAnswer(typed),
    });
  }

  async review(actor: Actor, returnId: string): Promise<ReviewView> {
    const o = await this.open(actor, returnId);
    return reviewView(o, { canEdit: this.canEdit(o) });
  }

  /** The lead asks the agency's senior officer(s) to sign the return off. */
  async requestSignoff(actor: Actor, returnId: string, raw: Record<string, unknown>): Promise<{ view: ReviewView; notify?: Notify }> {
    const o = await this.open(actor, returnId);
    const substituteContact = typeof raw.substituteContact === "string" ? raw.substituteContact.trim().slice(0, 200) : "";
    if (!this.canEdit(o)) throw new UserFacingError("Only your agency's safeguarding leads can send the return for sign-off.", "denied");
    const status = displayStatus(o.loaded.header, o.loaded.answers.values());
    if (status === "awaiting_signoff") return { view: reviewView(o, { canEdit: true, notice: { text: "This return is already waiting for sign-off.", color: "warning" } }) };
    if (status === "submitted") return { view: reviewView(o, { canEdit: true, notice: { text: "Nothing has changed since the last submission.", color: "default" } }) };
    const missing = incompleteIndicators(o.index, o.loaded.answers).length;
    if (missing) return { view: reviewView(o, { canEdit: true, substituteContact, notice: { text: `${missing} indicator(s) still need an answer before sign-off.`, color: "attention" } }) };
    const officers = o.loaded.access.filter((a) => a.roles.includes("officer"));
    if (!officers.length) return { view: reviewView(o, { canEdit: true, substituteContact, notice: { text: "Your agency has no senior officer registered to sign off. Ask the business manager to add one, then send again.", color: "attention" } }) };
    const now = this.deps.now().toISOString();
    try {
      o.loaded.headerEtag = await this.deps.returns.updateHeader(o.loaded.partitionKey, { status: "awaiting_signoff", signoffRequestedAt: now, signoffRequestedBy: actor.name, substituteContact, sentBackAt: "", sentBackComment: "", sentBackBy: "" }, o.loaded.headerEtag);
    } catch (e) {
      if (isPreconditionFailed(e)) return { view: await this.review(actor, returnId) };
      throw e;
    }
    Object.assign(o.loaded.header, { status: "awaiting_signoff", signoffRequestedAt: now, signoffRequestedBy: actor.name, substituteContact });
    return {
      view: reviewView(o, { canEdit: true, notice: { text: `Sent for sign-off to ${officers.map((x) => x.name || "your senior officer").join(", ")}.`, color: "good" } }),
      notify: { to: officers.map((x) => ({ tenantId: x.tenantId, aadObjectId: x.aadObjectId, name: x.name })), kind: "signoff_request", returnId },
    };
  }

  /** The card a senior officer gets; also what they see when they reopen it. */
  async signoffCard(actor: Actor, returnId: string, notice?: NoticeView): Promise<SignoffRequestView> {
    const o = await this.open(actor, returnId);
    if (!o.roles.includes("officer")) throw new UserFacingError("Only your agency's senior officer can sign this return off.", "denied");
    return signoffView(o, { open: displayStatus(o.loaded.header, o.loaded.answers.values()) === "awaiting_signoff", notice });
  }

  /**
   * Sign-off and submission in one step by the senior officer. One transaction flips the status
   * and, the first time, keeps an immutable copy of every answer.
   */
  async approve(actor: Actor, returnId: string): Promise<{ view: SignoffRequestView; notify?: Notify }> {
    const o = await this.open(actor, returnId);
    if (!o.roles.includes("officer")) throw new UserFacingError("Only your agency's senior officer can sign this return off.", "denied");
    const h = o.loaded.header;
    if (h.status !== "awaiting_signoff") {
      const text = h.status === "submitted" ? `Already signed off by ${h.signedOffBy || "a senior officer"} and submitted.` : "This return is no longer waiting for sign-off (the lead changed it or withdrew it).";
      return { view: signoffView(o, { open: false, notice: { text, color: h.status === "submitted" ? "good" : "warning" } }) };
    }
    const changedAfter = [...o.loaded.answers.values()].some((a) => a.updatedAt > (h.signoffRequestedAt ?? ""));
    if (changedAfter || incompleteIndicators(o.index, o.loaded.answers).length) {
      return { view: signoffView(o, { open: false, notice: { text: "The return changed after sign-off was requested. The lead needs to send it again.", color: "warning" } }) };
    }
    const now = this.deps.now().toISOString();
    const isFirst = h.submissionCount === 0;
    const patch = { status: "submitted" as const, lastSubmittedAt: now, submittedBy: actor.name, signedOffBy: actor.name, submissionCount: h.submissionCount + 1, ...(isFirst ? { firstSubmittedAt: now } : {}) };
    try {
      await this.deps.returns.submit(o.loaded, patch, isFirst);
    } catch (e) {
      if (isBatchConflict(e) || isPreconditionFailed(e)) {
        const again = await this.open(actor, returnId);
        return { view: signoffView(again, { open: false, notice: { text: again.loaded.header.status === "submitted" ? "Already submitted (this was a second click)." : "The return changed while you were signing off: please look again.", color: "warning" } }) };
      }
      throw e;
    }
    Object.assign(h, patch);
    return {
      view: signoffView(o, { open: false, notice: { text: `Signed off and submitted. Thank you. ${isFirst ? "This first submission is kept as it is for comparison." : "The first submission is kept unchanged for comparison."}`, color: "good" } }),
      notify: { to: o.loaded.access.filter((a) => a.roles.includes("lead")).map((x) => ({ tenantId: x.tenantId, aadObjectId: x.aadObjectId, name: x.name })), kind: "signed_off", returnId },
    };
  }

  async sendBack(actor: Actor, returnId: string, raw: Record<string, unknown>): Promise<{ view: SignoffRequestView; notify?: Notify }> {
    const o = await this.open(actor, returnId);
    if (!o.roles.includes("officer")) throw new UserFacingError("Only your agency's senior officer can send this return back.", "denied");
    const comment = typeof raw.comment === "string" ? raw.comment.trim() : "";
    if (o.loaded.header.status !== "awaiting_signoff") return { view: signoffView(o, { open: false, notice: { text: "This return is no longer waiting for sign-off.", color: "warning" } }) };
    if (!comment) return { view: signoffView(o, { open: true, notice: { text: "Say what needs to change in the comment box, then send it back.", color: "attention" } }) };
    if (comment.length > 1000) return { view: signoffView(o, { open: true, comment: comment.slice(0, 1000), notice: { text: `The comment is ${comment.length.toLocaleString("en-GB")} characters; the limit is 1,000. We kept the first 1,000.`, color: "attention" } }) };
    const now = this.deps.now().toISOString();
    try {
      await this.deps.returns.updateHeader(o.loaded.partitionKey, { status: "draft", sentBackAt: now, sentBackBy: actor.name, sentBackComment: comment }, o.loaded.headerEtag);
    } catch (e) {
      if (isPreconditionFailed(e)) return { view: await this.signoffCard(actor, returnId, { text: "The return changed meanwhile: look again.", color: "warning" }) };
      throw e;
    }
    Object.assign(o.loaded.header, { status: "draft", sentBackAt: now, sentBackBy: actor.name, sentBackComment: comment });
    return {
      view: signoffView(o, { open: false, notice: { text: "Sent back to the lead with your comment.", color: "good" } }),
      notify: { to: o.loaded.access.filter((a) => a.roles.includes("lead")).map((x) => ({ tenantId: x.tenantId, aadObjectId: x.aadObjectId, name: x.name })), kind: "sent_back", returnId },
    };
  }

  /** For tests and exports: the immutable first submission. */
  async firstSubmission(actor: Actor, returnId: string) {
    await this.open(actor, returnId);
    return this.deps.returns.loadFirstSubmission(returnId);
  }
}
