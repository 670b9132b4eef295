import { z } from "zod/v4";
import { md, text } from "../cards/text";
import type { TextColor } from "../cards/views";
import { UserFacingError } from "../errors";
import type { Actor } from "../people/actor";
import { standardRating, STANDARD_RULE_TEXT, type StandardRating } from "../reporting/rules";
import type { Agency } from "../storage/agenciesRepo";
import type { Cycle } from "../storage/cyclesRepo";
import { returnPartition } from "../storage/returnsRepo";
import type { TemplateIndex } from "../section11/template";
import type { CycleDeps } from "./deps";
import { CYCLE_VERBS } from "./verbs";
import type { ComparisonView } from "./views";

const id = z.unknown().transform((v) => (typeof v === "string" ? v.slice(0, 200) : ""));
/** Card data: pointers only, checked against the actor's stored rights before anything is read. */
export const compareInput = z.object({ agencyId: id.optional(), cycleId: id.optional() });

const LABEL: Record<StandardRating, string> = { fully: "Fully met", partially: "Partially met", not: "Not met" };
const RANK: Record<StandardRating, number> = { not: 0, partially: 1, fully: 2 };
export const NOT_YOURS = "You can compare only your own agency's returns. If you should see this agency, ask your partnership's business manager.";

export interface StandardComparison {
  id: string;
  title: string;
  previous?: StandardRating;
  current?: StandardRating;
  change: "better" | "worse" | "same" | "new" | "none";
}

/** Pure: ratings per standard of the current template, from two sets of indicator ratings. */
export function compareStandards(index: TemplateIndex, previous: Map<string, string> | undefined, current: Map<string, string>): StandardComparison[] {
  return index.template.standards.map((s) => {
    const ids = s.indicators.map((i) => i.id);
    const prev = previous ? standardRating(ids.map((i) => previous.get(i))) : undefined;
    const cur = standardRating(ids.map((i) => current.get(i)));
    const change = !cur ? "none" : !prev ? "new" : RANK[cur] > RANK[prev] ? "better" : RANK[cur] < RANK[prev] ? "worse" : "same";
    return { id: s.id, title: s.title, previous: prev, current: cur, change };
  });
}

/**
 * The comparison between cycles, per agency and per standard: the previous cycle's latest
 * signed-off submission (else its answers as they stood when it closed) against this cycle's
 * answers now. A lead or senior officer sees their own agency; an admin any agency.
 */
export class CycleComparison {
  constructor(private readonly d: CycleDeps) {}

  /** `pressed`: the card's Compare button (not the command), so an empty choice is said to be one. */
  async view(actor: Actor, input: z.infer<typeof compareInput>, opts: { pressed?: boolean } = {}): Promise<ComparisonView> {
    const roles = await this.d.access.rolesOf(actor);
    const mine = [...roles.agencies.keys()];
    if (!roles.admin && !mine.length) throw new UserFacingError("You are not registered with an agency, so there is no return to compare. Ask your partnership's business manager to add you.", "denied");
    const requested = (input.agencyId ?? "").trim();
    if (requested && !roles.admin && !mine.includes(requested)) throw new UserFacingError(NOT_YOURS, "denied");
    const choices = roles.admin ? (await this.d.agencies.list()).map((a) => ({ title: a.name.slice(0, 120), value: a.agencyId })).sort((a, b) => a.title.localeCompare(b.title)) : [...roles.agencies].map(([agencyId, a]) => ({ title: a.agencyName.slice(0, 120), value: agencyId }));
    const agencyId = requested || (choices.length === 1 ? choices[0].value : "");
    const chooser = roles.admin || choices.length > 1 ? choices : [];
    const base = { agencyChoices: chooser, agencyId, rule: text(STANDARD_RULE_TEXT), actions: chooser.length ? [{ title: "Compare", verb: CYCLE_VERBS.compare, data: {}, style: "positive" as const }] : [] };
    if (!agencyId) {
      const notice = opts.pressed ? { text: md`No agency chosen: choose one from the list, then press Compare.`, color: "attention" as const } : undefined;
      return { ...base, title: md`Compare with the previous cycle`, subtitle: md`Choose an agency, then Compare.`, notice, facts: [], standards: [] };
    }
    const agency = await this.d.agencies.get(agencyId);
    if (!agency) throw new UserFacingError(roles.admin ? "That agency does not exist (any more)." : NOT_YOURS, roles.admin ? "not_found" : "denied");
    const { current, previous } = await this.cyclesOf(agency, (input.cycleId ?? "").trim());
    if (!current) return { ...base, title: md`${agency.name}: no cycle yet`, subtitle: md`No Section 11 cycle covers this agency yet.`, facts: [], standards: [] };
    const index = await this.d.catalog.get(current.templateId, current.templateVersion);
    if (!index) throw new Error(`Template ${current.templateId} v${current.templateVersion} is missing`);
    const [now, before] = await Promise.all([this.ratingsNow(current, agency), previous ? this.ratingsBefore(previous, agency) : Promise.resolve(undefined)]);
    const rows = compareStandards(index, before?.ratings, now.ratings);
    const counts = { better: 0, worse: 0, same: 0 };
    for (const r of rows) if (r.change === "better" || r.change === "worse" || r.change === "same") counts[r.change]++;
    return {
      ...base,
      title: md`${agency.name}: ${current.name} against ${previous?.name ?? "the previous cycle"}`,
      subtitle: previous ? md`Per standard: ${before?.basis ?? "no return"} in ${previous.name}, against the answers now in ${current.name}.` : md`There is no earlier cycle for this agency to compare with.`,
      notice: now.carried ? { text: md`${now.carried} of this cycle's answers are still "carried forward, please confirm": until confirmed they are last cycle's answers.`, color: "warning" } : undefined,
      facts: previous
        ? [
            { title: text("Better"), value: text(String(counts.better)) },
            { title: text("Worse"), value: text(String(counts.worse)) },
            { title: text("The same"), value: text(String(counts.same)) },
          ]
        : [],
      standards: rows.map((r, i) => ({ title: md`${i + 1}. ${r.title}`, line: lineOf(r, !!previous), color: colorOf(r) })),
    };
  }

