import { fitText } from "../cards/fit";
import { md, NO_TEXT, text, type Shown } from "../cards/text";
import type { FactView } from "../cards/views";
import type { DeliveryRow } from "../delivery/types";
import type { StoredAnswer } from "../storage/evaluationsRepo";
import type { EndAnswers, FollowAnswers } from "./questions";
import { reachOf } from "./reach";
import { answeredAt, type Course, type Delegate, type Session } from "./types";
import { formatSessionDay } from "./ukTime";
import { percent } from "./ui";
import type { ResultsSectionView } from "./views";

/**
 * What the officer (and later the Executive) reads about a session or a course: volumes, response
 * rates, ratings, confidence before / after / at follow-up, outcomes met, follow-up impact,
 * consented quotes and who is outstanding. Pure: it is given the rows and counts them.
 *
 * Confidentiality: a breakdown over fewer than MIN_GROUP answers is not shown (with so few, an
 * answer can be recognised); quotes come only from people who said yes, and only when there are at
 * least MIN_GROUP answers to quote from; nothing ties a figure or a quote to a name.
 */
export const MIN_GROUP = 5;
const QUOTE_BYTES = 400;
const QUOTES = 6;

export interface SessionResultsInput {
  session: Session;
  delegates: Delegate[];
  answers: StoredAnswer[];
  endRows: DeliveryRow[];
  followRows: DeliveryRow[];
}

export interface Results {
  sections: ResultsSectionView[];
  quotes: Shown[];
  outstanding: string[];
}

const avg = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(1);
const TOO_FEW = (n: number) => md`Fewer than ${MIN_GROUP} answers (${n}): not shown, so that nobody's answer can be recognised.`;
const fact = (title: string, value: string): FactView => ({ title: text(title), value: text(value) });

function share(values: string[], labels: Array<[string, string]>): string {
  return labels.map(([v, label]) => `${label} ${percent(values.filter((x) => x === v).length, values.length)}`).join(" · ");
}

