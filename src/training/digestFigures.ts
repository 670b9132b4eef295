import type { TrainingFigures, TrainingFiguresProvider, TrainingQuery } from "../reporting/training";
import type { EvaluationsRepo } from "../storage/evaluationsRepo";
import type { Headcount, TrainingRepo } from "../storage/trainingRepo";
import { mapPool } from "../admin/pool";
import { coversAny } from "./coursePartnerships";
import { namesIn, withoutNames } from "./quoteNames";
import type { SessionTally } from "./tally";
import type { Session } from "./types";
import { utcToLondon } from "./ukTime";

/**
 * The digest's training figures, from what the training feature stores: the sessions held in the
 * period (by their UK date), each session's headcount (delegates who attended) and each session's
 * tally of evaluation answers (counts, sums, consented quotes). Three queries, one row per session
 * each, however many answers there are; a session whose headcount is stale or whose tally is not
 * yet whole is brought up to date first, once (see TrainingRepo.freshHeadcount and
 * EvaluationsRepo.ensureTally).
 *
 * Scope: a session counts for the channel's partnerships when its course belongs to one of them
 * or to none in particular (a joint course, and every session stored before courses had
 * partnerships). The course's partnerships are copied onto each session when it is created, so
 * this needs no read of the courses; a course's partnerships cannot be changed afterwards, so the
 * copy never goes stale. Answers are never read here one by one, and nothing here knows who gave them.
 */
export class StoredTrainingFigures implements TrainingFiguresProvider {
  /** The composer asks for two periods at once: both are answered from one read of the three lists. */
  private loading?: Promise<Rows>;

  constructor(private readonly d: { repo: TrainingRepo; answers: EvaluationsRepo }) {}

  async figures(q: TrainingQuery): Promise<TrainingFigures | undefined> {
    const rows = await this.rows();
    const wanted = new Set(q.partnerships.map((p) => p.toLowerCase()));
    const chosen = rows.sessions.filter((s) => {
      const day = utcToLondon(s.startsAt).date;
      return day >= q.from && day <= q.to && coversAny(s.partnerships, wanted);
    });
    if (!chosen.length) return undefined;
    const parts = await mapPool(chosen, 4, async (s) => {
      // Both periods hold the recent sessions: each is brought up to date once.
      let fresh = rows.fresh.get(s.sessionId);
      if (!fresh) rows.fresh.set(s.sessionId, (fresh = this.upToDate(s, rows)));
      return { session: s, ...(await fresh) };
    });
    return figuresOf(parts);
  }

  private rows(): Promise<Rows> {
    if (this.loading) return this.loading;
    const rows = Promise.all([this.d.repo.listSessions(), this.d.repo.listHeadcounts(), this.d.answers.listTallies()]).then(([sessions, headcounts, tallies]) => ({ sessions, headcounts, tallies: new Map(tallies.map((t) => [t.sessionId, t])), fresh: new Map() }));
    // Shared only while in flight: the next digest reads afresh.
    this.loading = rows;
    const done = () => {
      if (this.loading === rows) this.loading = undefined;
    };
    rows.then(done, done);
    return rows;
  }

  private async upToDate(s: Session, rows: Rows): Promise<{ headcount: Headcount; tally?: SessionTally }> {
    let headcount = rows.headcounts.get(s.sessionId);
    if (!headcount?.fresh) headcount = await this.d.repo.freshHeadcount(s.sessionId);
    let tally = rows.tallies.get(s.sessionId);
    // Before an evaluation is sent there are no answers to count.
    if (s.endSentAt && !tally?.whole) {
      await this.d.answers.ensureTally(s.sessionId);
      tally = await this.d.answers.getTally(s.sessionId);
    }
    return { headcount, tally };
  }
}

interface Rows {
  sessions: Session[];
  headcounts: Map<string, Headcount>;
  tallies: Map<string, SessionTally>;
  fresh: Map<string, Promise<{ headcount: Headcount; tally?: SessionTally }>>;
}

const mean = (sum: number, n: number) => (n > 0 ? sum / n : undefined);

/** Pure: the period's figures from its sessions, headcounts and tallies. */
export function figuresOf(parts: ReadonlyArray<{ session: Session; headcount: Pick<Headcount, "attended">; tally?: SessionTally }>): TrainingFigures {
  const sum = (f: (p: (typeof parts)[number]) => number) => parts.reduce((n, p) => n + f(p), 0);
  const end = sum((p) => p.tally?.end ?? 0);
  const follow = sum((p) => p.tally?.follow ?? 0);
  const followed = parts.filter((p) => p.session.followSentAt);
  const courses = new Map<string, { course: string; sessions: number; delegates: number; answered: number; overall: number }>();
  for (const p of parts) {
    const c = courses.get(p.session.courseId) ?? { course: p.session.courseTitle, sessions: 0, delegates: 0, answered: 0, overall: 0 };
    c.sessions++;
    c.delegates += p.headcount.attended;
    c.answered += p.tally?.end ?? 0;
    c.overall += p.tally?.overall ?? 0;
    courses.set(p.session.courseId, c);
  }
  // The newest sessions' quotes first: what people said at the end of a session, then at follow-up;
  // each without its trainer's names or a titled name, since the digest goes to a channel.
  const newestFirst = [...parts].sort((a, b) => b.session.startsAt.localeCompare(a.session.startsAt));
  const quotesOf = (kind: "end" | "follow") => newestFirst.flatMap((p) => (p.tally?.quotes ?? []).filter((x) => x.kind === kind).map((x) => withoutNames(x.t, namesIn([p.session.trainer]))));
  const quotes = [...new Set([...quotesOf("end"), ...quotesOf("follow")])].slice(0, 3);
  return {
    sessions: parts.length,
    delegates: sum((p) => p.headcount.attended),
    answered: end,
    averageRating: mean(sum((p) => p.tally?.overall ?? 0), end),
    confidence: { before: mean(sum((p) => p.tally?.before ?? 0), end), after: mean(sum((p) => p.tally?.after ?? 0), end), followUp: mean(sum((p) => p.tally?.confidenceNow ?? 0), follow) },
    followUp: followed.length ? { sent: followed.reduce((n, p) => n + p.headcount.attended, 0), answered: follow, impactPct: follow ? (100 * sum((p) => p.tally?.changedYes ?? 0)) / follow : undefined } : undefined,
    quotes,
    byCourse: [...courses.values()].sort((a, b) => b.delegates - a.delegates).map((c) => ({ course: c.course, sessions: c.sessions, delegates: c.delegates, answered: c.answered, averageRating: mean(c.overall, c.answered) })),
  };
}
