import { md, NO_TEXT, text, type Shown } from "../cards/text";
import type { ActionView, FactView } from "../cards/views";
import { fitText } from "../cards/fit";
import { actionsOf, digestFigures, meetsMajorityIn, standardRatings } from "../reporting/aggregate";
import { SECTOR_GROUP_LABELS, type SectorGroup, type StandardRating } from "../reporting/rules";
import type { AgencyFacts, DigestInput } from "../reporting/types";
import { formatDate } from "../time";
import { DIGEST_VERBS } from "./verbs";
import type { DigestDetailView } from "./views";

/**
 * The drill-down answers: shown only to the channel member who asked (in the invoke response), so
 * they may name agencies; never evidence or action text, never people. Each list is cut to a
 * byte budget so the card stays under Teams' limit whatever the number or length of names.
 */

const LINES_BUDGET = 16_000;
const RATING_WORDS: Record<StandardRating, string> = { fully: "fully met", partially: "partially met", not: "not met" };
const STATUS_WORDS: Record<AgencyFacts["status"], string> = { not_started: "not started", in_progress: "in progress", awaiting_signoff: "awaiting sign-off", submitted: "submitted" };

function fitLines(groups: Array<{ heading: Shown; lines: Shown[] }>): { sections: DigestDetailView["sections"]; cut: number } {
  let used = 0;
  let cut = 0;
  const sections = groups.map((g) => {
    const lines: Shown[] = [];
    for (const l of g.lines) {
      const size = Buffer.byteLength(String(l), "utf8") + 60;
      if (used + size > LINES_BUDGET) {
        cut++;
        continue;
      }
      used += size;
      lines.push(l);
    }
    return { heading: g.heading, lines };
  });
  return { sections: sections.filter((s) => s.lines.length), cut };
}

const back = (data: Record<string, string>): ActionView => ({ title: "Back to the digest", verb: DIGEST_VERBS.view, data, inputs: "none" });

export function standardDetail(input: DigestInput, standardIndex: number, data: Record<string, string>): DigestDetailView {
  const s = input.standards[standardIndex];
  const f = digestFigures(input);
  const sf = f.standards[standardIndex];
  const byRating: Record<StandardRating, string[]> = { fully: [], partially: [], not: [] };
  for (const a of input.agencies) {
    const r = standardRatings(a.latest, [s])[0];
    if (r) byRating[r].push(a.agencyName);
  }
  const { sections, cut } = fitLines([
    { heading: text(`Not met (${byRating.not.length})`), lines: byRating.not.map((n) => text(n)) },
    { heading: text(`Partially met (${byRating.partially.length})`), lines: byRating.partially.map((n) => text(n)) },
    { heading: text(`Fully met (${byRating.fully.length})`), lines: byRating.fully.map((n) => text(n)) },
  ]);
  const facts: FactView[] = [
    { title: text("Agencies rating it"), value: text(String(sf.rated)) },
    { title: text("Fully met now"), value: text(`${sf.fully} (${sf.greenPct}%)`) },
    { title: text("At first submission"), value: text(`${sf.firstGreenPct}% fully met`) },
    { title: text("Partially met"), value: text(String(sf.partially)) },
    { title: text("Not met"), value: text(String(sf.not)) },
  ];
  return { title: md`Standard ${s.id}: ${s.title}`, subtitle: text(`${input.cycle.name} · latest signed-off submissions`), facts, sections, moreText: cut ? text(`${cut} more not shown: export the figures for the full list.`) : NO_TEXT, actions: [back(data)] };
}

