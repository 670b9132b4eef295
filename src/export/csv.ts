import { stringify } from "csv-stringify/sync";

/**
 * CSV for people to open in a spreadsheet (the annual report, a mail merge). Formula injection is
 * neutralised here, where the file is written, rather than by refusing names on input: a cell
 * that a spreadsheet would run as a formula (it starts with = + - @, a tab or a carriage return)
 * gets a leading apostrophe, which spreadsheets show as text and do not display.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function safeCell(v: unknown): string {
  const s = v === undefined || v === null ? "" : String(v);
  return FORMULA_START.test(s) ? `'${s}` : s;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  // A byte-order mark so Excel reads UTF-8 (names in any script) correctly.
  return "\ufeff" + stringify([header.map(safeCell), ...rows.map((r) => r.map(safeCell))], { quoted_match: /[\r\n]/, record_delimiter: "\r\n" });
}
