import { randomUUID } from "node:crypto";
import type { RunningApp } from "../src/app";
import type { Actor } from "../src/people/actor";
import { TEST_TENANT_ID } from "../test/support/teamsActivity";

/**
 * A training officer with one course and one session, made through the training services as the
 * officer's cards make them: what the evaluation benches start from. Returns the officer and the
 * session's id.
 */
export async function officerWithSession(app: RunningApp, o: { courseTitle: string; outcomes: string[]; mode: "virtual" | "in_person"; venue: string }): Promise<{ officer: Actor; sessionId: string }> {
  const s = app.services;
  const t = s.training;
  const officer: Actor = { principal: { tenantId: TEST_TENANT_ID, aadObjectId: randomUUID() }, name: "Bench Officer" };
  await s.access.grant({ role: "trainer", agencyId: "*", agencyName: "Partnership", holder: { kind: "person", principal: officer.principal }, name: officer.name, email: "", by: "bench" });
  const form = await t.courses.form(officer);
  await t.courses.create(officer, { formId: form.formId, title: o.courseTitle, kind: "core", outcomes: o.outcomes.join("\n"), followUpWeeks: "8", reminderAfter: "3 days", escalationAfter: "7 days" });
  const sForm = await t.sessions.form(officer, `c-${form.formId}`);
  await t.sessions.create(officer, { formId: sForm.formId, courseId: `c-${form.formId}`, date: "2027-03-03", time: "09:30", duration: "120", mode: o.mode, venue: o.venue, trainer: "Dr Helen Mayhew" });
  return { officer, sessionId: `s-${sForm.formId}` };
}
