import { z } from "zod/v4";
import { md } from "../cards/text";
import { messageReply, reply, type Reply } from "../cards/reply";
import type { NoticeView } from "../cards/views";
import type { Actor } from "../people/actor";
import { isStorageOutage } from "../storage/errors";
import { verb, type FeatureRoutes, type RouteResult } from "../routes";
import type { EvaluationAnswering, EvaluationContext } from "./answering";
import type { CoursePages } from "./courses";
import { courseInput } from "./courses";
import { delegateInput, type DelegateBook } from "./delegates";
import { looksLikeDelegateCsv } from "./delegateCsv";
import { rightsCheckInput, rightsEraseInput, rightsExportInput, rightsFormInput, type DataRights } from "./dataRights";
import type { TrainingDeps } from "./deps";
import { evaluationView } from "./evaluationView";
import { trainerInput, type TrainingHome } from "./home";
import { trainingMessages } from "./messages";
import { evaluationPages } from "./pages";
import { requireTrainer } from "./officers";
import { exportInput, scopeInput, type TrainingReports } from "./reports";
import type { EvaluationRounds } from "./rounds";
import { attendanceInput, sessionInput, type SessionPages } from "./sessions";
import { courseIdSchema, delegateIdSchema, kindSchema, sessionIdSchema } from "./types";
import { TRAINING_MESSAGES, TRAINING_VERBS } from "./verbs";

export interface TrainingParts {
  deps: TrainingDeps;
  home: TrainingHome;
  courses: CoursePages;
  sessions: SessionPages;
  delegates: DelegateBook;
  rounds: EvaluationRounds;
  answering: EvaluationAnswering;
  reports: TrainingReports;
  rights: DataRights;
}

const sessionRef = z.object({ sessionId: sessionIdSchema });
const evaluationRef = z.object({ sessionId: sessionIdSchema, kind: kindSchema, delegateId: delegateIdSchema });
/** Everything else the card sends is the answer, checked by checkAnswers against the questions. */
const answerInput = z.looseObject({ sessionId: sessionIdSchema, kind: kindSchema, delegateId: delegateIdSchema });
const GROUP_SCOPES = ["groupChat", "channel"] as const;
/** An address typed after a command: Teams may send it as a mailto link; anything else is checked as typed. */
const typedAddress = (typed: string) => typed.replace(/<[^>]*>/g, " ").replace(/\bmailto:/gi, "").trim();

/**
 * The training feature's verbs, commands, file import, outgoing messages, scheduled jobs and web
 * pages. Officer actions re-check the training officer role from stored grants; a delegate's
 * answer re-checks that the person pressing is that delegate (or, on the web, that the signed link
 * names them). Ids in a card are only pointers.
 */
