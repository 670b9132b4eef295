import { z } from "zod/v4";
import { fitText } from "../cards/fit";
import { md, NO_TEXT, text } from "../cards/text";
import type { FactView, NoticeView } from "../cards/views";
import { UserFacingError } from "../errors";
import type { Actor } from "../people/actor";
import { toCsv } from "../export/csv";
import { toXlsx } from "../export/xlsx";
import type { OutgoingFile } from "../routes";
import type { EvaluationAnswering } from "./answering";
import type { TrainingDeps } from "./deps";
import { requireTrainer } from "./officers";
import { OUTCOME_LIMIT } from "./questions";
import { reachOf, rowsByDelegate } from "./reach";
import { MIN_GROUP, summarise, type SessionResultsInput } from "./results";
import type { SessionPages } from "./sessions";
import { answeredAt, EVALUATION_KINDS, EVALUATION_LABELS, type Course, type Session } from "./types";
import { formatSessionDay, utcToLondon } from "./ukTime";
import { act, nav } from "./ui";
import { TRAINING_VERBS } from "./verbs";
import type { TrainingResultsView } from "./views";

export const scopeInput = z.object({ scope: z.enum(["session", "course"]), id: z.string().regex(/^[cs]-[a-z0-9]{10}$/) });
export const exportInput = scopeInput.extend({ what: z.enum(["menu", "answers", "outstanding", "links"]), format: z.enum(["csv", "xlsx"]).catch("csv") });

const OUTSTANDING_SHOWN = 20;

/**
 * Results and downloads for a session or a whole course. Answers leave only without identities
 * (a short pseudonym lets end-of-session and follow-up rows of one person be matched, nothing
 * more) and only from 5 answers up; the outstanding list and the links are for chasing.
 */
export class TrainingReports {
  constructor(private readonly d: TrainingDeps, private readonly sessions: SessionPages, private readonly answering: EvaluationAnswering) {}

  private async load(scope: z.infer<typeof scopeInput>): Promise<{ course: Course; inputs: SessionResultsInput[]; label: string }> {
    let sessions: Session[];
    if (scope.scope === "session") sessions = [await this.sessions.get(scope.id)];
    else sessions = (await this.d.repo.listSessions()).filter((s) => s.courseId === scope.id).sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    const course = await this.sessions.course(scope.scope === "session" ? sessions[0].courseId : scope.id);
    const inputs = await Promise.all(
      sessions.map(async (session) => {
        const [delegates, answers, end, follow] = await Promise.all([this.d.repo.listDelegates(session.sessionId), this.d.answers.list(session.sessionId), this.sessions.round(session.sessionId, "end"), this.sessions.round(session.sessionId, "follow")]);
        return { session, delegates, answers, endRows: end.rows, followRows: follow.rows };
      }),
    );
    const label = scope.scope === "session" ? `${course.title}, ${formatSessionDay(sessions[0].startsAt)}` : `${course.title}, all ${sessions.length} session${sessions.length === 1 ? "" : "s"}`;
    return { course, inputs, label };
  }

  async results(actor: Actor, scope: z.infer<typeof scopeInput>, notice?: NoticeView): Promise<TrainingResultsView> {
    await requireTrainer(this.d.access, actor);
    const { course, inputs, label } = await this.load(scope);
    const r = summarise(course, inputs);
    const back = scope.scope === "session" ? nav("Back to the session", TRAINING_VERBS.session, { sessionId: scope.id }) : nav("Back to the course", TRAINING_VERBS.course, { courseId: scope.id });
    return {
      title: md`Results: ${course.title}`,
      scopeText: text(label),
      notice,
      sections: r.sections,
      quotes: r.quotes,
      outstanding: r.outstanding.slice(0, OUTSTANDING_SHOWN).map(outstandingFact),
      moreOutstanding: r.outstanding.length > OUTSTANDING_SHOWN ? text(`…and ${r.outstanding.length - OUTSTANDING_SHOWN} more: download the outstanding list.`) : NO_TEXT,
      actions: [act("Downloads", TRAINING_VERBS.export, { ...scope, what: "menu", format: "csv" }), back],
    };
  }

  /** The downloads on offer, as buttons (each file reaches the officer through Teams' file consent). */
  menu(scope: z.infer<typeof scopeInput>) {
    const b = (title: string, what: string, format: string) => act(title, TRAINING_VERBS.export, { ...scope, what, format });
    return [
      b("Answers, without names (Excel)", "answers", "xlsx"),
      b("Answers, without names (CSV)", "answers", "csv"),
      b("Who has not answered (Excel)", "outstanding", "xlsx"),
      b("Who has not answered (CSV)", "outstanding", "csv"),
      b("Personal links for a mail merge (CSV)", "links", "csv"),
      scope.scope === "session" ? nav("Back to the session", TRAINING_VERBS.session, { sessionId: scope.id }) : nav("Back to the course", TRAINING_VERBS.course, { courseId: scope.id }),
    ];
  }

