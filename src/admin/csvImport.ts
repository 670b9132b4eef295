import { parse } from "csv-parse/sync";
import type { Sector } from "../storage/agenciesRepo";
import { cleanLine, emailField, FIELD_LIMITS, idForName, partnershipsField, sectorField, tenantField, textField } from "./validation";

/**
 * Bulk registration of agencies and their people from a CSV file. Pure parsing and validation:
 * importAgencies.ts does the writing.
 *
 * The file:
 *   - a header row (required) naming the columns, in any order and case; spaces or dashes are
 *     read as underscores, so "Agency name" is agency_name;
 *   - columns agency_name, sector, partnerships (required in the header) and lead_email,
 *     lead_name, officer_email, officer_name (optional);
 *   - partnerships separated by `;` (one or two), sector as an id (local_authority) or its label
 *     ("Local authority");
 *   - at most 500 data rows and 1 MB; UTF-8 with or without a byte-order mark; CRLF, LF or CR
 *     line endings; values with commas or line breaks in double quotes.
 *
 * Per row, every problem is reported with the line number where the row starts. A row for an
 * agency that is already registered only adds its lead and officer (sector and partnerships may
 * be left empty; if given they are checked but not changed). An agency may appear on one row only.
 *
 * Names are kept as typed, including a leading = + - or @: formula injection is neutralised where
 * CSV and spreadsheets are written (src/export/csv.ts), not by refusing names. A cell that is
 * exactly "-" is read as empty, since spreadsheets often use it for "none".
 */

export const CSV_COLUMNS = ["agency_name", "sector", "partnerships", "lead_email", "lead_name", "officer_email", "officer_name", "tenant_id"] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
export const CSV_REQUIRED_COLUMNS: readonly CsvColumn[] = ["agency_name", "sector", "partnerships"];
export const CSV_LIMITS = { rows: 500, bytes: 1024 * 1024 } as const;
export const CSV_COLUMNS_TEXT = `${CSV_COLUMNS.join(", ")} (partnerships separated by a semicolon; tenant_id optional)`;

export interface PersonRef {
  email: string;
  name: string;
}

export interface CsvAgencyRow {
  line: number;
  agencyName: string;
  agencyId: string;
  /** True when the agency is already registered: the row only adds people. */
  existing: boolean;
  /** Present for a new agency (and for an existing one when the file gives it). */
  sector?: Sector;
  partnerships: string[];
  /** The agency's Microsoft 365 tenant, when given: people are then linked to it only from that tenant. */
  tenantId: string;
  lead?: PersonRef;
  officer?: PersonRef;
}

export type CsvRowResult =
  | { ok: true; line: number; row: CsvAgencyRow }
  | { ok: false; line: number; agencyName: string; reason: string };

export type CsvParseResult =
  | { ok: true; rows: CsvRowResult[]; accepted: CsvAgencyRow[]; rejected: Array<Extract<CsvRowResult, { ok: false }>> }
  | { ok: false; error: string };

export interface CsvParseOptions {
  /** Ids of agencies already registered (AgenciesRepo ids). */
  existingAgencyIds?: ReadonlySet<string>;
  /** Partnership names already in use, so "westmere" takes the spelling "Westmere". */
  knownPartnerships?: Iterable<string>;
}

const LINE_BREAKS = /\r\n|\r|\n/g;

function csvErrorText(e: unknown): string {
  const err = e as { code?: string; lines?: number; message?: string };
  const at = err.lines ? `Line ${err.lines}: ` : "";
  switch (err.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return `${at}a value opens a double quote that is never closed. Check the quotes on that line and the lines after it.`;
    case "CSV_INVALID_CLOSING_QUOTE":
      return `${at}text follows a closing double quote. Inside a quoted value, write a double quote as two ("").`;
    default:
      return `${at}the file could not be read as CSV (${String(err.message ?? e).slice(0, 160)}).`;
  }
}

const headerName = (cell: string) => cleanLine(cell).toLowerCase().replace(/[\s-]+/g, "_");

