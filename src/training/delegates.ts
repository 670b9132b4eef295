import { z } from "zod/v4";
import { md, NO_TEXT, text } from "../cards/text";
import type { MessageView, NoticeView, TextColor } from "../cards/views";
import { UserFacingError } from "../errors";
import type { Actor } from "../people/actor";
import { mapPool } from "../admin/pool";
import type { RosterMember } from "../routes";
import type { TrainingDeps } from "./deps";
import { checkDelegate } from "./delegateRules";
import { DELEGATE_COLUMNS_TEXT, parseDelegateCsv } from "./delegateCsv";
import { requireTrainer } from "./officers";
import { reachOf, rowsByDelegate } from "./reach";
import type { EvaluationRounds } from "./rounds";
import type { SessionPages } from "./sessions";
import { answeredAt, EVALUATION_KINDS, sentAt, type Delegate, type DelegateInput, type DelegateSource, type Session } from "./types";
import { formatSessionDay } from "./ukTime";
import { act, asText, nav, plural } from "./ui";
import { TRAINING_VERBS } from "./verbs";
import type { DelegateFormView, DelegateImportView, DelegateListView } from "./views";

const field = z.unknown().transform(asText);
export const delegateInput = z.object({ sessionId: z.string().regex(/^s-[a-z0-9]{10}$/), name: field, email: field, agency: field, managerName: field, managerEmail: field });

const PAGE = 20;
/** How long after "Add delegates from a CSV file" a file sent in chat goes to that session. */
const TARGET_MINUTES = 60;

const DEMO_DELEGATES: Array<Omit<DelegateInput, "managerName" | "managerEmail"> & { manager: string }> = [
  { name: "Demo: Sam Patel", email: "sam.patel@southdown-health.example", agency: "Southdown Community Health NHS Trust", manager: "Jo Whitfield" },
  { name: "Demo: Chloe Evans", email: "chloe.evans@southdown-health.example", agency: "Southdown Community Health NHS Trust", manager: "Jo Whitfield" },
  { name: "Demo: Marcus Reid", email: "marcus.reid@southcoast-police.example", agency: "South Coast Police", manager: "Insp. Dev Anand" },
  { name: "Demo: Aisha Khan", email: "aisha.khan@st-aidans.example", agency: "St Aidan's C of E Primary School", manager: "Ruth Bell" },
  { name: "Demo: Tom Baker", email: "tom.baker@westmere-council.example", agency: "Westmere Council Children's Services", manager: "Priti Shah" },
  { name: "Demo: Ewa Nowak", email: "ewa.nowak@westmere-council.example", agency: "Westmere Council Children's Services", manager: "Priti Shah" },
];
const demoManagerEmail = (manager: string) => `${manager.toLowerCase().replace(/[^a-z]+/g, ".").replace(/^\.|\.$/g, "")}@manager.example`;

/** Booking delegates on a session (form, CSV, a Teams roster), merging the same person instead of doubling them, and listing where each stands. */
export class DelegateBook {
  constructor(private readonly d: TrainingDeps, private readonly rounds: EvaluationRounds, private readonly sessions: SessionPages) {}

  /**
   * Books each person once per session: their id comes from their e-mail (or Teams identity), so
   * the same person again is found, and what the new entry adds (agency, manager, Teams identity)
   * is merged in. People added after the evaluation went out are sent it at once.
   */
  async addMany(actor: Actor, session: Session, inputs: DelegateInput[], source: DelegateSource): Promise<{ added: Delegate[]; merged: Delegate[] }> {
    const added: Delegate[] = [];
    const merged: Delegate[] = [];
    await mapPool(inputs, 8, async (input) => {
      const delegateId = this.d.keys.delegateId(input.email ? { email: input.email } : { tenantId: input.tenantId, aadObjectId: input.aadObjectId });
      const row: Omit<Delegate, "etag"> = { sessionId: session.sessionId, delegateId, ...input, attended: true, source, addedAt: this.d.now().toISOString(), addedBy: actor.name };
      if (await this.d.repo.createDelegate(row)) {
        added.push({ ...row, etag: "" });
        return;
      }
      const after = await this.d.repo.changeDelegate(session.sessionId, delegateId, (cur) => {
        const patch: Partial<Delegate> = {};
        for (const k of ["name", "email", "agency", "managerName", "managerEmail"] as const) if (!cur[k] && input[k]) patch[k] = input[k];
        if (!cur.aadObjectId && input.aadObjectId && input.tenantId) Object.assign(patch, { tenantId: input.tenantId, aadObjectId: input.aadObjectId });
        return patch;
      });
      if (after) merged.push(after);
    });
    if (added.length) for (const kind of EVALUATION_KINDS) if (sentAt(session, kind)) await this.rounds.send(session.sessionId, kind);
    return { added, merged };
  }

