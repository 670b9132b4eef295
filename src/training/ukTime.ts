/**
 * Session times as the partnership writes them: a date and a clock time in England, whatever the
 * server's time zone, across the clock changes. Stored as UTC instants.
 */
const PARTS = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/London", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

function londonFields(at: number): { y: number; mo: number; d: number; h: number; mi: number } {
  const p = Object.fromEntries(PARTS.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return { y: Number(p.year), mo: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute) };
}

/** The UTC instant of a wall-clock time in London (yyyy-mm-dd, HH:mm); undefined for a time that does not exist. */
export function londonToUtc(date: string, time: string): Date | undefined {
  const dm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const tm = /^(\d{2}):(\d{2})(?::\d{2})?$/.exec(time);
  if (!dm || !tm) return undefined;
  const [y, mo, d, h, mi] = [Number(dm[1]), Number(dm[2]), Number(dm[3]), Number(tm[1]), Number(tm[2])];
  if (h > 23 || mi > 59) return undefined;
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  // London is UTC or UTC+1: try both offsets and keep the one that reads back as the wall time.
  for (const offset of [0, 60]) {
    const at = wall - offset * 60_000;
    const f = londonFields(at);
    if (f.y === y && f.mo === mo && f.d === d && f.h === h && f.mi === mi) return new Date(at);
  }
  return undefined;
}

/** "yyyy-mm-dd" and "HH:mm" in London, for a form showing a stored instant. */
export function utcToLondon(iso: string): { date: string; time: string } {
  const f = londonFields(Date.parse(iso));
  const two = (n: number) => String(n).padStart(2, "0");
  return { date: `${f.y}-${two(f.mo)}-${two(f.d)}`, time: `${two(f.h)}:${two(f.mi)}` };
}

const WHEN = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "Europe/London" });
const DAY = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "Europe/London" });

/** "Tue 3 Mar 2027, 09:30" in UK time. */
export const formatSessionTime = (iso: string) => (Number.isNaN(Date.parse(iso)) ? "" : WHEN.format(new Date(iso)));
/** "3 Mar 2027" in UK time. */
export const formatSessionDay = (iso: string) => (Number.isNaN(Date.parse(iso)) ? "" : DAY.format(new Date(iso)));

/** A session's length as a person says it: "45 minutes", "1 hour", "2 hours 30 minutes". */
export function sessionLength(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const hours = h ? `${h} hour${h === 1 ? "" : "s"}` : "";
  const mins = m ? `${m} minute${m === 1 ? "" : "s"}` : "";
  return [hours, mins].filter(Boolean).join(" ") || "0 minutes";
}
