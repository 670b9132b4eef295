/**
 * Delays a person types ("3 days", "12h", "10 minutes"), as whole minutes. Reminders and
 * escalations are counted in days in real use, but go down to minutes so someone can watch them
 * fire while trying the bot locally.
 */
const UNITS: Record<string, number> = { m: 1, min: 1, mins: 1, minute: 1, minutes: 1, h: 60, hr: 60, hrs: 60, hour: 60, hours: 60, d: 1440, day: 1440, days: 1440, w: 10080, week: 10080, weeks: 10080 };

/** The longest delay accepted: a year. */
export const MAX_DELAY_MINUTES = 366 * 1440;

export function parseDuration(raw: string): number | undefined {
  const m = /^\s*(\d{1,6})(?:[.,](\d{1,2}))?\s*([a-z]+)\s*$/i.exec(raw);
  if (!m) return undefined;
  const unit = UNITS[m[3].toLowerCase()];
  if (!unit) return undefined;
  const value = Number(`${m[1]}.${m[2] ?? "0"}`) * unit;
  const minutes = Math.round(value);
  return minutes >= 1 && minutes <= MAX_DELAY_MINUTES ? minutes : undefined;
}

/** "3 days", "1 day 4 hours", "10 minutes". */
export function formatDuration(minutes: number): string {
  const parts: string[] = [];
  let left = Math.max(0, Math.round(minutes));
  for (const [size, one] of [[1440, "day"], [60, "hour"], [1, "minute"]] as const) {
    const n = Math.floor(left / size);
    if (n) parts.push(`${n} ${one}${n === 1 ? "" : "s"}`);
    left -= n * size;
  }
  return parts.slice(0, 2).join(" ") || "0 minutes";
}

/** The form a person edits: the largest unit that divides it exactly ("3d" shows as "3 days"). */
export function durationInput(minutes: number): string {
  for (const [size, unit] of [[1440, "days"], [60, "hours"]] as const) if (minutes % size === 0) return `${minutes / size} ${unit}`;
  return `${minutes} minutes`;
}