  private formActions(sessionId: string) {
    return [act("Add the delegate", TRAINING_VERBS.delegateAdd, { sessionId }, "positive"), nav("Back to the session", TRAINING_VERBS.session, { sessionId })];
  }

  private title(s: Session) {
    return text(`${s.courseTitle}: ${formatSessionDay(s.startsAt)}`);
  }

  async form(actor: Actor, sessionId: string, notice?: NoticeView): Promise<DelegateFormView> {
    await requireTrainer(this.d.access, actor);
    const s = await this.sessions.get(sessionId);
    return { sessionId, sessionTitle: this.title(s), name: "", email: "", agency: "", managerName: "", managerEmail: "", problems: [], notice, actions: this.formActions(sessionId) };
  }

  async add(actor: Actor, input: z.infer<typeof delegateInput>): Promise<DelegateFormView> {
    await requireTrainer(this.d.access, actor);
    const s = await this.sessions.get(input.sessionId);
    const checked = checkDelegate(input, { name: "The name", email: "The e-mail address", agency: "The agency", managerName: "The manager's name", managerEmail: "The manager's e-mail address" });
    if (checked.problems.length) {
      return { sessionId: s.sessionId, sessionTitle: this.title(s), ...checked.shown, problems: checked.problems.map(text), notice: { text: md`Nobody was added yet: please fix what is listed below.`, color: "attention" }, actions: this.formActions(s.sessionId) } as DelegateFormView;
    }
    const r = await this.addMany(actor, s, [checked.value], "form");
    const note = r.added.length ? md`${checked.value.name} is booked. Add the next delegate, or go back to the session.` : md`${checked.value.name} was already booked (same e-mail address): what you gave was added to their entry.`;
    return this.form(actor, s.sessionId, { text: note, color: "good" });
  }

  /** The officer books themselves, to see the evaluation as a delegate does. */
  async addMe(actor: Actor, sessionId: string) {
    await requireTrainer(this.d.access, actor);
    const s = await this.sessions.get(sessionId);
    const me = await this.d.people.get(actor.principal);
    const r = await this.addMany(actor, s, [{ name: actor.name || me?.name || "Training officer", email: me?.email ?? "", agency: "", managerName: "", managerEmail: "", tenantId: actor.principal.tenantId, aadObjectId: actor.principal.aadObjectId }], "form");
    return this.sessions.view(actor, sessionId, { text: r.added.length ? md`You are booked on this session: close it to receive the evaluation card here.` : md`You were already booked on this session.`, color: "good" });
  }

  /** Local mode only: a handful of invented delegates with e-mail addresses, so the e-mail and web-link path can be tried. */
  async demo(actor: Actor, sessionId: string) {
    await requireTrainer(this.d.access, actor);
    if (!this.d.config.localMode) throw new UserFacingError("Demo delegates are only available when the bot runs locally.", "denied");
    const s = await this.sessions.get(sessionId);
    const inputs = DEMO_DELEGATES.map(({ manager, ...x }) => ({ ...x, managerName: manager, managerEmail: demoManagerEmail(manager) }));
    const r = await this.addMany(actor, s, inputs, "demo");
    return this.sessions.view(actor, sessionId, { text: md`${plural(r.added.length, "demo delegate")} added (${r.merged.length} already there). They are reached by e-mail: in local mode each e-mail is a .eml file under .data/outbox/.`, color: "good" });
  }

  /** "Add delegates from a CSV file": the next file the officer sends in chat goes to this session. */
  async csvTarget(actor: Actor, sessionId: string): Promise<MessageView> {
    await requireTrainer(this.d.access, actor);
    const s = await this.sessions.get(sessionId);
    await this.d.repo.setTarget(actor.principal, sessionId, new Date(this.d.now().getTime() + TARGET_MINUTES * 60_000).toISOString());
    return {
      title: text("Send the CSV file in this chat"),
      text: md`The next .csv file you send here in the next hour is added to ${s.courseTitle} on ${formatSessionDay(s.startsAt)}. Columns: ${DELEGATE_COLUMNS_TEXT}. A header row names them, in any order. Each row is reported: added, merged with an earlier row or booking (same e-mail), or not added and why.`,
      color: "default",
      facts: [],
      actions: [nav("Back to the session", TRAINING_VERBS.session, { sessionId })],
    };
  }

