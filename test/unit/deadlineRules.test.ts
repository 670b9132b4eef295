import { dueReminder, effectiveDeadline, nextReminderAt, parseReminderDays, reminderAt } from "../../src/deadlines/rules";

describe("deadline rules", () => {
  const d = { deadline: "2027-03-31", setAt: "2027-03-01T10:00:00Z", own: false };
  it("a reminder falls at 09:00 UK time, across the clock change", () => {
    expect(reminderAt("2027-03-31", 14).toISOString()).toBe("2027-03-17T09:00:00.000Z");
    expect(reminderAt("2027-03-31", 1).toISOString()).toBe("2027-03-30T08:00:00.000Z");
  });
  it("only the latest reminder whose time has come is due, and none after the deadline day", () => {
    expect(dueReminder(new Date("2027-03-17T08:59:59Z"), d, [14, 7, 1])).toBeUndefined();
    expect(dueReminder(new Date("2027-03-17T09:00:00Z"), d, [14, 7, 1])).toBe(14);
    expect(dueReminder(new Date("2027-03-25T12:00:00Z"), d, [14, 7, 1])).toBe(7);
    expect(dueReminder(new Date("2027-03-31T22:59:00Z"), d, [14, 7, 1])).toBe(1);
    expect(dueReminder(new Date("2027-03-31T23:00:00Z"), d, [14, 7, 1])).toBeUndefined();
  });
  it("a date set on a reminder's own day, after 09:00, still gets that day's reminder (D-14 means the day)", () => {
    const today = { ...d, setAt: "2027-03-17T10:00:00Z" };
    expect(dueReminder(new Date("2027-03-17T10:00:01Z"), today, [14, 7, 1])).toBe(14);
    // The day after, it is no longer that day's reminder: nothing is sent late.
    const yesterday = { ...d, setAt: "2027-03-16T10:00:00Z" };
    expect(dueReminder(new Date("2027-03-17T10:00:01Z"), yesterday, [14, 7, 1])).toBe(14);
    const tomorrow = { ...d, setAt: "2027-03-18T10:00:00Z" };
    expect(dueReminder(new Date("2027-03-18T10:00:01Z"), tomorrow, [14, 7, 1])).toBeUndefined();
  });
  it("a reminder whose day passed before the date was set is never sent late", () => {
    const late = { ...d, setAt: "2027-03-26T10:00:00Z" };
    expect(dueReminder(new Date("2027-03-26T10:00:01Z"), late, [14, 7, 1])).toBeUndefined();
    expect(nextReminderAt(new Date("2027-03-26T10:00:01Z"), late, [14, 7, 1])?.toISOString()).toBe("2027-03-30T08:00:00.000Z");
  });
  it("an agency's own date counts only when later than the cycle's", () => {
    const cycle = { deadline: "2027-03-31", createdAt: "2027-03-01T00:00:00Z" };
    expect(effectiveDeadline(cycle, { deadline: "2027-04-30", setAt: "x" })).toMatchObject({ deadline: "2027-04-30", own: true });
    expect(effectiveDeadline(cycle, { deadline: "2027-03-15", setAt: "x" })).toMatchObject({ deadline: "2027-03-31", own: false });
  });
  it("reminder days as typed", () => {
    expect(parseReminderDays("14, 7, 1")).toEqual({ days: [14, 7, 1], problems: [] });
    expect(parseReminderDays("1 7 7 14")).toEqual({ days: [14, 7, 1], problems: [] });
    expect(parseReminderDays("none").days).toEqual([]);
    expect(parseReminderDays("  ").days).toEqual([14, 7, 1]);
    expect(parseReminderDays("14, -1").problems[0]).toContain("whole numbers");
    expect(parseReminderDays("91").problems[0]).toContain("from 0 to 90");
    expect(parseReminderDays("1,2,3,4,5,6,7").problems[0]).toContain("At most 6");
  });
});
