import AdmZip from "adm-zip";
import fc from "fast-check";
import { checkAnswers, questionsFor, TEXT_LIMIT } from "../../src/training/questions";
import { TrainingKeys } from "../../src/training/keys";
import { durationInput, formatDuration, parseDuration } from "../../src/training/duration";
import { londonToUtc, utcToLondon } from "../../src/training/ukTime";
import { looksLikeDelegateCsv, parseDelegateCsv } from "../../src/training/delegateCsv";
import { MIN_GROUP, summarise } from "../../src/training/results";
import { formPage } from "../../src/training/page";
import { evaluationView } from "../../src/training/evaluationView";
import { renderCard } from "../../src/cards/renderCard";
import { toXlsx } from "../../src/export/xlsx";
import { toCsv } from "../../src/export/csv";
import { plain, textOf } from "../support/cardTools";
import { validateCard } from "../support/cardRenderer";
import type { Course, Delegate, Session } from "../../src/training/types";
import type { StoredAnswer } from "../../src/storage/evaluationsRepo";
import type { EvaluationContext } from "../../src/training/answering";

const OUTCOMES = ["Recognise the five categories of neglect", "Use the assessment tool", "Know when to escalate"];
const good = { overall: "4", outcome1: "yes", outcome2: "partly", outcome3: "no", confidenceBefore: "2", confidenceAfter: "4", trainer: "5", materials: "3", doDifferently: "Use the tool.", comment: "", consentQuote: "yes" };

