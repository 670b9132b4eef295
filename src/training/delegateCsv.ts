import { parse } from "csv-parse/sync";
import { cleanLine } from "../admin/validation";
import { normaliseEmail } from "../storage/peopleRepo";
import { checkDelegate } from "./delegateRules";
import type { DelegateInput } from "./types";

/**
 * Delegates from a CSV file (a booking system's export, a spreadsheet). Pure parsing and
 * validation; DelegateBook does the writing.
 *
 *   - a header row naming the columns, in any order and case (spaces and dashes read as
 *     underscores): name and email required; agency, manager_name, manager_email optional;
 *   - at most 1,000 rows and 1 MB, UTF-8 with or without a byte-order mark;
 *   - a row whose e-mail appeared on an earlier row is merged into that one, not added twice.
 * Names are kept as typed (including a leading = + - @): formula injection is neutralised where
 * files are written (src/export/csv.ts), not by refusing names.
 */
export const DELEGATE_COLUMNS = ["name", "email", "agency", "manager_name", "manager_email"] as const;
export const DELEGATE_COLUMNS_TEXT = "name, email, agency, manager_name, manager_email (the last three optional)";
export const DELEGATE_CSV_LIMITS = { rows: 1000, bytes: 1024 * 1024 } as const;

const ALIASES: Record<string, (typeof DELEGATE_COLUMNS)[number]> = {
  name: "name",
  full_name: "name",
  delegate: "name",
  delegate_name: "name",
  email: "email",
  e_mail: "email",
  email_address: "email",
  work_email: "email",
  agency: "agency",
  organisation: "agency",
  organization: "agency",
  manager: "manager_name",
  manager_name: "manager_name",
  manager_email: "manager_email",
  manager_e_mail: "manager_email",
};

const headerName = (cell: string) => cleanLine(cell).toLowerCase().replace(/[\s-]+/g, "_");

/** Whether a file is a delegate list (and not, say, the admin's agency list): its header names an e-mail column and no agency_name. */
export function looksLikeDelegateCsv(content: string): boolean {
  const first = content.replace(/^\ufeff/, "").split(/\r\n|\r|\n/, 1)[0] ?? "";
  const cells = first.split(",").map(headerName);
  return cells.some((c) => ALIASES[c] === "email") && cells.some((c) => ALIASES[c] === "name") && !cells.includes("agency_name");
}

export interface DelegateRow {
  line: number;
  value: DelegateInput;
}

export type DelegateCsvResult =
  | { ok: true; accepted: DelegateRow[]; rejected: Array<{ line: number; name: string; reason: string }>; merged: Array<{ line: number; into: number }> }
  | { ok: false; error: string };

export function parseDelegateCsv(text: string): DelegateCsvResult {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > DELEGATE_CSV_LIMITS.bytes) return { ok: false, error: `The file is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is 1 MB. Split it into smaller files.` };
  if (text.includes("\u0000")) return { ok: false, error: "This does not look like a text file. In your spreadsheet choose Save as > CSV UTF-8 (comma delimited) and send that file." };
  let records: Array<{ record: string[]; raw: string }>;
  try {
    records = parse(text, { bom: true, raw: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }) as unknown as Array<{ record: string[]; raw: string }>;
  } catch (e) {
    const err = e as { lines?: number; code?: string };
    return { ok: false, error: `${err.lines ? `Line ${err.lines}: ` : ""}the file could not be read as CSV${err.code === "CSV_QUOTE_NOT_CLOSED" ? " (a double quote is never closed)" : ""}. Check the quotes on that line.` };
  }
  let next = 1;
  const lines: Array<{ line: number; cells: string[] }> = [];
  for (const r of records) {
    const line = next;
    next += (r.raw.match(/\r\n|\r|\n/g) ?? []).length;
    if (r.record.every((c) => !c.trim())) continue;
    lines.push({ line, cells: r.record });
  }
  if (!lines.length) return { ok: false, error: `The file is empty. The first row must name the columns: ${DELEGATE_COLUMNS_TEXT}.` };
  const [head, ...data] = lines;
  const header = head.cells.map((c) => ALIASES[headerName(c)] ?? "");
  const unknown = head.cells.filter((c, i) => c.trim() && !header[i]).map((c) => cleanLine(c).slice(0, 40));
  if (unknown.length) return { ok: false, error: `Line ${head.line}: unknown column${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u}"`).join(", ")}. The first row must name the columns: ${DELEGATE_COLUMNS_TEXT}.` };
  const missing = (["name", "email"] as const).filter((c) => !header.includes(c));
  if (missing.length) return { ok: false, error: `Line ${head.line}: the header row has no ${missing.join(" or ")} column. The first row must name the columns: ${DELEGATE_COLUMNS_TEXT}.` };
  if (!data.length) return { ok: false, error: "The file has a header row but no delegates under it." };
  if (data.length > DELEGATE_CSV_LIMITS.rows) return { ok: false, error: `The file has ${data.length.toLocaleString("en-GB")} rows; the limit is ${DELEGATE_CSV_LIMITS.rows.toLocaleString("en-GB")} per file.` };

  const col = (cells: string[], c: (typeof DELEGATE_COLUMNS)[number]) => {
    const i = header.indexOf(c);
    const v = i >= 0 ? (cells[i] ?? "") : "";
    return v.trim() === "-" ? "" : v;
  };
  const accepted: DelegateRow[] = [];
  const rejected: Array<{ line: number; name: string; reason: string }> = [];
  const merged: Array<{ line: number; into: number }> = [];
  const firstLine = new Map<string, DelegateRow>();
  for (const { line, cells } of data) {
    if (cells.length > header.length) {
      rejected.push({ line, name: cleanLine(col(cells, "name")).slice(0, 120), reason: `the row has ${cells.length} values but the header has ${header.length} columns: put a value that contains a comma in double quotes.` });
      continue;
    }
    const checked = checkDelegate(
      { name: col(cells, "name"), email: col(cells, "email"), agency: col(cells, "agency"), managerName: col(cells, "manager_name"), managerEmail: col(cells, "manager_email") },
      { name: "name", email: "email", agency: "agency", managerName: "manager_name", managerEmail: "manager_email" },
    );
    if (checked.problems.length) {
      rejected.push({ line, name: checked.shown.name.slice(0, 120), reason: checked.problems.join(" ") });
      continue;
    }
    const key = normaliseEmail(checked.value.email);
    const earlier = firstLine.get(key);
    if (earlier) {
      // The same person twice: one delegate, with whatever the later row adds.
      for (const k of ["agency", "managerName", "managerEmail"] as const) if (!earlier.value[k] && checked.value[k]) earlier.value[k] = checked.value[k];
      merged.push({ line, into: earlier.line });
      continue;
    }
    const row = { line, value: checked.value };
    firstLine.set(key, row);
    accepted.push(row);
  }
  return { ok: true, accepted, rejected, merged };
}
