/**
 * Training figures for the digest. The training feature supplies them through
 * `TrainingFiguresProvider` (StoredTrainingFigures in src/training/digestFigures.ts, from the
 * stored sessions and their tallies; src/compose.ts connects it). `NO_TRAINING` is what a
 * DigestService built without it uses. The provider answers for a period; the digest asks twice,
 * since the previous digest and year to date (the partnership's year, from 1 April).
 */

/** Averages and breakdowns from fewer answers than this are not shown: a few people could be recognised. */
export const SMALL_GROUP = 5;

export interface TrainingQuery {
  partnerships: readonly string[];
  /** yyyy-mm-dd, inclusive, UK dates. */
  from: string;
  to: string;
}

/** Averages are on the evaluation's 1-5 scale. */
export interface TrainingFigures {
  sessions: number;
  delegates: number;
  /** End-of-session evaluations answered. */
  answered: number;
  averageRating?: number;
  /** Average confidence before the session, straight after it, and at the follow-up. */
  confidence?: { before?: number; after?: number; followUp?: number };
  /** Post-course (follow-up) evaluations: sent, answered, and the share saying their practice changed. */
  followUp?: { sent: number; answered: number; impactPct?: number };
  /** Up to three quotes their authors agreed to share, already free of names. */
  quotes: string[];
  /** Per course, only where at least SMALL_GROUP evaluations were answered. */
  byCourse?: Array<{ course: string; sessions: number; delegates: number; answered: number; averageRating?: number }>;
}

export interface TrainingFiguresProvider {
  /** Undefined or zero sessions when nothing was recorded for the period. */
  figures(q: TrainingQuery): Promise<TrainingFigures | undefined>;
}

export const NO_TRAINING: TrainingFiguresProvider = { figures: async () => undefined };

/** "answered / delegates", as a whole percentage. */
export const responseRatePct = (f: Pick<TrainingFigures, "answered" | "delegates">) => (f.delegates > 0 ? Math.round((100 * f.answered) / f.delegates) : 0);

const round1 = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? undefined : Math.round(n * 10) / 10);

/**
 * Applies the small-group rule and the limits a channel card can carry, whatever the provider
 * sent: averages from fewer than SMALL_GROUP answers are dropped, so are such course rows, and at
 * most three quotes of at most 300 characters remain.
 */
export function publishable(f: TrainingFigures | undefined): TrainingFigures | undefined {
  if (!f || f.sessions <= 0) return undefined;
  const enough = f.answered >= SMALL_GROUP;
  const followEnough = (f.followUp?.answered ?? 0) >= SMALL_GROUP;
  return {
    sessions: Math.max(0, Math.floor(f.sessions)),
    delegates: Math.max(0, Math.floor(f.delegates)),
    answered: Math.max(0, Math.floor(f.answered)),
    averageRating: enough ? round1(f.averageRating) : undefined,
    confidence: enough && f.confidence ? { before: round1(f.confidence.before), after: round1(f.confidence.after), followUp: followEnough ? round1(f.confidence.followUp) : undefined } : undefined,
    followUp: f.followUp ? { sent: Math.max(0, Math.floor(f.followUp.sent)), answered: Math.max(0, Math.floor(f.followUp.answered)), impactPct: followEnough && f.followUp.impactPct !== undefined ? Math.round(f.followUp.impactPct) : undefined } : undefined,
    quotes: enough ? f.quotes.filter((q) => q.trim()).slice(0, 3).map((q) => (q.length > 300 ? `${q.slice(0, 299)}…` : q)) : [],
    byCourse: f.byCourse?.filter((c) => c.answered >= SMALL_GROUP).slice(0, 8).map((c) => ({ ...c, averageRating: round1(c.averageRating) })),
  };
}

/** Raw training records, for figures computed from data in memory (unit tests of the rules). */
export interface TrainingSessionRecord {
  sessionId: string;
  course: string;
  /** yyyy-mm-dd */
  date: string;
  partnerships: string[];
  delegates: number;
}

export interface EvaluationRecord {
  sessionId: string;
  /** 1-5 */
  rating: number;
  confidenceBefore: number;
  confidenceAfter: number;
  followUp?: { answered: boolean; confidence?: number; changedPractice?: boolean };
  quote?: { text: string; consent: boolean };
}

const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined);

/** Figures from records, for the sessions in the period and partnerships (pure). */
export function trainingFiguresFrom(sessions: readonly TrainingSessionRecord[], evaluations: readonly EvaluationRecord[], q: TrainingQuery): TrainingFigures | undefined {
  const want = new Set(q.partnerships.map((p) => p.toLowerCase()));
  const chosen = sessions.filter((s) => s.date >= q.from && s.date <= q.to && s.partnerships.some((p) => want.has(p.toLowerCase())));
  if (!chosen.length) return undefined;
  const ids = new Set(chosen.map((s) => s.sessionId));
  const evals = evaluations.filter((e) => ids.has(e.sessionId));
  const followed = evals.filter((e) => e.followUp);
  const followAnswered = followed.filter((e) => e.followUp!.answered);
  const courses = new Map<string, { course: string; sessions: number; delegates: number; ratings: number[] }>();
  const courseOf = new Map(chosen.map((s) => [s.sessionId, s.course]));
  for (const s of chosen) {
    const c = courses.get(s.course) ?? { course: s.course, sessions: 0, delegates: 0, ratings: [] };
    c.sessions++;
    c.delegates += s.delegates;
    courses.set(s.course, c);
  }
  for (const e of evals) courses.get(courseOf.get(e.sessionId)!)!.ratings.push(e.rating);
  return {
    sessions: chosen.length,
    delegates: chosen.reduce((n, s) => n + s.delegates, 0),
    answered: evals.length,
    averageRating: avg(evals.map((e) => e.rating)),
    confidence: { before: avg(evals.map((e) => e.confidenceBefore)), after: avg(evals.map((e) => e.confidenceAfter)), followUp: avg(followAnswered.map((e) => e.followUp!.confidence).filter((c): c is number => c !== undefined)) },
    followUp: followed.length ? { sent: followed.length, answered: followAnswered.length, impactPct: followAnswered.length ? (100 * followAnswered.filter((e) => e.followUp!.changedPractice).length) / followAnswered.length : undefined } : undefined,
    quotes: evals.filter((e) => e.quote?.consent && e.quote.text.trim()).map((e) => e.quote!.text.trim()).slice(0, 3),
    byCourse: [...courses.values()].map((c) => ({ course: c.course, sessions: c.sessions, delegates: c.delegates, answered: c.ratings.length, averageRating: avg(c.ratings) })),
  };
}

/** The partnership's year to date: from the last 1 April (UK date) up to today. */
export function yearStart(today: string): string {
  const [y, m] = today.split("-").map(Number);
  return `${m >= 4 ? y : y - 1}-04-01`;
}