  async file(actor: Actor, input: z.infer<typeof exportInput>): Promise<OutgoingFile & { rows: number }> {
    await requireTrainer(this.d.access, actor);
    const { course, inputs, label } = await this.load(input);
    const stamp = utcToLondon(this.d.now().toISOString()).date;
    const slug = course.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "course";
    let header: string[];
    let rows: Array<Array<string | number>>;
    let description: string;
    if (input.what === "answers") {
      const every = inputs.flatMap((x) => x.answers.map((a) => ({ a, s: x.session })));
      // An evaluation with fewer than MIN_GROUP answers here is left out: with so few, an answer can be recognised.
      const all = every.filter((x) => every.filter((y) => y.a.kind === x.a.kind).length >= MIN_GROUP);
      if (!all.length) throw new UserFacingError(every.length ? `There are fewer than ${MIN_GROUP} answers here: answers are downloaded only from ${MIN_GROUP} up, so that nobody's can be recognised. Download the whole course's answers instead, or wait for more.` : "Nobody has answered yet: there is nothing to download.", "state");
      const outcomes = Array.from({ length: Math.min(OUTCOME_LIMIT, course.outcomes.length) }, (_, i) => `Outcome ${i + 1} met`);
      header = ["Respondent (pseudonym)", "Course", "Session date", "Evaluation", "Overall (1-5)", "Trainer (1-5)", "Materials (1-5)", "Confidence before (1-5)", "Confidence after (1-5)", ...outcomes, "What I will do differently", "Comment", "Practice changed", "Example", "Joint working improved", "Confidence at follow-up (1-5)", "Barriers", "May be quoted"];
      // Sorted by pseudonym: neither the order of answering nor of names survives into the file.
      rows = all
        .sort((x, y) => x.a.pseudonym.localeCompare(y.a.pseudonym) || x.a.kind.localeCompare(y.a.kind))
        .map(({ a, s }) => {
          const base = [a.pseudonym.slice(0, 12), course.title, utcToLondon(s.startsAt).date, a.kind === "end" ? "End of session" : "Follow-up"];
          const blankOutcomes = outcomes.map(() => "");
          if (a.answers.kind === "end") {
            const e = a.answers;
            return [...base, e.overall, e.trainer, e.materials, e.confidenceBefore, e.confidenceAfter, ...outcomes.map((_, i) => e.outcomes[i] ?? ""), e.doDifferently, e.comment, "", "", "", "", "", e.consentQuote ? "yes" : "no"];
          }
          const f = a.answers;
          return [...base, "", "", "", "", "", ...blankOutcomes, "", "", f.practiceChanged, f.practiceExample, f.jointWorking, f.confidenceNow, f.barriers, f.consentQuote ? "yes" : "no"];
        });
      description = `Evaluation answers without names: ${label}`;
    } else {
      header = input.what === "links" ? ["Name", "E-mail", "Evaluation", "Personal link", "Link works until", "How it was sent"] : ["Name", "E-mail", "Agency", "Manager", "Manager's e-mail", "Session date", "Evaluation", "How it reached them"];
      rows = [];
      for (const x of inputs) {
        for (const kind of EVALUATION_KINDS) {
          if (!(kind === "end" ? x.session.endSentAt : x.session.followSentAt)) continue;
          const byDelegate = rowsByDelegate(kind === "end" ? x.endRows : x.followRows);
          for (const dl of x.delegates.filter((z) => z.attended && !answeredAt(z, kind))) {
            const reach = reachOf(byDelegate.get(dl.delegateId)).text;
            if (input.what === "links") rows.push([dl.name, dl.email, EVALUATION_LABELS[kind], this.answering.link(x.session, kind, dl.delegateId) ?? "", formatSessionDay(this.answering.expiry(x.session, kind)!.toISOString()), reach]);
            else rows.push([dl.name, dl.email, dl.agency, dl.managerName, dl.managerEmail, utcToLondon(x.session.startsAt).date, EVALUATION_LABELS[kind], reach]);
          }
        }
      }
      description = input.what === "links" ? `Personal evaluation links of people who have not answered: ${label}` : `People who have not answered: ${label}`;
    }
    const base = `${input.what === "answers" ? "evaluation-answers" : input.what === "links" ? "evaluation-links" : "evaluation-outstanding"}-${slug}-${stamp}`;
    if (input.format === "xlsx" && input.what !== "links") {
      const bytes = await toXlsx(input.what === "answers" ? "Answers" : "Outstanding", header, rows);
      return { name: `${base}.xlsx`, description, contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", content: "", bytes, rows: rows.length };
    }
    return { name: `${base}.csv`, description, contentType: "text/csv", content: toCsv(header, rows), rows: rows.length };
  }
}

/** "Name, Agency (day): end of session and follow-up" as a fact: who, against what they owe (the last ": " splits; a name may hold one). */
function outstandingFact(line: string): FactView {
  const at = line.lastIndexOf(": ");
  return at < 0 ? { title: text(fitText(line, 200).text), value: NO_TEXT } : { title: text(fitText(line.slice(0, at), 200).text), value: text(line.slice(at + 2)) };
}
