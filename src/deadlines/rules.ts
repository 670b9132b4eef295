import { londonToUtc } from "../training/ukTime";
import { addDays, ukDate } from "../time";
import { DEFAULT_REMINDER_DAYS } from "../storage/cyclesRepo";

/**
 * The deadline rules (docs/deadlines.md), pure so they can be tested without a clock:
 * - an agency's deadline is its own (an extension for that agency) when later than the cycle's;
 * - a reminder "D-n" is due at 09:00 UK time n days before that deadline;
 * - at any moment at most one reminder is due for an agency: the latest D-n whose time has come,
 *   provided its day is not before the day the deadline was set (D-n names a day: a cycle opened
 *   at 10:00 on D-14 sends its D-14 at once, but one opened 5 days before its deadline sends no D-7);
 * - nothing is due once the deadline day is over.
 */

export const REMINDER_HOUR = "09:00";
export const MAX_REMINDERS = 6;
export const MAX_REMINDER_DAY = 90;

export interface AgencyDeadline {
  deadline: string;
  /** When this deadline was set (the cycle's, or the agency's own). */
  setAt: string;
  /** True when it is the agency's own (an extension for that agency alone). */
  own: boolean;
}

export function effectiveDeadline(cycle: { deadline: string; deadlineSetAt?: string; createdAt: string }, own?: { deadline: string; setAt: string }): AgencyDeadline {
  if (own && own.deadline > cycle.deadline) return { deadline: own.deadline, setAt: own.setAt, own: true };
  return { deadline: cycle.deadline, setAt: cycle.deadlineSetAt || cycle.createdAt, own: false };
}

/** 09:00 UK time `days` days before the deadline. */
export function reminderAt(deadline: string, days: number): Date {
  return londonToUtc(addDays(deadline, -days), REMINDER_HOUR) ?? new Date(`${addDays(deadline, -days)}T09:00:00Z`);
}

/** The end of the deadline day in England (the first instant of the next day). */
export function deadlineEnd(deadline: string): Date {
  return londonToUtc(addDays(deadline, 1), "00:00") ?? new Date(`${addDays(deadline, 1)}T00:00:00Z`);
}

/** The UK day the deadline was set on ("" when unknown: every reminder counts). */
const setDay = (d: AgencyDeadline) => (Number.isNaN(Date.parse(d.setAt)) ? "" : ukDate(new Date(d.setAt)));

/** The reminder due now for this deadline, if any (the latest whose time has come, on or after the day the date was set). */
export function dueReminder(now: Date, d: AgencyDeadline, days: readonly number[]): number | undefined {
  if (now >= deadlineEnd(d.deadline)) return undefined;
  const since = setDay(d);
  let due: number | undefined;
  for (const n of days) {
    const at = reminderAt(d.deadline, n);
    if (at.getTime() <= now.getTime() && ukDate(at) >= since && (due === undefined || n < due)) due = n;
  }
  return due;
}

/** When the next reminder for this deadline falls due, if one is left. */
export function nextReminderAt(now: Date, d: AgencyDeadline, days: readonly number[]): Date | undefined {
  const since = setDay(d);
  const later = days.map((n) => reminderAt(d.deadline, n)).filter((at) => at.getTime() > now.getTime() && ukDate(at) >= since).map((at) => at.getTime());
  return later.length ? new Date(Math.min(...later)) : undefined;
}

/** "14, 7, 1" as typed on the cycle form: whole days, at most MAX_REMINDERS, none after 90; "none" for no reminders, empty for the default. */
export function parseReminderDays(raw: string): { days: number[]; problems: string[] } {
  const v = raw.trim().slice(0, 200);
  if (!v) return { days: [...DEFAULT_REMINDER_DAYS], problems: [] };
  if (/^none$/i.test(v)) return { days: [], problems: [] };
  const parts = v.split(/[,;\s]+/).filter(Boolean);
  const bad = parts.filter((p) => !/^\d{1,3}$/.test(p) || Number(p) > MAX_REMINDER_DAY);
  if (bad.length) return { days: [], problems: [`Reminder days must be whole numbers of days before the deadline, from 0 to ${MAX_REMINDER_DAY}, separated by commas (for example 14, 7, 1); "${bad[0].slice(0, 20)}" is not one.`] };
  const days = [...new Set(parts.map(Number))].sort((a, b) => b - a);
  if (days.length > MAX_REMINDERS) return { days: [], problems: [`At most ${MAX_REMINDERS} reminders per cycle; you gave ${days.length}.`] };
  return { days, problems: [] };
}

export const daysLabel = (n: number) => (n === 0 ? "on the day" : `D-${n}`);
export const daysText = (days: readonly number[]) => (days.length ? days.map(daysLabel).join(", ") : "none");
