import { z } from "zod/v4";
import { cleanLine } from "../admin/validation";

/**
 * Which partnerships a course (and so each of its sessions) belongs to. None means every
 * partnership: a joint course, which is what every course stored before scopes existed is.
 */
export const PARTNERSHIP_NAME_LIMIT = 200;
/** More than the bot ever serves; a bound on what a hostile payload can make us store. */
export const COURSE_PARTNERSHIPS_LIMIT = 20;

const quoted = (s: string) => `"${s.length > 60 ? `${s.slice(0, 60)}…` : s}"`;

/**
 * The form's comma-separated choice ("Westmere,Eastshire") as known partnership names, spelt as
 * first known; each unknown or over-long name is refused by name.
 */
export function coursePartnershipsSchema(known: readonly string[]) {
  const byLower = new Map(known.map((p) => [p.toLowerCase(), p]));
  const knownText = known.length ? ` (known: ${known.join(", ")})` : "";
  return z
    .string()
    .transform((s) => s.split(",").map(cleanLine).filter(Boolean))
    .pipe(
      z
        .array(
          z
            .string()
            .max(PARTNERSHIP_NAME_LIMIT, { error: (i) => `A partnership name is ${String(i.input).length.toLocaleString("en-GB")} characters; the limit is ${PARTNERSHIP_NAME_LIMIT}.`, abort: true })
            .refine((p) => byLower.has(p.toLowerCase()), { error: (i) => `${quoted(String(i.input))} is not a partnership this bot serves${knownText}.`, abort: true })
            .transform((p) => byLower.get(p.toLowerCase())!),
        )
        .max(COURSE_PARTNERSHIPS_LIMIT, { error: `Choose at most ${COURSE_PARTNERSHIPS_LIMIT} partnerships.` })
        .transform((ps) => [...new Set(ps)]),
    );
}

/** Every problem with the choice, one line each (the same name refused once). */
export function parseCoursePartnerships(known: readonly string[], typed: string): { value?: string[]; problems: string[] } {
  const r = coursePartnershipsSchema(known).safeParse(typed);
  return r.success ? { value: r.data, problems: [] } : { problems: [...new Set(r.error.issues.map((i) => i.message))] };
}

/** Whether a session of these partnerships counts for a digest of `wanted` (case-insensitive; none = joint, counts everywhere). */
export function coversAny(partnerships: readonly string[] | undefined, wanted: ReadonlySet<string>): boolean {
  return !partnerships?.length || partnerships.some((p) => wanted.has(p.toLowerCase()));
}

/** How the course card says it. */
export const scopeText = (partnerships: readonly string[]) => (partnerships.length ? partnerships.join(", ") : "All partnerships (joint)");
