import { z } from "zod/v4";
import { emailField } from "../admin/validation";
import { md, text } from "../cards/text";
import type { FactView, NoticeView } from "../cards/views";
import { toCsv } from "../export/csv";
import { toXlsx } from "../export/xlsx";
import type { Actor } from "../people/actor";
import type { OutgoingFile } from "../routes";
import { normaliseEmail } from "../storage/peopleRepo";
import type { TrainingDeps } from "./deps";
import { requireTrainer } from "./officers";
import { erasureCounts, gatherSubject, isEmpty, subjectVersion, type SubjectMessage, type SubjectRecords } from "./subject";
import { SUBJECT_HEADER, subjectRows } from "./subjectExport";
import { utcToLondon } from "./ukTime";
import { act, asText, nav, plural } from "./ui";
import { TRAINING_VERBS } from "./verbs";
import type { DataRightsView } from "./views";

const field = z.unknown().transform(asText);
export const RIGHTS_MODES = ["access", "erase"] as const;
export const rightsFormInput = z.object({ mode: z.enum(RIGHTS_MODES).catch("access") });
export const rightsExportInput = z.object({ email: field, format: z.enum(["csv", "xlsx"]).catch("csv") });
export const rightsCheckInput = z.object({ email: field });
/** The confirmation carries the address and the version of what was read (subjectVersion). */
export const rightsEraseInput = z.object({ email: field, version: z.string().regex(/^[A-Za-z0-9_-]{22}$/) });

