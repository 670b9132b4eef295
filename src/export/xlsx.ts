import writeXlsxFile from "write-excel-file/node";
import { safeCell } from "./csv";

/**
 * A spreadsheet (XLSX) of one table, for the annual report or the Executive. Written with
 * write-excel-file (maintained, Node 18+, one dependency: fflate). Every text cell is typed as
 * text, never as a formula, and neutralised like the CSV export (a leading apostrophe before
 * = + - @, tab or carriage return), so the cell stays inert even after the file is re-saved as CSV.
 */
export type XlsxValue = string | number | undefined | null;

export async function toXlsx(sheet: string, header: readonly string[], rows: ReadonlyArray<ReadonlyArray<XlsxValue>>): Promise<Buffer> {
  const cell = (v: XlsxValue) => (typeof v === "number" && Number.isFinite(v) ? { type: Number, value: v } : { type: String, value: safeCell(v ?? "") });
  const data = [header.map((h) => ({ type: String, value: safeCell(h), fontWeight: "bold" as const })), ...rows.map((r) => r.map(cell))];
  // Sheet names: at most 31 characters, none of : \ / ? * [ ].
  const name = sheet.replace(/[:\\/?*[\]]/g, " ").slice(0, 31) || "Sheet1";
  return writeXlsxFile(data as never, { sheet: name }).toBuffer();
}