export function parseAgencyCsv(text: string, opts: CsvParseOptions = {}): CsvParseResult {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > CSV_LIMITS.bytes) {
    return { ok: false, error: `The file is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is 1 MB (about ${CSV_LIMITS.rows} agencies). Split it into smaller files.` };
  }
  if (text.includes("\u0000")) return { ok: false, error: "This does not look like a text file. In your spreadsheet choose Save as > CSV UTF-8 (comma delimited) and send that file." };

  let records: Array<{ record: string[]; raw: string }>;
  try {
    records = parse(text, { bom: true, raw: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }) as unknown as Array<{ record: string[]; raw: string }>;
  } catch (e) {
    return { ok: false, error: csvErrorText(e) };
  }

  // Line numbers: each record starts where the previous one's line breaks left off.
  let nextLine = 1;
  const lines: Array<{ line: number; cells: string[] }> = [];
  for (const r of records) {
    const line = nextLine;
    nextLine += (r.raw.match(LINE_BREAKS) ?? []).length;
    if (r.record.every((c) => !c.trim())) continue;
    lines.push({ line, cells: r.record });
  }
  if (!lines.length) return { ok: false, error: `The file is empty. The first row must name the columns: ${CSV_COLUMNS_TEXT}.` };

  // Header.
  const [head, ...data] = lines;
  const header = head.cells.map(headerName);
  if (header.length === 1 && header[0].includes(";")) {
    return { ok: false, error: "The columns are separated by semicolons. Save the file as \"CSV UTF-8 (comma delimited)\" and send it again." };
  }
  const unknown = header.filter((h) => h && !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) {
    return { ok: false, error: `Line ${head.line}: unknown column${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `"${u.slice(0, 40)}"`).join(", ")}. The first row must name the columns: ${CSV_COLUMNS_TEXT}.` };
  }
  const twice = header.filter((h, i) => h && header.indexOf(h) !== i);
  if (twice.length) return { ok: false, error: `Line ${head.line}: the column "${twice[0]}" appears twice.` };
  const missing = CSV_REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (missing.length) {
    return { ok: false, error: `Line ${head.line}: the header row has no ${missing.join(", ")} column${missing.length > 1 ? "s" : ""}. The first row must name the columns: ${CSV_COLUMNS_TEXT}.` };
  }
  if (!data.length) return { ok: false, error: "The file has a header row but no agencies under it." };
  if (data.length > CSV_LIMITS.rows) {
    return { ok: false, error: `The file has ${data.length.toLocaleString("en-GB")} agency rows; the limit is ${CSV_LIMITS.rows} per import. Split it into smaller files.` };
  }

  const col = (cells: string[], c: CsvColumn): string => {
    const i = header.indexOf(c);
    const v = i >= 0 ? cleanLine(cells[i] ?? "") : "";
    return v === "-" ? "" : v;
  };

  const existing = opts.existingAgencyIds ?? new Set<string>();
  const known = [...(opts.knownPartnerships ?? [])];
  const firstLineOf = new Map<string, number>();
  const rows: CsvRowResult[] = [];

  for (const { line, cells } of data) {
    const agencyName = col(cells, "agency_name");
    const problems: string[] = [];
    if (cells.length > header.length) {
      problems.push(`the row has ${cells.length} values but the header has ${header.length} columns: put a value that contains a comma in double quotes.`);
    }
    if (problems.length) {
      rows.push({ ok: false, line, agencyName, reason: problems.join(" ") });
      continue;
    }

    const name = textField(agencyName, "agency_name", FIELD_LIMITS.agencyName);
    problems.push(...name.problems);
    const agencyId = name.value ? idForName(name.value) : "";
    const isExisting = !!agencyId && existing.has(agencyId);

    let sector: Sector | undefined;
    const sectorRaw = col(cells, "sector");
    if (sectorRaw || !isExisting) {
      const s = sectorField(sectorRaw, "sector");
      problems.push(...s.problems);
      sector = s.value;
    }
    let partnerships: string[] = [];
    const partRaw = col(cells, "partnerships");
    if (partRaw || !isExisting) {
      const p = partnershipsField(partRaw, { separator: ";", max: FIELD_LIMITS.agencyPartnerships, known, label: "partnerships" });
      problems.push(...p.problems);
      partnerships = p.value;
    }

    const tenant = tenantField(col(cells, "tenant_id"), "tenant_id");
    problems.push(...tenant.problems);

    const person = (role: "lead" | "officer"): PersonRef | undefined => {
      const email = emailField(col(cells, `${role}_email`), `${role}_email`, true);
      const personName = textField(col(cells, `${role}_name`), `${role}_name`, { max: FIELD_LIMITS.personName });
      problems.push(...email.problems, ...personName.problems);
      if (!email.value && personName.value) problems.push(`${role}_name is given but ${role}_email is empty: people are registered by e-mail address.`);
      return email.value && !email.problems.length ? { email: email.value, name: personName.value } : undefined;
    };
    const lead = person("lead");
    const officer = person("officer");

    if (agencyId) {
      const first = firstLineOf.get(agencyId);
      if (first !== undefined) problems.push(`this agency is already on line ${first}: give each agency one row (it has columns for one lead and one senior officer; import a second file for more).`);
      else firstLineOf.set(agencyId, line);
    }
    if (!problems.length && isExisting && !lead && !officer) {
      problems.push("this agency is already registered and the row names no lead or officer: nothing to add.");
    }

    if (problems.length) rows.push({ ok: false, line, agencyName, reason: problems.join(" ") });
    else rows.push({ ok: true, line, row: { line, agencyName: name.value, agencyId, existing: isExisting, sector, partnerships, tenantId: tenant.value, lead, officer } });
  }

  return {
    ok: true,
    rows,
    accepted: rows.flatMap((r) => (r.ok ? [r.row] : [])),
    rejected: rows.flatMap((r) => (r.ok ? [] : [r])),
  };
}