export function sectorDetail(input: DigestInput, sector: SectorGroup, data: Record<string, string>): DigestDetailView {
  const mine = input.agencies.filter((a) => a.sector === sector);
  const f = digestFigures({ ...input, agencies: mine });
  const lines = mine.map((a) => {
    const meets = meetsMajorityIn(a.latest, input.standards);
    const overdue = actionsOf(a, input.standards).filter((x) => x.due < input.today).length;
    return md`${a.agencyName}: ${STATUS_WORDS[a.status]}${meets === undefined ? "" : meets ? ", fully meets most indicators" : ", does not fully meet most indicators"}${overdue ? `, ${overdue} overdue action${overdue === 1 ? "" : "s"}` : ""}`;
  });
  const { sections, cut } = fitLines([{ heading: text("Agencies"), lines }]);
  return {
    title: md`Sector: ${SECTOR_GROUP_LABELS[sector]}`,
    subtitle: text(input.cycle.name),
    facts: [
      { title: text("Agencies"), value: text(String(f.returns.agencies)) },
      { title: text("Submitted"), value: text(String(f.returns.submitted)) },
      { title: text("Past the deadline without a submission"), value: text(String(f.returns.overdue)) },
      { title: text("Fully meet most indicators now"), value: text(f.headline.now.of ? `${f.headline.now.pct}% (${f.headline.now.count} of ${f.headline.now.of})` : "no submissions yet") },
      { title: text("Overdue actions"), value: text(String(f.overdueActions.length)) },
    ],
    sections,
    moreText: cut ? text(`${cut} more not shown: export the figures for the full list.`) : NO_TEXT,
    actions: [back(data)],
  };
}

export function agencyChoices(input: DigestInput, query: string, data: Record<string, string>): DigestDetailView {
  const q = query.trim().toLowerCase();
  const found = input.agencies.filter((a) => a.agencyName.toLowerCase().includes(q)).slice(0, 10);
  return {
    title: text(found.length ? "Which agency?" : "No agency found"),
    subtitle: found.length ? text(`Agencies whose name contains "${fitText(query, 100).text}"`) : text(`No agency of this digest's partnerships has "${fitText(query, 100).text}" in its name.`),
    facts: [],
    sections: [],
    moreText: NO_TEXT,
    actions: [...found.map((a) => ({ title: fitText(a.agencyName, 200).text, verb: DIGEST_VERBS.agency, data: { ...data, agencyId: a.agencyId } })), back(data)],
  };
}

export function agencyDetail(input: DigestInput, a: AgencyFacts, data: Record<string, string>): DigestDetailView {
  const now = standardRatings(a.latest, input.standards);
  const first = standardRatings(a.first, input.standards);
  const standards = input.standards.map((s, i) => md`${s.id} ${fitText(s.title, 80).text}: ${now[i] ? RATING_WORDS[now[i]!] : "no rating"}${first[i] && first[i] !== now[i] ? ` (first submission: ${RATING_WORDS[first[i]!]})` : ""}`);
  const actions = actionsOf(a, input.standards).sort((x, y) => x.due.localeCompare(y.due)).map((x) => md`Indicator ${x.indicatorId} (standard ${x.standardId}), ${RATING_WORDS[x.rating]}: due ${formatDate(x.due)}${x.due < input.today ? ", overdue" : ""}`);
  const meetsNow = meetsMajorityIn(a.latest, input.standards);
  const meetsFirst = meetsMajorityIn(a.first, input.standards);
  const { sections, cut } = fitLines([
    { heading: text("Standards (latest signed-off submission)"), lines: standards },
    { heading: text(`Open actions (${actions.length})`), lines: actions },
  ]);
  return {
    title: text(a.agencyName),
    subtitle: text(`${SECTOR_GROUP_LABELS[a.sector]} · ${input.cycle.name}`),
    facts: [
      { title: text("Return"), value: text(`${STATUS_WORDS[a.status]}${a.changedSinceSubmission ? ", changed since, not signed off again" : ""}`) },
      { title: text("Fully meets most indicators"), value: text(meetsNow === undefined ? "no submission yet" : `${meetsNow ? "yes" : "no"} now; ${meetsFirst ? "yes" : "no"} at first submission`) },
    ],
    sections: sections.length ? sections : [{ heading: text("No submission yet"), lines: [text("Nothing has been signed off for this agency in this cycle.")] }],
    moreText: cut ? text(`${cut} more not shown: export the figures for the full list.`) : NO_TEXT,
    actions: [back(data)],
  };
}