export function trainingRoutes(t: TrainingParts): FeatureRoutes {
  const homeReply = async (actor: Actor, notice?: NoticeView): Promise<Reply> => {
    const v = await t.home.view(actor, notice);
    return "intro" in v ? reply("trainingHome", v) : reply("message", v);
  };

  const evaluationCard = (ctx: EvaluationContext, values: Record<string, string>, extra: { problems?: Record<string, string>; notice?: NoticeView } = {}) =>
    reply("trainingEvaluation", evaluationView(ctx, { values, ...extra, link: t.answering.link(ctx.session, ctx.kind, ctx.delegate.delegateId), privacyBase: t.deps.config.publicBaseUrl }));

  const answer = async (actor: Actor, input: z.infer<typeof answerInput>): Promise<RouteResult> => {
    const ctx = await t.answering.forActor(actor, input.sessionId, input.kind, input.delegateId, { existing: false });
    try {
      const saved = await t.answering.save(ctx, input);
      if (!saved.ok) return evaluationCard(ctx, saved.values, { problems: saved.problems, notice: { text: md`Not saved yet: please look at the answers marked in red.`, color: "attention" } });
      return evaluationCard(ctx, saved.values, { notice: { text: saved.first ? md`Thank you: your answers are saved. You can change them here until the evaluation closes.` : md`Your answers are changed.`, color: "good" } });
    } catch (e) {
      if (!isStorageOutage(e)) throw e;
      // What they typed stays on the card; pressing Save again sends it again.
      const typed = Object.fromEntries(Object.entries(input).filter(([, v]) => typeof v === "string")) as Record<string, string>;
      return evaluationCard(ctx, typed, { notice: { text: md`Not saved: the store did not answer. Your answers are still here: press Save again in a minute.`, color: "attention" } });
    }
  };

  const rightsExport = async (actor: Actor, input: z.infer<typeof rightsExportInput>): Promise<RouteResult> => {
    const r = await t.rights.export(actor, input);
    return r.file ? { reply: reply("trainingDataRights", r.view), file: r.file } : reply("trainingDataRights", r.view);
  };

  return {
    commands: [
      // Help-only (src/home/helpOnlyCommands.ts): the address may follow the command; without one, the form.
      {
        name: "delegate data",
        takesText: true,
        run: async (ctx, typed) => (typed ? rightsExport(ctx.actor, rightsExportInput.parse({ email: typedAddress(typed), format: "csv" })) : reply("trainingDataRights", await t.rights.form(ctx.actor, "access"))),
      },
      {
        name: "erase delegate",
        takesText: true,
        // Never erases straight from what was typed: it shows what would go, to confirm.
        run: async (ctx, typed) => reply("trainingDataRights", typed ? await t.rights.check(ctx.actor, rightsCheckInput.parse({ email: typedAddress(typed) })) : await t.rights.form(ctx.actor, "erase")),
      },
      { name: "training", aliases: ["evaluations"], run: async (ctx) => homeReply(ctx.actor) },
      {
        name: "add delegates",
        scopes: ["personal", ...GROUP_SCOPES],
        run: async (ctx) =>
          ctx.place.scope === "personal"
            ? messageReply("Type this in the chat itself", md`To book the members of a Teams meeting chat, group chat or team on a session, type **add delegates** in that chat (mentioning me in a channel). Only you will see your sessions and the result.`)
            : // Seen by everyone in the chat: it names nobody and offers one button, whose answer only the presser sees.
              messageReply("Add this chat's members to a training session", md`For the training officer: press the button to choose the session. Only you will see your sessions and the result; nothing about anyone is shown in this chat.`, "default", { actions: [{ title: "Choose the session", verb: TRAINING_VERBS.rosterSessions, data: {}, style: "positive" }] }),
      },
    ],
    verbs: [
      verb({ verb: TRAINING_VERBS.rightsForm, input: rightsFormInput, run: async (ctx, i) => reply("trainingDataRights", await t.rights.form(ctx.actor, i.mode)) }),
      verb({ verb: TRAINING_VERBS.rightsExport, input: rightsExportInput, run: async (ctx, i) => rightsExport(ctx.actor, i) }),
      verb({ verb: TRAINING_VERBS.rightsCheck, input: rightsCheckInput, run: async (ctx, i) => reply("trainingDataRights", await t.rights.check(ctx.actor, i)) }),
      verb({ verb: TRAINING_VERBS.rightsErase, input: rightsEraseInput, run: async (ctx, i) => reply("trainingDataRights", await t.rights.erase(ctx.actor, i)) }),
      verb({ verb: TRAINING_VERBS.home, input: z.object({}), run: async (ctx) => homeReply(ctx.actor) }),
      verb({ verb: TRAINING_VERBS.becomeOfficer, input: z.object({}), run: async (ctx) => { const v = await t.home.becomeOfficer(ctx.actor); return "intro" in v ? reply("trainingHome", v) : reply("message", v); } }),
      verb({ verb: TRAINING_VERBS.officerForm, input: z.object({}), run: async (ctx) => reply("trainingOfficerForm", await t.home.officerForm(ctx.actor)) }),
      verb({ verb: TRAINING_VERBS.officerAdd, input: trainerInput, run: async (ctx, i) => reply("trainingOfficerForm", await t.home.addOfficer(ctx.actor, i)) }),
      verb({ verb: TRAINING_VERBS.courseForm, input: z.object({}), run: async (ctx) => reply("trainingCourseForm", await t.courses.form(ctx.actor)) }),
      verb({
        verb: TRAINING_VERBS.courseCreate,
        input: courseInput,
        run: async (ctx, i) => {
          const r = await t.courses.create(ctx.actor, i);
          return r.created ? reply("trainingCourse", r.view) : reply("trainingCourseForm", r.view);
        },
      }),
      verb({ verb: TRAINING_VERBS.course, input: z.object({ courseId: courseIdSchema }), run: async (ctx, i) => reply("trainingCourse", await t.courses.view(ctx.actor, i.courseId)) }),
      verb({ verb: TRAINING_VERBS.sessionForm, input: z.object({ courseId: courseIdSchema }), run: async (ctx, i) => reply("trainingSessionForm", await t.sessions.form(ctx.actor, i.courseId)) }),
      verb({
        verb: TRAINING_VERBS.sessionCreate,
        input: sessionInput,
        run: async (ctx, i) => {
          const r = await t.sessions.create(ctx.actor, i);
          return r.created ? reply("trainingSession", r.view) : reply("trainingSessionForm", r.view);
        },
      }),
      verb({ verb: TRAINING_VERBS.session, input: sessionRef, run: async (ctx, i) => reply("trainingSession", await t.sessions.view(ctx.actor, i.sessionId)) }),
      verb({ verb: TRAINING_VERBS.delegateForm, input: sessionRef, run: async (ctx, i) => reply("trainingDelegateForm", await t.delegates.form(ctx.actor, i.sessionId)) }),
      verb({ verb: TRAINING_VERBS.delegateAdd, input: delegateInput, run: async (ctx, i) => reply("trainingDelegateForm", await t.delegates.add(ctx.actor, i)) }),
      verb({ verb: TRAINING_VERBS.addMe, input: sessionRef, run: async (ctx, i) => reply("trainingSession", await t.delegates.addMe(ctx.actor, i.sessionId)) }),
      verb({ verb: TRAINING_VERBS.demoDelegates, input: sessionRef, run: async (ctx, i) => reply("trainingSession", await t.delegates.demo(ctx.actor, i.sessionId)) }),
      verb({ verb: TRAINING_VERBS.csvTarget, input: sessionRef, run: async (ctx, i) => reply("message", await t.delegates.csvTarget(ctx.actor, i.sessionId)) }),
      verb({
        verb: TRAINING_VERBS.rosterHelp,
        input: sessionRef,
        run: async (ctx, i) => {
          await requireTrainer(t.deps.access, ctx.actor);
          await t.sessions.get(i.sessionId);
          return messageReply("Add the members of a Teams chat", md`Add me to the meeting chat, group chat or team (if I am not there yet), then type **add delegates** in it (mentioning me in a channel) and press the button. Only you see the sessions you can choose and the result; the names come here, to your personal chat.`, "default", { actions: [{ title: "Back to the session", verb: TRAINING_VERBS.session, data: i, inputs: "none" }] });
        },
      }),
      verb({ verb: TRAINING_VERBS.rosterSessions, input: z.object({}), scopes: GROUP_SCOPES, run: async (ctx) => reply("message", await t.delegates.rosterSessions(ctx.actor)) }),
      verb({
        verb: TRAINING_VERBS.rosterAdd,
        input: sessionRef,
        scopes: GROUP_SCOPES,
        run: async (ctx, i) => {
          await requireTrainer(t.deps.access, ctx.actor);
          if (!ctx.roster) return messageReply("Use this in the chat itself", md`Type **add delegates** in the meeting chat, group chat or team whose members you want to add.`);
          const r = await t.delegates.rosterAdd(ctx.actor, i.sessionId, await ctx.roster());
          const note = `Added ${r.added} from a Teams chat${r.merged ? ` (${r.merged} already booked)` : ""}.`;
          return {
            reply: reply("message", r.view),
            // The names go to the officer's own chat, never into the group.
            outbound: [{ purpose: `training.roster|${i.sessionId}|${t.deps.now().toISOString()}`, kind: TRAINING_MESSAGES.officerSession, params: { sessionId: i.sessionId, note }, to: [{ ...ctx.actor.principal, name: ctx.actor.name }] }],
          };
        },
      }),
      verb({ verb: TRAINING_VERBS.attendance, input: sessionRef, run: async (ctx, i) => reply("trainingAttendance", await t.sessions.attendance(ctx.actor, i.sessionId)) }),
      verb({ verb: TRAINING_VERBS.attendanceSave, input: attendanceInput, run: async (ctx, i) => reply("trainingAttendance", await t.sessions.saveAttendance(ctx.actor, i)) }),
      verb({ verb: TRAINING_VERBS.close, input: sessionRef, run: async (ctx, i) => reply("trainingSession", await t.sessions.close(ctx.actor, i.sessionId)) }),
      verb({ verb: TRAINING_VERBS.followUpNow, input: sessionRef, run: async (ctx, i) => reply("trainingSession", await t.sessions.followUpNow(ctx.actor, i.sessionId)) }),
      verb({ verb: TRAINING_VERBS.delegates, input: sessionRef.extend({ page: z.coerce.number().int().min(0).max(1000).catch(0).optional() }), run: async (ctx, i) => reply("trainingDelegates", await t.delegates.list(ctx.actor, i.sessionId, i.page ?? 0)) }),
      verb({ verb: TRAINING_VERBS.results, input: scopeInput, run: async (ctx, i) => reply("trainingResults", await t.reports.results(ctx.actor, i)) }),
      verb({
        verb: TRAINING_VERBS.export,
        input: exportInput,
        run: async (ctx, i): Promise<RouteResult> => {
          if (i.what === "menu") {
            await requireTrainer(t.deps.access, ctx.actor);
            return messageReply("Downloads", md`Answers come without names (a short code matches one person's end-of-session and follow-up answers), and only from 5 answers up. The outstanding list and the personal links are for chasing: keep them to yourself.`, "default", { actions: t.reports.menu(i) });
          }
          const file = await t.reports.file(ctx.actor, i);
          return {
            reply: reply("trainingResults", await t.reports.results(ctx.actor, i, { text: md`${file.name} (${file.rows} rows) is ready: accept the file card below to save it to your OneDrive.`, color: "good" })),
            file: { name: file.name, description: file.description, contentType: file.contentType, content: file.content, ...(file.bytes ? { bytes: file.bytes } : {}) },
          };
        },
      }),
      verb({
        verb: TRAINING_VERBS.open,
        input: evaluationRef,
        run: async (ctx, i) => {
          const e = await t.answering.forActor(ctx.actor, i.sessionId, i.kind, i.delegateId);
          const closed = t.answering.closedReason(e);
          return closed ? messageReply("This evaluation is not open", closed) : evaluationCard(e, t.answering.valuesOf(e));
        },
      }),
      verb({ verb: TRAINING_VERBS.answer, input: answerInput, run: async (ctx, i) => answer(ctx.actor, i) }),
    ],
    files: [
      {
        extensions: ["csv"],
        accepts: (f) => looksLikeDelegateCsv(f.content),
        run: async (ctx, file) => reply("trainingImport", await t.delegates.importCsv(ctx.actor, file.content)),
      },
    ],
    messages: trainingMessages(t.deps, t.answering, t.sessions),
    jobs: t.rounds.jobs,
    pages: evaluationPages(t.deps, t.answering),
  };
}