  /** A CSV file sent in chat: its rows booked on the session the officer chose, with a report per row. */
  async importCsv(actor: Actor, content: string): Promise<DelegateImportView> {
    await requireTrainer(this.d.access, actor);
    const t = await this.d.repo.getTarget(actor.principal);
    if (!t || t.until < this.d.now().toISOString()) {
      return { title: text("Which session is this list for?"), summaryText: md`Open the session in "training", press "Add delegates from a CSV file", then send the file again.`, color: "warning", added: [], rejected: [], moreText: NO_TEXT, actions: [act("Training", TRAINING_VERBS.home, {}, "positive")] };
    }
    return this.importFile(actor, t.sessionId, content);
  }

  /** Books a CSV file's delegates on a session. Callers check rights first (the chat: the officer role; the command line: access to storage). */
  async importFile(actor: Actor, sessionId: string, content: string): Promise<DelegateImportView> {
    const s = await this.sessions.get(sessionId);
    const parsed = parseDelegateCsv(content);
    const back = [act("Back to the session", TRAINING_VERBS.session, { sessionId: s.sessionId }, "positive")];
    if (!parsed.ok) return { title: text("The file was not imported"), summaryText: text(parsed.error), color: "attention", added: [], rejected: [], moreText: NO_TEXT, actions: back };
    const r = await this.addMany(actor, s, parsed.accepted.map((x) => x.value), "csv");
    const byEmail = new Set(r.merged.map((x) => x.delegateId));
    const lines = parsed.accepted.map((x) => ({ x, merged: byEmail.has(this.d.keys.delegateId({ email: x.value.email })) }));
    const rejected = [
      ...parsed.rejected.map((x) => ({ line: text(`Line ${x.line}${x.name ? `: ${x.name}` : ""}`), reason: text(x.reason) })),
      ...parsed.merged.map((m) => ({ line: text(`Line ${m.line}`), reason: text(`the same e-mail address as line ${m.into}: merged into that delegate, not added twice.`) })),
    ];
    const shownAdded = lines.slice(0, 30).map(({ x, merged }) => text(`Line ${x.line}: ${x.value.name}${merged ? " (already booked: merged)" : ""}`));
    const more = lines.length - shownAdded.length + Math.max(0, rejected.length - 20);
    return {
      title: text(parsed.rejected.length ? "Delegates imported, with problems" : "Delegates imported"),
      summaryText: text(`${s.courseTitle}, ${formatSessionDay(s.startsAt)}: ${plural(r.added.length, "delegate")} added, ${r.merged.length + parsed.merged.length} merged with an existing entry, ${plural(parsed.rejected.length, "row")} not added.`),
      color: parsed.rejected.length ? "warning" : "good",
      added: shownAdded,
      rejected: rejected.slice(0, 20),
      moreText: more > 0 ? text(`…and ${plural(more, "more line")} not shown.`) : NO_TEXT,
      actions: back,
    };
  }

  /** In a group chat, meeting chat or team: the officer picks one of their open sessions (only they see the list). */
  async rosterSessions(actor: Actor): Promise<MessageView> {
    await requireTrainer(this.d.access, actor);
    const now = this.d.now().getTime();
    const open = (await this.d.repo.listSessions()).filter((s) => s.state === "scheduled" || Date.parse(s.startsAt) > now - 7 * 86_400_000).sort((a, b) => a.startsAt.localeCompare(b.startsAt)).slice(0, 12);
    return {
      title: text("Which session are these people booked on?"),
      text: open.length ? md`Everyone in this chat except you is added to the session you choose. Only you see this.` : md`You have no open session: create one in your personal chat with me ("training"), then try again.`,
      color: "default",
      facts: [],
      actions: open.map((s) => act(`${s.courseTitle}, ${formatSessionDay(s.startsAt)}`.slice(0, 100), TRAINING_VERBS.rosterAdd, { sessionId: s.sessionId })),
    };
  }

