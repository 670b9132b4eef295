import { fullyMeetsMajority } from "../section11/status";
import type { Sector } from "../storage/agenciesRepo";

/**
 * The rules that turn ratings into what the Executive reads. docs/digest.md states them in words;
 * the card shows STANDARD_RULE_TEXT. Ratings are the stored words: fully, partially, not, na.
 */

export type StandardRating = "fully" | "partially" | "not";

/**
 * An agency's rating of a standard from its indicator ratings. Not applicable (and unanswered)
 * indicators are left out; a standard with no applicable indicator has no rating.
 * - fully met: every applicable indicator is fully met;
 * - not met: more than half of the applicable indicators are not met;
 * - partially met: anything else.
 */
export function standardRating(ratings: Iterable<string | undefined>): StandardRating | undefined {
  let applicable = 0;
  let fully = 0;
  let not = 0;
  for (const r of ratings) {
    if (r !== "fully" && r !== "partially" && r !== "not") continue;
    applicable++;
    if (r === "fully") fully++;
    if (r === "not") not++;
  }
  if (!applicable) return undefined;
  if (fully === applicable) return "fully";
  if (not * 2 > applicable) return "not";
  return "partially";
}

export const STANDARD_RULE_TEXT = "How a standard is rated: fully met when all its applicable indicators are fully met, not met when most are not met, partially met otherwise; not applicable indicators are left out.";

/** The headline, the seed partnership's measure: more than half of the applicable indicators fully met (section11/status.ts). */
export const meetsMajority = (ratings: Iterable<string | undefined>) => fullyMeetsMajority([...ratings].map((rating) => ({ rating: rating ?? "" })));

/** The sectors as partnerships report Section 11. */
export const SECTOR_GROUPS = ["health", "police_justice", "local_authority", "education", "voluntary", "secure_estate", "other"] as const;
export type SectorGroup = (typeof SECTOR_GROUPS)[number];
export const SECTOR_GROUP_LABELS: Record<SectorGroup, string> = {
  health: "Health",
  police_justice: "Police and justice",
  local_authority: "Local authority",
  education: "Education",
  voluntary: "Voluntary",
  secure_estate: "Secure estate",
  other: "Other",
};

/** Early years providers report with education; fire, housing and the rest as "other". */
export function sectorGroupOf(sector: Sector | string): SectorGroup {
  switch (sector) {
    case "health":
      return "health";
    case "police":
    case "justice":
      return "police_justice";
    case "local_authority":
      return "local_authority";
    case "education":
    case "early_years":
      return "education";
    case "voluntary":
      return "voluntary";
    case "secure_estate":
      return "secure_estate";
    default:
      return "other";
  }
}

export const percent = (count: number, of: number) => (of > 0 ? Math.round((100 * count) / of) : 0);