describe("an answer is checked the same way on the card and the page", () => {
  test("a complete answer is accepted and typed", () => {
    const r = checkAnswers("end", OUTCOMES, good);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.answers).toMatchObject({ kind: "end", overall: 4, outcomes: ["yes", "partly", "no"], consentQuote: true });
  });

  test.each([["0"], ["6"], ["3.5"], ["-1"], ["five"], ["1e1"], [" 44"]])("a rating of %j is refused with a reason, and nothing else is lost", (v) => {
    const r = checkAnswers("end", OUTCOMES, { ...good, trainer: v });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.trainer).toMatch(/1 to 5/);
      expect(Object.keys(r.problems)).toEqual(["trainer"]);
      expect(r.values.doDifferently).toBe("Use the tool.");
    }
  });

  test("text of 100,000 characters is refused, keeping the first 2,000", () => {
    const r = checkAnswers("end", OUTCOMES, { ...good, comment: "x".repeat(100_000) });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems.comment).toContain("100,000 characters; the limit is 2,000");
      expect(r.values.comment).toHaveLength(TEXT_LIMIT);
    }
  });

  test("missing answers are named; fields that are not questions are ignored", () => {
    const r = checkAnswers("end", OUTCOMES, { overall: "3", sessionId: "s-aaaaaaaaaa", delegateId: "ffff", "__proto__": "x" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.problems).sort()).toEqual(["confidenceAfter", "confidenceBefore", "consentQuote", "doDifferently", "materials", "outcome1", "outcome2", "outcome3", "trainer"].sort());
  });

  test("the follow-up asks for an example when practice has changed", () => {
    const base = { practiceChanged: "partly", practiceExample: "", jointWorking: "na", confidenceNow: "3", barriers: "", consentQuote: "no" };
    const r = checkAnswers("follow", [], base);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.practiceExample).toMatch(/example/);
    expect(checkAnswers("follow", [], { ...base, practiceChanged: "no" }).ok).toBe(true);
  });

  test("whatever arrives, the checker answers with problems or a valid answer, never throws", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...questionsFor("end", OUTCOMES).map((q) => q.id), "x"), fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.constant(null), fc.array(fc.string()))), (raw) => {
        const r = checkAnswers("end", OUTCOMES, raw as Record<string, unknown>);
        if (r.ok) expect(r.answers.kind === "end" && r.answers.overall).toBeGreaterThanOrEqual(1);
        else expect(Object.keys(r.problems).length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe("personal links and pseudonyms", () => {
  const keys = new TrainingKeys({ link: "l".repeat(40), pseudonym: "p".repeat(40) });
  const now = new Date("2027-03-03T10:00:00Z");
  const a = keys.delegateId({ email: "Sam.Patel@Example.org " });
  const b = keys.delegateId({ email: "aisha@example.org" });
  const claims = { sessionId: "s-k3q9x0ab7z", kind: "end" as const, delegateId: a, expires: Math.floor(now.getTime() / 1000) + 3600 };

  test("a signed link names one delegate and one evaluation, and verifies until it expires", () => {
    const token = keys.sign(claims);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(keys.verify(token, now)).toEqual({ ok: true, claims });
    expect(keys.verify(token, new Date(now.getTime() + 3600_000))).toMatchObject({ ok: false, why: "expired" });
  });

  test("tampering with any part, another delegate's id, another secret or junk is refused as forged or malformed", () => {
    const token = keys.sign(claims);
    const parts = token.split(".");
    expect(keys.verify([parts[0], parts[1], b, parts[3], parts[4]].join("."), now)).toMatchObject({ ok: false, why: "forged" });
    expect(keys.verify([parts[0], "follow", ...parts.slice(2)].join("."), now)).toMatchObject({ ok: false, why: "forged" });
    expect(keys.verify([...parts.slice(0, 3), "zzzzzz", parts[4]].join("."), now)).toMatchObject({ ok: false, why: "forged" });
    const flipped = parts[4][0] === "A" ? `B${parts[4].slice(1)}` : `A${parts[4].slice(1)}`;
    expect(keys.verify([...parts.slice(0, 4), flipped].join("."), now)).toMatchObject({ ok: false, why: "forged" });
    expect(new TrainingKeys({ link: "x".repeat(40), pseudonym: "p".repeat(40) }).verify(token, now)).toMatchObject({ ok: false, why: "forged" });
    for (const junk of ["", "x", "../../etc/passwd", token + ".x", token.toUpperCase(), "s-k3q9x0ab7z.end"]) expect(keys.verify(junk, now).ok).toBe(false);
  });

  test("a delegate is one id whatever the case of their address; a pseudonym differs per course and never shows the id", () => {
    expect(keys.delegateId({ email: "sam.patel@example.org" })).toBe(a);
    expect(a).not.toBe(b);
    expect(keys.pseudonym(a, "c-aaaaaaaaaa")).not.toBe(keys.pseudonym(a, "c-bbbbbbbbbb"));
    expect(keys.pseudonym(a, "c-aaaaaaaaaa")).not.toContain(a);
    expect(new TrainingKeys({ link: "l".repeat(40), pseudonym: "q".repeat(40) }).pseudonym(a, "c-aaaaaaaaaa")).not.toBe(keys.pseudonym(a, "c-aaaaaaaaaa"));
  });
});

describe("delays and UK times", () => {
  test.each([["3 days", 4320], ["3d", 4320], ["12 hours", 720], ["10 minutes", 10], ["10m", 10], ["1 week", 10080], ["1.5 hours", 90]])("%j is %d minutes", (s, m) => expect(parseDuration(s)).toBe(m));
  test.each([[""], ["soon"], ["0 minutes"], ["-3 days"], ["3 fortnights"], ["400 days"]])("%j is refused", (s) => expect(parseDuration(s)).toBeUndefined());
  test("delays read back as typed", () => {
    expect(formatDuration(1500)).toBe("1 day 1 hour");
    expect(durationInput(4320)).toBe("3 days");
    expect(durationInput(90)).toBe("90 minutes");
  });
  test("session times are London wall-clock times across the clock changes", () => {
    expect(londonToUtc("2027-07-01", "09:30")!.toISOString()).toBe("2027-07-01T08:30:00.000Z");
    expect(londonToUtc("2027-12-01", "09:30")!.toISOString()).toBe("2027-12-01T09:30:00.000Z");
    expect(londonToUtc("2027-03-28", "01:30")).toBeUndefined();
    expect(londonToUtc("2027-02-30", "09:30")).toBeUndefined();
    expect(utcToLondon("2027-07-01T08:30:00.000Z")).toEqual({ date: "2027-07-01", time: "09:30" });
  });
});

describe("a delegate list in CSV", () => {
  test("broken rows are reported by line, duplicates merged, names kept as typed", () => {
    const csv = ["Name,E-mail,Agency,Manager,Manager e-mail", "=HYPERLINK(\"https://evil.example\"),sam@example.org,,,", "Aisha Khan,aisha@example.org,St Aidan's,Ruth Bell,ruth@example.org", "Aisha again,AISHA@example.org,,,", "No Mail,,,,", "Too,many@example.org,a,b,c@example.org,extra", "Mgr Only,x@example.org,,Ruth Bell,"].join("\n");
    const r = parseDelegateCsv(csv);
    if (!r.ok) throw new Error(r.error);
    expect(r.accepted.map((x) => x.value.name)).toEqual(['=HYPERLINK("https://evil.example")', "Aisha Khan"]);
    expect(r.merged).toEqual([{ line: 4, into: 3 }]);
    expect(r.rejected.map((x) => x.line)).toEqual([5, 6, 7]);
    expect(r.rejected[0].reason).toMatch(/email is missing/);
    expect(r.rejected[1].reason).toMatch(/6 values but the header has 5 columns/);
    expect(r.rejected[2].reason).toMatch(/manager_email is empty/);
    expect(parseDelegateCsv('name,email\n"Quote, Unclosed,y@example.org')).toMatchObject({ ok: false, error: expect.stringMatching(/^Line 2: .*double quote is never closed/) });
  });

  test("a file that cannot be a delegate list says why", () => {
    expect(parseDelegateCsv("")).toMatchObject({ ok: false, error: expect.stringContaining("empty") });
    expect(parseDelegateCsv("name,phone\nSam,0123")).toMatchObject({ ok: false, error: expect.stringContaining('unknown column "phone"') });
    expect(parseDelegateCsv("name\nSam")).toMatchObject({ ok: false, error: expect.stringContaining("no email column") });
    expect(parseDelegateCsv(`name,email\n${"a,b@example.org\n".repeat(1001)}`)).toMatchObject({ ok: false, error: expect.stringContaining("limit is 1,000") });
  });

  test("a delegate list is told apart from the admin's agency list", () => {
    expect(looksLikeDelegateCsv("\ufeffName,Email,Agency\nSam,s@example.org,X")).toBe(true);
    expect(looksLikeDelegateCsv("agency_name,sector,partnerships,lead_email,lead_name\n")).toBe(false);
  });
});

describe("results", () => {
  const course: Course = { courseId: "c-aaaaaaaaaa", title: "Neglect", kind: "core", outcomes: OUTCOMES, followUpWeeks: 8, reminderMinutes: 10, escalationMinutes: 10, createdAt: "", createdBy: "" };
  const session: Session = { sessionId: "s-aaaaaaaaaa", courseId: course.courseId, courseTitle: "Neglect", startsAt: "2027-03-03T09:30:00Z", durationMinutes: 60, mode: "virtual", venue: "", trainer: "", state: "closed", endSentAt: "2027-03-03T10:30:00Z", createdAt: "", createdBy: "", etag: "" };
  const delegate = (i: number, answered: boolean): Delegate => ({ sessionId: session.sessionId, delegateId: `d${i}`, name: `Person ${i}`, email: `p${i}@example.org`, agency: "Agency", managerName: "", managerEmail: "", attended: true, source: "csv", addedAt: "", addedBy: "", endAnsweredAt: answered ? "2027-03-03T11:00:00Z" : undefined, etag: "" });
  const answer = (i: number, consent: boolean): StoredAnswer => ({ sessionId: session.sessionId, kind: "end", pseudonym: `ps${i}`, answers: { kind: "end", overall: 4, outcomes: ["yes", "partly", "no"], confidenceBefore: 2, confidenceAfter: 4, trainer: 5, materials: 3, doDifferently: `Quote ${i}`, comment: "", consentQuote: consent } });

  test(`fewer than ${MIN_GROUP} answers: no averages, no outcomes, no quotes`, () => {
    const r = summarise(course, [{ session, delegates: [0, 1, 2, 3, 4, 5].map((i) => delegate(i, i < 4)), answers: [0, 1, 2, 3].map((i) => answer(i, true)), endRows: [], followRows: [] }]);
    const all = plain(r.sections.map((s) => [String(s.heading), ...s.facts.map((f) => `${f.title}: ${f.value}`), String(s.note)].join("\n")).join("\n"));
    expect(all).toContain("End of session: answered: 4 of 6 (67%)");
    expect(all).not.toMatch(/Overall: /);
    expect(all).toContain("Fewer than 5 answers (4): not shown");
    expect(r.quotes).toEqual([]);
    expect(r.outstanding).toEqual(["Person 4, Agency: end of session", "Person 5, Agency: end of session"]);
  });

  test(`from ${MIN_GROUP} answers: averages and outcomes, and quotes only from those who agreed`, () => {
    const r = summarise(course, [{ session, delegates: [0, 1, 2, 3, 4].map((i) => delegate(i, true)), answers: [0, 1, 2, 3, 4].map((i) => answer(i, i % 2 === 0)), endRows: [], followRows: [] }]);
    const facts = r.sections.flatMap((s) => s.facts.map((f) => plain(`${f.title}: ${f.value}`)));
    expect(facts).toContain("Overall: 4.0");
    expect(facts).toContain("Before the session: 2.0");
    expect(facts).toContain(`${OUTCOMES[1]}: yes 0% · partly 100% · no 0%`);
    expect(r.quotes.map((q) => plain(String(q)))).toEqual(["“Quote 0”", "“Quote 2”", "“Quote 4”"]);
  });
});

describe("the evaluation on a card and on a page", () => {
  const ctx = (kind: "end" | "follow"): EvaluationContext => ({
    kind,
    course: { courseId: "c-aaaaaaaaaa", title: "Neglect [read](https://evil.example)", kind: "core", outcomes: OUTCOMES, followUpWeeks: 8, reminderMinutes: 10, escalationMinutes: 10, createdAt: "", createdBy: "" },
    session: { sessionId: "s-aaaaaaaaaa", courseId: "c-aaaaaaaaaa", courseTitle: "Neglect", startsAt: "2027-03-03T09:30:00Z", durationMinutes: 60, mode: "virtual", venue: "", trainer: "**Bold** trainer", state: "closed", endSentAt: "2027-03-03T10:30:00Z", createdAt: "", createdBy: "", etag: "" },
    delegate: { sessionId: "s-aaaaaaaaaa", delegateId: "a".repeat(24), name: "Sam", email: "sam@example.org", agency: "", managerName: "", managerEmail: "", attended: true, source: "csv", addedAt: "", addedBy: "", etag: "" },
    expires: new Date("2027-05-01T00:00:00Z"),
  });

  test.each(["end", "follow"] as const)("the %s card asks every question once, with the typed values, and renders cleanly", (kind) => {
    const values: Record<string, string> = kind === "end" ? { ...good, doDifferently: "**mine** [x](y)" } : { practiceChanged: "yes", practiceExample: "Example", jointWorking: "na", confidenceNow: "3", barriers: "", consentQuote: "no" };
    const card = renderCard("trainingEvaluation", evaluationView(ctx(kind), { values, problems: { overall: "Please choose a number from 1 to 5." }, privacyBase: "https://bot.example" }));
    expect(validateCard(card)).toEqual([]);
    const inputs: Array<{ id: string; value: unknown; label: string }> = [];
    JSON.stringify(card, (k, v) => {
      if (v && typeof v === "object" && typeof v.type === "string" && v.type.startsWith("Input.")) inputs.push(v);
      return v;
    });
    expect(inputs.map((i) => i.id)).toEqual(questionsFor(kind, OUTCOMES).map((q) => q.id));
    for (const i of inputs) {
      expect(i.label.length).toBeGreaterThan(0);
      expect(i.value).toBe((values as Record<string, string>)[i.id] ?? "");
    }
    expect(textOf(card)).not.toContain("[read](");
    if (kind === "end") expect(plain(textOf(card))).toContain("Please choose a number from 1 to 5.");
  });

  test("the page labels every input, groups choices under a legend, escapes everything and keeps a problem next to its field", () => {
    const html = formPage({ title: 'Evaluation: <script>alert(1)</script>', intro: "x", questions: questionsFor("end", ['<img src=x onerror=alert(1)>', ...OUTCOMES.slice(1)]), values: { doDifferently: '</textarea><script>alert(2)</script>' }, problems: { overall: "Please choose a number from 1 to 5." }, until: "1 May 2027" });
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain("&lt;/textarea&gt;&lt;script&gt;");
    const fieldsets = html.match(/<fieldset[^>]*>/g) ?? [];
    expect((html.match(/<legend>/g) ?? []).length).toBe(fieldsets.length);
    for (const m of html.matchAll(/<(?:input|textarea)[^>]* id="([^"]+)"/g)) expect(html).toContain(`for="${m[1]}"`);
    const overall = html.indexOf('id="overall-field"');
    expect(html.indexOf("Please choose a number from 1 to 5.", overall)).toBeLessThan(html.indexOf('id="overall-0"'));
  });
});

describe("spreadsheets are formula-safe", () => {
  const hostile = ['=HYPERLINK("https://evil.example","x")', "+1+1", "-2", "@SUM(A1)", "\tTab", "plain"];

  test("CSV cells that a spreadsheet would run get an apostrophe", () => {
    const csv = toCsv(["name"], hostile.map((h) => [h]));
    expect(csv).toContain(`"'=HYPERLINK(""https://evil.example"",""x"")"`);
    expect(csv).toContain("'+1+1");
    expect(csv).toContain("'@SUM(A1)");
    expect(csv).toContain("\r\nplain");
  });

  test("XLSX text cells are text, never formulas, and neutralised too", async () => {
    const bytes = await toXlsx("Answers", ["Name", "Rating"], hostile.map((h, i) => [h, i]));
    const zip = new AdmZip(bytes);
    const names = zip.getEntries().map((e) => e.entryName);
    expect(names).toEqual(expect.arrayContaining(["[Content_Types].xml", "xl/workbook.xml"]));
    const xml = zip.getEntries().filter((e) => e.entryName.startsWith("xl/")).map((e) => e.getData().toString("utf8")).join("\n");
    expect(xml).not.toMatch(/<f>/);
    expect(xml).toContain("<t>'=HYPERLINK");
    expect(xml).toContain("<t>'@SUM(A1)</t>");
    expect(xml).not.toMatch(/>=HYPERLINK/);
  });
});