  /** The chat's members booked on the session; the reply names nobody (it may be seen in the chat), the list goes to the officer's personal chat. */
  async rosterAdd(actor: Actor, sessionId: string, members: RosterMember[]): Promise<{ view: MessageView; added: number; merged: number; session: Session }> {
    await requireTrainer(this.d.access, actor);
    const s = await this.sessions.get(sessionId);
    const me = actor.principal;
    const inputs: DelegateInput[] = members
      .filter((m) => !(m.aadObjectId.toLowerCase() === me.aadObjectId && m.tenantId.toLowerCase() === me.tenantId))
      .map((m) => {
        const checked = checkDelegate({ name: m.name, email: m.email ?? "" }, { name: "name", email: "email", agency: "agency", managerName: "manager", managerEmail: "manager e-mail" });
        return { name: checked.value.name || "Teams member", email: checked.problems.some((p) => p.includes("mail")) ? "" : checked.value.email, agency: "", managerName: "", managerEmail: "", tenantId: m.tenantId.toLowerCase(), aadObjectId: m.aadObjectId.toLowerCase() };
      });
    const r = await this.addMany(actor, s, inputs, "roster");
    return {
      session: s,
      added: r.added.length,
      merged: r.merged.length,
      view: { title: text("Delegates added"), text: md`Added ${plural(r.added.length, "person", "people")} from this chat to ${s.courseTitle}, ${formatSessionDay(s.startsAt)}${r.merged.length ? ` (${r.merged.length} already booked)` : ""}. The list is in your personal chat with me.`, color: "good", facts: [], actions: [] },
    };
  }

  /** Each delegate: attended, how each evaluation reached them (or why not), and whether they answered. Never what they answered. */
  async list(actor: Actor, sessionId: string, page = 0): Promise<DelegateListView> {
    await requireTrainer(this.d.access, actor);
    const s = await this.sessions.get(sessionId);
    const all = (await this.d.repo.listDelegates(sessionId)).sort((a, b) => a.name.localeCompare(b.name));
    const rounds = await Promise.all(EVALUATION_KINDS.map(async (k) => ({ kind: k, sent: !!sentAt(s, k), rows: rowsByDelegate((await this.sessions.round(sessionId, k)).rows) })));
    const pages = Math.max(1, Math.ceil(all.length / PAGE));
    const p = Math.min(Math.max(0, page), pages - 1);
    const attended = all.filter((x) => x.attended);
    const outstanding = (k: "end" | "follow") => attended.filter((x) => !answeredAt(x, k)).length;
    return {
      title: text(`Delegates: ${s.courseTitle}, ${formatSessionDay(s.startsAt)}`),
      summary: text([`${all.length} booked, ${attended.length} attended`, ...rounds.filter((r) => r.sent).map((r) => `${r.kind === "end" ? "end of session" : "follow-up"}: ${attended.length - outstanding(r.kind)} answered, ${outstanding(r.kind)} outstanding`)].join(" · ")),
      delegates: all.slice(p * PAGE, (p + 1) * PAGE).map((x) => {
        let color: TextColor = "default";
        const parts = rounds.filter((r) => r.sent).map((r) => {
          const reach = reachOf(r.rows.get(x.delegateId));
          const done = answeredAt(x, r.kind);
          if (!done && (reach.kind === "failed" || reach.kind === "link")) color = reach.color;
          else if (done && color === "default") color = "good";
          return `${r.kind === "end" ? "End" : "Follow-up"}: ${reach.text}; ${done ? "answered" : "not answered"}`;
        });
        return {
          name: text(x.name || x.email),
          status: text(x.attended ? parts.join(" · ") || "Evaluation not sent yet" : "Did not attend: no evaluation"),
          color: x.attended ? color : "default",
          detail: text([x.agency, x.email, x.managerName ? `manager ${x.managerName}` : x.managerEmail ? `manager ${x.managerEmail}` : "", x.aadObjectId ? "in Teams" : ""].filter(Boolean).join(" · ")),
        };
      }),
      pageText: pages > 1 ? text(`Page ${p + 1} of ${pages}`) : NO_TEXT,
      actions: [
        ...(p > 0 ? [act("Previous page", TRAINING_VERBS.delegates, { sessionId, page: String(p - 1) })] : []),
        ...(p < pages - 1 ? [act("Next page", TRAINING_VERBS.delegates, { sessionId, page: String(p + 1) })] : []),
        nav("Back to the session", TRAINING_VERBS.session, { sessionId }),
      ],
    };
  }
}