const FILE_TYPES = { csv: "text/csv", xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" } as const;

/**
 * A delegate's rights over their data (UK GDPR): what the training feature holds about them
 * (subject access, as a file in the officer's personal chat) and its erasure (after a
 * confirmation that says exactly what goes, and only if what is stored is still what was read).
 * Training officers only, like every officer action; the address is only ever a search key.
 */
export class DataRights {
  constructor(private readonly d: TrainingDeps) {}

  async form(actor: Actor, mode: (typeof RIGHTS_MODES)[number], typed = "", notice?: NoticeView, problems: string[] = []): Promise<DataRightsView> {
    await requireTrainer(this.d.access, actor);
    const erase = mode === "erase";
    return {
      title: text(erase ? "Erase a delegate's data" : "What we hold about a delegate"),
      intro: erase
        ? md`Give the e-mail address they were booked with. You will see exactly what would be deleted, and confirm, before anything is erased.`
        : md`Give the e-mail address they were booked with. You get a file of everything the training programme holds about them (bookings, messages sent, completion records and their evaluation answers) in this chat, to send them.`,
      notice,
      facts: [],
      problems: problems.map(text),
      askEmail: true,
      email: typed,
      actions: [
        ...(erase ? [act("Show what would be erased", TRAINING_VERBS.rightsCheck, {}, "destructive"), act("Send me what we hold", TRAINING_VERBS.rightsExport, { format: "csv" })] : [act("Send me what we hold (CSV)", TRAINING_VERBS.rightsExport, { format: "csv" }, "positive"), act("Send me what we hold (Excel)", TRAINING_VERBS.rightsExport, { format: "xlsx" })]),
        nav("Back to training", TRAINING_VERBS.home),
      ],
    };
  }

  /** The address as typed, checked; or the form again with the problem and what was typed. */
  private async address(actor: Actor, raw: string, mode: (typeof RIGHTS_MODES)[number]): Promise<{ ok: true; email: string } | { ok: false; view: DataRightsView }> {
    const f = emailField(raw, "The e-mail address");
    if (f.problems.length) return { ok: false, view: await this.form(actor, mode, f.shown, { text: md`Nothing was looked up yet: please fix the address.`, color: "attention" }, f.problems) };
    return { ok: true, email: f.value };
  }

  private async nobody(actor: Actor, email: string, mode: (typeof RIGHTS_MODES)[number], erased = false): Promise<DataRightsView> {
    return this.form(
      actor,
      mode,
      email,
      erased
        ? { text: md`Nothing is stored about ${email} any more: it was erased already. Nothing was changed now.`, color: "good" }
        : { text: md`Nothing is stored about ${email}: no booking, evaluation answer or message of the training programme has that address, and nobody names it as their manager. Check the spelling, or ask which address they were booked with.`, color: "warning" },
    );
  }

  /** Subject access: the file of everything held, and a card with the counts. */
  async export(actor: Actor, input: z.infer<typeof rightsExportInput>): Promise<{ view: DataRightsView; file?: OutgoingFile }> {
    await requireTrainer(this.d.access, actor);
    const a = await this.address(actor, input.email, "access");
    if (!a.ok) return { view: a.view };
    const r = await gatherSubject(this.d, a.email);
    if (isEmpty(r)) return { view: await this.nobody(actor, a.email, "access") };
    const outcomes = new Map((await this.d.repo.listCourses()).map((c) => [c.courseId, c.outcomes]));
    const rows = subjectRows(r, (id) => outcomes.get(id) ?? []);
    const stamp = utcToLondon(this.d.now().toISOString()).date;
    const slug = r.email.replace(/[^a-z0-9.]+/g, "-").replace(/^-|-$/g, "").slice(0, 60);
    const name = `delegate-data-${slug}-${stamp}.${input.format}`;
    const description = `What the training programme holds about ${r.email}`;
    const file: OutgoingFile =
      input.format === "xlsx"
        ? { name, description, contentType: FILE_TYPES.xlsx, content: "", bytes: await toXlsx("What we hold", SUBJECT_HEADER, rows) }
        : { name, description, contentType: FILE_TYPES.csv, content: toCsv(SUBJECT_HEADER, rows) };
    this.d.log.info({ rows: rows.length, format: input.format }, "training subject access export");
    return {
      view: {
        title: md`What we hold about ${r.email}`,
        intro: md`Send the file to the person by a secure route (not in a channel). It has only their own data: where they manage others, it says how many bookings name them and which messages they were sent, not who their staff are.`,
        notice: { text: md`${name} (${plural(rows.length, "row")}) is ready: accept the file card below to save it to your OneDrive.`, color: "good" },
        facts: heldFacts(r),
        problems: [],
        askEmail: false,
        email: "",
        actions: [
          act(input.format === "xlsx" ? "Also as CSV" : "Also as Excel", TRAINING_VERBS.rightsExport, { email: r.email, format: input.format === "xlsx" ? "csv" : "xlsx" }),
          act("Erase this person's data", TRAINING_VERBS.rightsCheck, { email: r.email }, "destructive"),
          nav("Back to training", TRAINING_VERBS.home),
        ],
      },
      file,
    };
  }

  /** What erasing would delete, counted, with the button that erases exactly that. */
  async check(actor: Actor, input: z.infer<typeof rightsCheckInput>, notice?: NoticeView): Promise<DataRightsView> {
    await requireTrainer(this.d.access, actor);
    const a = await this.address(actor, input.email, "erase");
    if (!a.ok) return a.view;
    const r = await gatherSubject(this.d, a.email);
    if (isEmpty(r)) return this.nobody(actor, a.email, "erase");
    return this.confirmation(r, notice);
  }

  private confirmation(r: SubjectRecords, notice?: NoticeView): DataRightsView {
    return {
      title: md`Erase everything about ${r.email}?`,
      intro: md`This cannot be undone. Pressing "Erase for good" deletes what is counted below. The session figures (results and the Executive's digest) are moved to match the answers that remain; messages already sent stay as a count that names nobody, so the numbers you reported stay true.`,
      notice,
      facts: erasureFacts(r),
      problems: [],
      askEmail: false,
      email: "",
      actions: [
        act("Erase for good", TRAINING_VERBS.rightsErase, { email: r.email, version: subjectVersion(r) }, "destructive"),
        act("Send me what we hold first", TRAINING_VERBS.rightsExport, { email: r.email, format: "csv" }),
        nav("Cancel", TRAINING_VERBS.home),
      ],
    };
  }

  /**
   * Erases, if what is stored is still what the confirmation counted (its version); otherwise
   * shows the new counts to confirm again. Pressed twice, the second finds nothing left and says so.
   */
  async erase(actor: Actor, input: z.infer<typeof rightsEraseInput>): Promise<DataRightsView> {
    await requireTrainer(this.d.access, actor);
    const a = await this.address(actor, input.email, "erase");
    if (!a.ok) return a.view;
    const r = await gatherSubject(this.d, a.email);
    if (isEmpty(r)) return this.nobody(actor, a.email, "erase", true);
    if (subjectVersion(r) !== input.version) return this.confirmation(r, { text: md`What is stored about them changed since you read it: check the counts below and confirm again. Nothing was erased yet.`, color: "warning" });
    const counts = erasureCounts(r);
    await this.run(r);
    // Whose data it was is not logged: the log says only that an erasure happened and its size.
    this.d.log.info({ ...counts }, "training data erased");
    return {
      title: text("Erased"),
      intro: md`Everything the training programme held about ${r.email} is erased. A new booking with this address starts afresh. Record the request and the date in the partnership's log of data requests (without their data).`,
      notice: { text: md`Erased: ${describe(counts)}.`, color: "good" },
      facts: erasureFacts(r),
      problems: [],
      askEmail: false,
      email: "",
      actions: [nav("Back to training", TRAINING_VERBS.home)],
    };
  }

  /** In this order (see subject.ts): each step repeatable, so a crash part-way is finished by erasing again. */
  private async run(r: SubjectRecords): Promise<void> {
    for (const x of r.answers) await this.d.answers.erase(x.session.sessionId, x.kind, x.pseudonym);
    for (const m of [...r.messages, ...r.escalations]) await this.forget(m);
    for (const { session, delegate } of r.managed) {
      await this.d.repo.changeDelegate(session.sessionId, delegate.delegateId, (x) => (x.managerEmail && normaliseEmail(x.managerEmail) === r.email ? { managerEmail: "", managerName: "" } : undefined));
    }
    for (const { session, delegate } of r.bookings) {
      let etag = delegate.etag;
      for (let attempt = 0; attempt < 8; attempt++) {
        if (await this.d.repo.deleteDelegate(session.sessionId, delegate.delegateId, etag)) break;
        // Changed since read (they answered just now?): erase any answer it led to, then delete what is there now.
        for (const kind of ["end", "follow"] as const) await this.d.answers.erase(session.sessionId, kind, this.d.keys.pseudonym(delegate.delegateId, session.courseId));
        const now = await this.d.repo.getDelegate(session.sessionId, delegate.delegateId);
        if (!now) break;
        etag = now.etag;
      }
    }
  }

  private async forget(m: SubjectMessage): Promise<void> {
    let row: SubjectMessage["row"] | undefined = m.row;
    const params = { sessionId: m.session.sessionId, kind: m.kind, ...(m.round === "reminder" ? { reminder: "yes" } : {}) };
    for (let attempt = 0; attempt < 8 && row; attempt++) {
      if (await this.d.outbox.forget(row, params)) return;
      // The dispatcher moved it on meanwhile (sent it): read it again and deal with it as it is now.
      const key: string = row.recipientKey;
      row = (await this.d.outbox.batchStatus(row.batchId)).rows.find((x) => x.recipientKey === key);
    }
  }
}

function heldFacts(r: SubjectRecords): FactView[] {
  const sessions = new Set(r.bookings.map((b) => b.session.sessionId)).size;
  const c = erasureCounts(r);
  return [
    { title: text("Bookings"), value: text(`${plural(r.bookings.length, "booking")} in ${plural(sessions, "session")} (${r.bookings.filter((b) => b.delegate.attended).length} attended)`) },
    { title: text("Completion records"), value: text(plural(c.completions, "evaluation") + " answered") },
    { title: text("Evaluation answers"), value: text(plural(r.answers.length, "answer")) },
    { title: text("Messages sent to them"), value: text(plural(r.messages.length, "request or reminder", "requests and reminders")) },
    ...(r.managed.length ? [{ title: text("As a manager"), value: text(`named on ${plural(r.managed.length, "booking")}; sent ${plural(r.escalations.length, "message")} about their staff`) }] : []),
  ];
}

function erasureFacts(r: SubjectRecords): FactView[] {
  const c = erasureCounts(r);
  const sessions = new Set(r.bookings.map((b) => b.session.sessionId)).size;
  return [
    { title: text("Bookings (name, e-mail, agency, manager)"), value: text(`${c.bookings} in ${plural(sessions, "session")}: deleted`) },
    { title: text("Completion records"), value: text(`${c.completions}: deleted`) },
    { title: text("Evaluation answers"), value: text(`${c.answers}: deleted, and taken out of the session figures`) },
    { title: text("Messages not sent yet"), value: text(`${c.pendingMessages}: deleted, they will not go out`) },
    { title: text("Messages already sent"), value: text(`${c.sentMessages}: kept only as a count, naming nobody`) },
    { title: text("Named as someone's manager"), value: text(c.managerNamings ? `${c.managerNamings}: their name and e-mail are blanked on those bookings; the delegates stay booked, and their managers will not be asked to chase them` : "0") },
  ];
}

function describe(c: ReturnType<typeof erasureCounts>): string {
  return [
    plural(c.bookings, "booking"),
    plural(c.answers, "answer"),
    `${plural(c.pendingMessages, "message")} not yet sent`,
    `${plural(c.sentMessages, "sent message")} kept as a count`,
    ...(c.managerNamings ? [`their name as manager blanked on ${plural(c.managerNamings, "booking")}`] : []),
  ].join(", ");
}
