import type { SubmittedCell, SummaryActions } from "../storage/summaryRow";
import type { SectorGroup, StandardRating } from "./rules";

/** What reporting knows about one agency in one cycle, from its summary row (or that it has no return). */
export interface AgencyFacts {
  agencyId: string;
  agencyName: string;
  sector: SectorGroup;
  partnerships: string[];
  /** Never submitted: not started, in progress (saved or sent back), awaiting sign-off. Submitted: signed off at least once. */
  status: "not_started" | "in_progress" | "awaiting_signoff" | "submitted";
  /** Submitted, then changed: the change is not signed off yet. */
  changedSinceSubmission: boolean;
  /** The first signed-off submission, by indicator. */
  first?: Map<string, SubmittedCell>;
  /** The latest signed-off submission, by indicator: what "now" means in every figure. */
  latest?: Map<string, SubmittedCell>;
  /** The agency's own deadline when it is later than the cycle's (docs/deadlines.md). */
  ownDeadline?: string;
  /** Actions closed with evidence, and actions agreed at a panel (docs/actions.md). */
  actions?: SummaryActions;
  /** Moderated ratings a challenge panel gave, by indicator (beside the agency's own; figures stay on self-ratings). */
  moderated?: Map<string, string>;
}

export interface StandardDef {
  id: string;
  title: string;
  indicatorIds: string[];
}

export interface DigestInput {
  /** yyyy-mm-dd in England. */
  today: string;
  cycle: { cycleId: string; name: string; deadline: string };
  standards: StandardDef[];
  /** The agencies of the channel's partnerships that the cycle covers, each once. */
  agencies: AgencyFacts[];
}

export interface Share {
  count: number;
  of: number;
  pct: number;
}

export interface StandardFigures {
  index: number;
  id: string;
  title: string;
  fully: number;
  partially: number;
  not: number;
  /** Agencies with a rating for it (a submission with at least one applicable indicator). */
  rated: number;
  greenPct: number;
  /** The same at first submission. */
  firstGreenPct: number;
}

export interface SectorFigures {
  sector: SectorGroup;
  label: string;
  agencies: number;
  submitted: number;
  overdue: number;
  meetsMajorityNow: Share;
}

export interface OverdueAction {
  agencyId: string;
  agencyName: string;
  standardIndex: number;
  standardId: string;
  indicatorId: string;
  due: string;
  rating: StandardRating;
  /** "panel": agreed at a challenge panel; otherwise the agency's own (self-assessment) action. */
  source?: "self" | "panel";
}

export interface ReturnsFigures {
  agencies: number;
  submitted: number;
  awaitingSignoff: number;
  inProgress: number;
  notStarted: number;
  changedSinceSubmission: number;
  /** Past the deadline without a submission. */
  overdue: number;
  deadline: string;
  /** Negative once the deadline has passed. */
  daysToDeadline: number;
}

export interface DigestFigures {
  today: string;
  cycleId: string;
  cycleName: string;
  returns: ReturnsFigures;
  bySector: SectorFigures[];
  standards: StandardFigures[];
  /** Agency x standard ratings now, for the met / partially / not met split. */
  overall: { fully: number; partially: number; not: number };
  headline: { first: Share; now: Share };
  openActions: number;
  /** Due date passed and the indicator still not fully met in the latest submission, oldest first. */
  overdueActions: OverdueAction[];
  /** Past the deadline without a submission, by name. */
  overdueAgencies: Array<{ agencyId: string; agencyName: string }>;
  /** Per partnership, when a channel follows more than one. */
  byPartnership: Array<{ partnership: string; agencies: number; submitted: number; meetsMajorityNow: Share }>;
}
