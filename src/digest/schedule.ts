import { Cron } from "croner";
import type { Registration } from "../storage/digestsRepo";
import { ukDate } from "../time";

/** When a channel's digests go out: its day and time in England, whatever the server's zone and across the clock changes. */

const WEEKDAYS = ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

function pattern(r: Pick<Registration, "frequency" | "weekday" | "monthDay" | "time">): string {
  const [hh, mm] = r.time.split(":").map(Number);
  // croner: seconds minutes hours day-of-month month day-of-week (0 or 7 = Sunday).
  return r.frequency === "weekly" ? `0 ${mm} ${hh} * * ${r.weekday % 7}` : `0 ${mm} ${hh} ${r.monthDay} * *`;
}

/** The first slot strictly after `after`. */
export function nextSlot(r: Pick<Registration, "frequency" | "weekday" | "monthDay" | "time">, after: Date): Date {
  const next = new Cron(pattern(r), { timezone: "Europe/London", paused: true }).nextRun(after);
  if (!next) throw new Error("no next run for the schedule");
  return next;
}

/** A scheduled digest's period: the UK date of its slot. */
export const periodOfSlot = (slot: Date) => ukDate(slot);

/** "Mondays at 09:00" / "the 1st of each month at 09:00" (UK time). */
export function describeSchedule(r: Pick<Registration, "frequency" | "weekday" | "monthDay" | "time">): string {
  if (r.frequency === "weekly") return `${WEEKDAYS[r.weekday]}s at ${r.time}`;
  const d = r.monthDay;
  const suffix = d % 10 === 1 && d !== 11 ? "st" : d % 10 === 2 && d !== 12 ? "nd" : d % 10 === 3 && d !== 13 ? "rd" : "th";
  return `the ${d}${suffix} of each month at ${r.time}`;
}

export const WEEKDAY_NAMES = WEEKDAYS;
