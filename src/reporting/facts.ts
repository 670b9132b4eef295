import type { Agency } from "../storage/agenciesRepo";
import type { ReturnHeader } from "../storage/returnsRepo";
import type { DecodedSummary } from "../storage/summaryRow";
import { sectorGroupOf } from "./rules";
import type { AgencyFacts } from "./types";

/** Pure: one agency's facts from its return's header and summary row (or none: not started). */
export function agencyFacts(agency: Pick<Agency, "agencyId" | "name" | "sector" | "partnerships"> | undefined, header: ReturnHeader | undefined, summary: DecodedSummary | undefined): AgencyFacts {
  const base = {
    agencyId: agency?.agencyId ?? header?.agencyId ?? "",
    agencyName: agency?.name ?? header?.agencyName ?? "",
    sector: sectorGroupOf(agency?.sector ?? header?.sector ?? "other"),
    partnerships: agency?.partnerships ?? [],
  };
  if (!header) return { ...base, status: "not_started", changedSinceSubmission: false };
  const cells = [...(summary?.current.values() ?? [])];
  const lastSaved = cells.reduce((m, c) => (c.updatedAt > m ? c.updatedAt : m), "");
  const submitted = header.submissionCount > 0 || !!summary?.latest;
  const status: AgencyFacts["status"] = submitted ? "submitted" : header.status === "awaiting_signoff" ? "awaiting_signoff" : lastSaved || header.sentBackAt ? "in_progress" : "not_started";
  return {
    ...base,
    status,
    changedSinceSubmission: submitted && !!header.lastSubmittedAt && lastSaved > header.lastSubmittedAt,
    first: summary?.first,
    latest: summary?.latest,
    actions: summary?.actions,
    moderated: summary?.moderated,
  };
}