export function summarise(course: Course, sessions: SessionResultsInput[]): Results {
  const delegates = sessions.flatMap((s) => s.delegates);
  const attended = delegates.filter((d) => d.attended);
  const ends = sessions.flatMap((s) => s.answers).filter((a) => a.kind === "end").map((a) => a.answers as EndAnswers);
  const follows = sessions.flatMap((s) => s.answers).filter((a) => a.kind === "follow").map((a) => a.answers as FollowAnswers);
  const reached = (rows: DeliveryRow[]) => {
    const kinds = rows.map((r) => reachOf(r).kind);
    return { teams: kinds.filter((k) => k === "teams").length, email: kinds.filter((k) => k === "email").length, link: kinds.filter((k) => k === "link").length, total: rows.length };
  };
  const endReach = reached(sessions.flatMap((s) => s.endRows));
  const followReach = reached(sessions.flatMap((s) => s.followRows));
  const answeredEnd = attended.filter((d) => answeredAt(d, "end")).length;
  const answeredFollow = attended.filter((d) => answeredAt(d, "follow")).length;
  const followSent = sessions.some((s) => s.session.followSentAt);

  const sections: ResultsSectionView[] = [];
  sections.push({
    heading: md`Volumes`,
    facts: [
      ...(sessions.length > 1 ? [fact("Sessions", String(sessions.length))] : []),
      fact("Booked", String(delegates.length)),
      fact("Attended", String(attended.length)),
      fact("End of session: reached", `${endReach.teams + endReach.email} (${endReach.teams} in Teams, ${endReach.email} by e-mail${endReach.link ? `, ${endReach.link} links handed out` : ""})`),
      fact("End of session: answered", `${answeredEnd} of ${attended.length} (${percent(answeredEnd, attended.length)})`),
      ...(followSent ? [fact("Follow-up: reached", `${followReach.teams + followReach.email} (${followReach.teams} in Teams, ${followReach.email} by e-mail${followReach.link ? `, ${followReach.link} links handed out` : ""})`), fact("Follow-up: answered", `${answeredFollow} of ${attended.length} (${percent(answeredFollow, attended.length)})`)] : []),
    ],
    note: followSent ? NO_TEXT : md`The follow-up evaluation has not been sent yet.`,
  });

  const enough = ends.length >= MIN_GROUP;
  sections.push({
    heading: md`Ratings at the end of the session (1 to 5)`,
    facts: enough ? [fact("Overall", avg(ends.map((a) => a.overall))), fact("Trainer", avg(ends.map((a) => a.trainer))), fact("Materials", avg(ends.map((a) => a.materials)))] : [],
    note: enough ? md`From ${ends.length} answers.` : TOO_FEW(ends.length),
  });

  // Confidence on one scale at three moments; the change for the same people comes from pairs sharing a pseudonym.
  const pseudonymsFollow = new Map(sessions.flatMap((s) => s.answers).filter((a) => a.kind === "follow").map((a) => [`${a.sessionId}|${a.pseudonym}`, a.answers as FollowAnswers]));
  const pairs = sessions.flatMap((s) => s.answers).filter((a) => a.kind === "end" && pseudonymsFollow.has(`${a.sessionId}|${a.pseudonym}`)).map((a) => ({ before: (a.answers as EndAnswers).confidenceBefore, after: (a.answers as EndAnswers).confidenceAfter, now: pseudonymsFollow.get(`${a.sessionId}|${a.pseudonym}`)!.confidenceNow }));
  const confidence: FactView[] = [];
  if (enough) confidence.push(fact("Before the session", avg(ends.map((a) => a.confidenceBefore))), fact("After the session", avg(ends.map((a) => a.confidenceAfter))));
  if (follows.length >= MIN_GROUP) confidence.push(fact("At follow-up", avg(follows.map((a) => a.confidenceNow))));
  if (pairs.length >= MIN_GROUP) {
    const change = pairs.reduce((sum, p) => sum + (p.now - p.before), 0) / pairs.length;
    confidence.push(fact("Same people, before to follow-up", `${change >= 0 ? "+" : ""}${change.toFixed(1)} (${pairs.length} people answered both)`));
  }
  sections.push({ heading: md`Confidence (1 to 5)`, facts: confidence, note: confidence.length ? md`The same scale before, after and at follow-up.` : TOO_FEW(ends.length) });

  sections.push({
    heading: md`Learning outcomes met`,
    facts: enough ? course.outcomes.map((o, i) => ({ title: text(fitText(o, 200).text), value: text(share(ends.map((a) => a.outcomes[i] ?? ""), [["yes", "yes"], ["partly", "partly"], ["no", "no"]])) })) : [],
    note: enough ? NO_TEXT : TOO_FEW(ends.length),
  });

  if (followSent) {
    const f = follows.length >= MIN_GROUP;
    sections.push({
      heading: md`Follow-up: impact on practice`,
      facts: f
        ? [
            fact("Practice changed", share(follows.map((a) => a.practiceChanged), [["yes", "yes"], ["partly", "partly"], ["no", "no"]])),
            fact("Joint working or information sharing improved", share(follows.map((a) => a.jointWorking), [["yes", "yes"], ["partly", "partly"], ["no", "no"], ["na", "not applicable"]])),
          ]
        : [],
      note: f ? md`From ${follows.length} answers.` : TOO_FEW(follows.length),
    });
  }

  const quotable = [...(enough ? ends.filter((a) => a.consentQuote && a.doDifferently).map((a) => a.doDifferently) : []), ...(follows.length >= MIN_GROUP ? follows.filter((a) => a.consentQuote && a.practiceExample).map((a) => a.practiceExample) : [])];
  const quotes = [...new Set(quotable.map((q) => q.replace(/\s+/g, " ").trim()))].slice(0, QUOTES).map((q) => text(`“${fitText(q, QUOTE_BYTES).text}”`));

  const outstanding = sessions.flatMap((s) =>
    s.delegates
      .filter((d) => d.attended && ((s.session.endSentAt && !d.endAnsweredAt) || (s.session.followSentAt && !d.followAnsweredAt)))
      .map((d) => `${d.name || d.email}${d.agency ? `, ${d.agency}` : ""}${sessions.length > 1 ? ` (${formatSessionDay(s.session.startsAt)})` : ""}: ${[s.session.endSentAt && !d.endAnsweredAt ? "end of session" : "", s.session.followSentAt && !d.followAnsweredAt ? "follow-up" : ""].filter(Boolean).join(" and ")}`),
  );
  return { sections, quotes, outstanding };
}
