/**
 * Dates as the partnership reads them: UK time (Europe/London), whatever the server's time zone,
 * so "today", "days left" and "overdue" turn over at midnight in England, across the clock changes.
 */

const LONDON_DAY = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit" });

/** The calendar date in England at this instant, as yyyy-mm-dd. */
export function ukDate(at: Date): string {
  return LONDON_DAY.format(at);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isRealDate(iso: string): boolean {
  if (!ISO_DATE.test(iso)) return false;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

// Calendar dates carry no time zone: format them as they are written.
const DATE = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

/** "3 Mar 2027" for a yyyy-mm-dd date; anything else as it is. */
export function formatDate(iso: string): string {
  if (!isRealDate(iso)) return iso;
  return DATE.format(new Date(`${iso}T00:00:00Z`));
}

// One formatter for the process: building an Intl formatter per call costs more than the rest of a card.
const WHEN = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" });

/** "3 Mar 2027, 14:05" in UK time for an ISO timestamp; "" when there is none. */
export function formatWhen(iso: string | undefined): string {
  return iso && !Number.isNaN(Date.parse(iso)) ? WHEN.format(new Date(iso)) : "";
}

/** The UK date of an ISO timestamp, formatted ("3 Mar 2027"). */
export function formatDay(iso: string | undefined): string {
  return iso && !Number.isNaN(Date.parse(iso)) ? formatDate(ukDate(new Date(iso))) : "";
}

/** Whole days from `from` to `to` (both yyyy-mm-dd); calendar days, so a clock change does not shift it. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function daysLeftText(deadline: string, today: string): string {
  const days = daysBetween(today, deadline);
  if (Number.isNaN(days)) return "";
  if (days > 1) return `${days} days left`;
  if (days === 1) return "1 day left";
  if (days === 0) return "due today";
  return `${-days} day${days === -1 ? "" : "s"} overdue`;
}

/** yyyy-mm-dd `days` after `iso`. */
export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