  /** The cycle to show (given, else the newest open one covering the agency) and the one it follows (the one it was carried from, else the one before). */
  private async cyclesOf(agency: Agency, cycleId: string): Promise<{ current?: Cycle; previous?: Cycle }> {
    const all = (await this.d.cycles.list()).filter((c) => c.partnerships.some((p) => agency.partnerships.includes(p)));
    const current = cycleId ? all.find((c) => c.cycleId === cycleId) : (all.find((c) => c.status === "open") ?? all[0]);
    if (cycleId && !current) throw new UserFacingError("That cycle does not cover this agency: choose the agency again.", "not_found");
    if (!current) return {};
    const previous = (current.carriedFrom && all.find((c) => c.cycleId === current.carriedFrom)) || all.find((c) => c.createdAt < current.createdAt);
    return { current, previous: previous || undefined };
  }

  private async ratingsNow(cycle: Cycle, agency: Agency): Promise<{ ratings: Map<string, string>; carried: number }> {
    const loaded = await this.d.returns.load(returnPartition(cycle.cycleId, agency.agencyId));
    const answers = [...(loaded?.answers.values() ?? [])];
    return { ratings: new Map(answers.map((a) => [a.indicatorId, a.rating])), carried: answers.filter((a) => a.carriedFrom).length };
  }

  private async ratingsBefore(cycle: Cycle, agency: Agency): Promise<{ ratings: Map<string, string>; basis: string } | undefined> {
    const pk = returnPartition(cycle.cycleId, agency.agencyId);
    const loaded = await this.d.returns.load(pk);
    if (!loaded) return undefined;
    const n = loaded.header.submissionCount;
    if (n) {
      const [latest] = await this.d.returns.snapshots(pk, n);
      if (latest) return { ratings: new Map([...latest.answers].map(([i, a]) => [i, a.rating])), basis: n === 1 ? "the signed-off submission" : `signed-off submission ${n}` };
    }
    return { ratings: new Map([...loaded.answers.values()].map((a) => [a.indicatorId, a.rating])), basis: "the answers (never signed off)" };
  }
}

function lineOf(r: StandardComparison, hasPrevious: boolean) {
  const now = r.current ? LABEL[r.current] : "no rating yet";
  if (!hasPrevious) return md`Now: ${now}`;
  const before = r.previous ? LABEL[r.previous] : "no rating";
  const change = { better: " (better)", worse: " (worse)", same: " (the same)", new: "", none: "" }[r.change];
  return md`Previous: ${before} → now: ${now}${change}`;
}

const colorOf = (r: StandardComparison): TextColor => (r.change === "better" ? "good" : r.change === "worse" ? "attention" : "default");

