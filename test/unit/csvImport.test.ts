import { CSV_LIMITS, parseAgencyCsv, type CsvParseResult } from "../../src/admin/csvImport";
import { idForName } from "../../src/admin/validation";

const HEADER = "agency_name,sector,partnerships,lead_email,lead_name,officer_email,officer_name";
const csv = (...rows: string[]) => [HEADER, ...rows].join("\n");

function ok(r: CsvParseResult) {
  if (!r.ok) throw new Error(`expected the file to parse, got: ${r.error}`);
  return r;
}
function fileError(r: CsvParseResult): string {
  if (r.ok) throw new Error("expected a file-level error");
  return r.error;
}
/** The rejection reason of the only row, or of the row on `line`. */
function reason(r: CsvParseResult, line?: number): string {
  const rows = ok(r).rejected.filter((x) => line === undefined || x.line === line);
  if (rows.length !== 1) throw new Error(`expected one rejected row${line ? ` on line ${line}` : ""}, got ${JSON.stringify(ok(r).rows)}`);
  return rows[0].reason;
}

describe("parseAgencyCsv: accepted rows", () => {
  it("reads every column into a typed row with its line number", () => {
    const r = ok(parseAgencyCsv(csv("Westmere Borough Council,local_authority,Westmere,priya.shah@council.example,Priya Shah,director@council.example,Tom Whitfield")));
    expect(r.rejected).toEqual([]);
    expect(r.accepted).toEqual([
      {
        line: 2,
        agencyName: "Westmere Borough Council",
        agencyId: "westmere-borough-council",
        existing: false,
        sector: "local_authority",
        tenantId: "",
        partnerships: ["Westmere"],
        lead: { email: "priya.shah@council.example", name: "Priya Shah" },
        officer: { email: "director@council.example", name: "Tom Whitfield" },
      },
    ]);
  });

  it("accepts headers in any case and order, spaces for underscores, and only the required columns", () => {
    const r = ok(parseAgencyCsv("Partnerships,AGENCY NAME,Sector\nWestmere;Eastshire,Joint Fire Service,fire"));
    expect(r.accepted[0]).toMatchObject({ agencyName: "Joint Fire Service", sector: "fire", partnerships: ["Westmere", "Eastshire"], lead: undefined, officer: undefined });
  });

  it("accepts sector labels and gives partnerships their known spelling", () => {
    const r = ok(parseAgencyCsv(csv("Larkspur Hospice,Voluntary and community, westmere ; EASTSHIRE ,,,,"), { knownPartnerships: ["Westmere", "Eastshire"] }));
    expect(r.accepted[0]).toMatchObject({ sector: "voluntary", partnerships: ["Westmere", "Eastshire"] });
  });

  it("handles a byte-order mark, CRLF line endings, quoted commas and quotes, and unicode", () => {
    const text =
      "\ufeff" +
      [
        HEADER,
        `"Larkspur Children's Hospice, Day Service",health,Westmere,zoe@hospice.example,"Zoë O'Brien-Ñúñez",,`,
        `"O'Brien's ""Trust""",voluntary,Westmere,,,,`,
        `Ysgol Gymraeg Aberllyn – Ŵ,education,Westmere,,,,`,
        `儿童保护服务 🌈,other,Eastshire,,,,`,
      ].join("\r\n") +
      "\r\n";
    const r = ok(parseAgencyCsv(text));
    expect(r.rejected).toEqual([]);
    expect(r.accepted.map((a) => [a.line, a.agencyName])).toEqual([
      [2, "Larkspur Children's Hospice, Day Service"],
      [3, `O'Brien's "Trust"`],
      [4, "Ysgol Gymraeg Aberllyn – Ŵ"],
      [5, "儿童保护服务 🌈"],
    ]);
    expect(r.accepted[0].lead).toEqual({ email: "zoe@hospice.example", name: "Zoë O'Brien-Ñúñez" });
    // Names in other scripts still get a distinct, key-safe id.
    expect(r.accepted[3].agencyId).toMatch(/^agency-[0-9a-f]{8}$/);
    expect(r.accepted[2].agencyId).toMatch(/^ysgol-gymraeg-aberllyn-w(-[0-9a-f]{8})?$/);
  });

  it("counts lines across quoted line breaks and blank lines, so reported line numbers match the file", () => {
    const text = [HEADER, `"Two-line, name",health,Westmere,,,,`, "", `Bad One,nonsense,Westmere,,,,`].join("\r\n");
    const r = ok(parseAgencyCsv(text.replace('"Two-line, name"', '"Two-line\r\nname"')));
    expect(r.accepted[0]).toMatchObject({ line: 2, agencyName: "Two-line name" });
    expect(r.rejected[0].line).toBe(5);
  });

  it("also reads LF-only and CR-only files", () => {
    expect(ok(parseAgencyCsv(csv("A Trust,health,Westmere,,,,", "B Trust,health,Westmere,,,,"))).accepted.map((a) => a.line)).toEqual([2, 3]);
    expect(ok(parseAgencyCsv([HEADER, "A Trust,health,Westmere,,,,", "B Trust,health,Westmere,,,,"].join("\r"))).accepted.map((a) => a.line)).toEqual([2, 3]);
  });

  it("lets a row for a registered agency add people without sector or partnerships", () => {
    const existing = new Set([idForName("Westmere College")]);
    const r = ok(parseAgencyCsv(csv("westmere college,,,dsl@college.example,Ruth Ellery,,"), { existingAgencyIds: existing }));
    expect(r.accepted[0]).toMatchObject({ existing: true, agencyId: "westmere-college", sector: undefined, partnerships: [], lead: { email: "dsl@college.example", name: "Ruth Ellery" } });
  });

  it("reads a lone dash as empty (a common spreadsheet placeholder)", () => {
    const r = ok(parseAgencyCsv(csv("A Trust,health,Westmere,a@trust.example,-,-,-")));
    expect(r.accepted[0]).toMatchObject({ lead: { email: "a@trust.example", name: "" }, officer: undefined });
  });
});

describe("parseAgencyCsv: rejected rows, each with a specific reason", () => {
  it("unknown sector lists the allowed ones", () => {
    const why = reason(parseAgencyCsv(csv("A Trust,hospital,Westmere,,,,")));
    expect(why).toContain('Unknown sector "hospital"');
    expect(why).toContain("health, police, education, local_authority, voluntary, secure_estate, justice, fire, housing, early_years, other");
  });

  it("missing sector and partnerships for a new agency", () => {
    const why = reason(parseAgencyCsv(csv("A Trust,,,,,,")));
    expect(why).toContain("sector is missing");
    expect(why).toContain("partnerships: name at least one partnership");
  });

  it("bad e-mail addresses, naming the column", () => {
    expect(reason(parseAgencyCsv(csv("A Trust,health,Westmere,not-an-email,,,")))).toContain('"not-an-email" is not a valid e-mail address (lead_email)');
    expect(reason(parseAgencyCsv(csv("A Trust,health,Westmere,,,x@y,")))).toContain("(officer_email)");
  });

  it("a person's name without an e-mail address", () => {
    expect(reason(parseAgencyCsv(csv("A Trust,health,Westmere,,Priya Shah,,")))).toContain("lead_name is given but lead_email is empty");
  });

  it("missing agency name", () => {
    expect(reason(parseAgencyCsv(csv(",health,Westmere,a@b.example,,,")))).toContain("agency_name is missing");
  });

  it("names that are too short or too long", () => {
    expect(reason(parseAgencyCsv(csv("A,health,Westmere,,,,")))).toContain("agency_name needs at least 2 characters");
    expect(reason(parseAgencyCsv(csv(`${"x".repeat(10_000)},health,Westmere,,,,`)))).toContain("agency_name is 10,000 characters; the limit is 120");
    expect(reason(parseAgencyCsv(csv(`A Trust,health,Westmere,a@b.example,${"n".repeat(121)},,`)))).toContain("lead_name is 121 characters; the limit is 120");
  });

  it("more than two partnerships, or a partnership name over 60 characters", () => {
    expect(reason(parseAgencyCsv(csv("A Trust,health,One;Two;Three,,,,")))).toContain("at most 2 partnerships (you gave 3)");
    expect(reason(parseAgencyCsv(csv(`A Trust,health,${"p".repeat(61)},,,,`)))).toContain("is 61 characters; the limit is 60");
  });

  it("the same agency twice in the file, pointing at the first line", () => {
    const r = parseAgencyCsv(csv("Kingfisher Primary School,education,Westmere,,,,", "KINGFISHER PRIMARY SCHOOL,education,Westmere,x@k.example,,,"));
    expect(ok(r).accepted).toHaveLength(1);
    expect(reason(r, 3)).toContain("this agency is already on line 2");
  });

  it("a registered agency with nothing to add", () => {
    const r = parseAgencyCsv(csv("Westmere College,education,Westmere,,,,"), { existingAgencyIds: new Set(["westmere-college"]) });
    expect(reason(r)).toContain("already registered and the row names no lead or officer");
  });

  it("more values than columns (an unquoted comma)", () => {
    expect(reason(parseAgencyCsv(csv("Larkspur Hospice, Day Service,health,Westmere,,,,")))).toContain("put a value that contains a comma in double quotes");
  });

  it("several problems in one row are all reported", () => {
    const why = reason(parseAgencyCsv(csv("A Trust,hospital,Westmere,bad,,also-bad,")));
    expect(why).toContain("Unknown sector");
    expect(why).toContain("(lead_email)");
    expect(why).toContain("(officer_email)");
  });
});

describe("parseAgencyCsv: names that look like formulas", () => {
  // Formula injection is neutralised where CSV is written (src/export/csv.ts), not by refusing names.
  it.each([
    [`"=HYPERLINK(""http://evil.example"",""click"")",health,Westmere,,,,`, `=HYPERLINK("http://evil.example","click")`],
    ["+SUM(1+1),health,Westmere,,,,", "+SUM(1+1)"],
    ["@cmd,health,Westmere,,,,", "@cmd"],
  ])("keeps %s as typed", (row, name) => {
    expect(ok(parseAgencyCsv(csv(row))).accepted[0].agencyName).toBe(name);
  });

  it("allows those characters inside a value", () => {
    expect(ok(parseAgencyCsv(csv("Rovers FC - Under 12s @ Riverside,voluntary,Westmere,,,,"))).accepted[0].agencyName).toBe("Rovers FC - Under 12s @ Riverside");
  });
});

describe("parseAgencyCsv: whole-file problems", () => {
  it("an empty file, or only blank lines", () => {
    expect(fileError(parseAgencyCsv(""))).toContain("The file is empty");
    expect(fileError(parseAgencyCsv("\ufeff\r\n\r\n"))).toContain("The file is empty");
  });

  it("a header with no rows", () => {
    expect(fileError(parseAgencyCsv(HEADER + "\r\n"))).toContain("no agencies under it");
  });

  it("no header row: the first row is data", () => {
    expect(fileError(parseAgencyCsv("Westmere Council,local_authority,Westmere"))).toMatch(/Line 1: unknown columns "westmere_council", "local_authority", "westmere"/);
  });

  it("an unknown column (a typo) is named", () => {
    expect(fileError(parseAgencyCsv("agency_name,sector,partnerships,lead_emial\nA,health,W,x"))).toContain('unknown column "lead_emial"');
  });

  it("a missing required column", () => {
    expect(fileError(parseAgencyCsv("agency_name,partnerships\nA Trust,Westmere"))).toContain("the header row has no sector column");
  });

  it("a column named twice", () => {
    expect(fileError(parseAgencyCsv("agency_name,sector,partnerships,Sector\nA,health,W,health"))).toContain('the column "sector" appears twice');
  });

  it("semicolon-separated columns", () => {
    expect(fileError(parseAgencyCsv("agency_name;sector;partnerships\nA;health;W"))).toContain("separated by semicolons");
  });

  it("an unclosed quote, with its line", () => {
    expect(fileError(parseAgencyCsv(csv('"A Trust,health,Westmere,,,,', "B Trust,health,Westmere,,,,")))).toMatch(/^Line \d+: a value opens a double quote that is never closed/);
  });

  it("binary content", () => {
    expect(fileError(parseAgencyCsv("PK\u0003\u0004\u0000\u0000"))).toContain("does not look like a text file");
  });

  it("more than 1 MB", () => {
    const big = csv(`A Trust,health,Westmere,,${"n".repeat(CSV_LIMITS.bytes)},,`);
    expect(fileError(parseAgencyCsv(big))).toMatch(/The file is 1\.0 MB; the limit is 1 MB/);
  });

  it("500 rows are accepted, 501 are refused", () => {
    const rows = (k: number) => Array.from({ length: k }, (_, i) => `Agency number ${i + 1},health,Westmere,lead${i}@agency.example,,,`);
    const r500 = ok(parseAgencyCsv(csv(...rows(500))));
    expect(r500.accepted).toHaveLength(500);
    expect(r500.accepted[499].line).toBe(501);
    expect(fileError(parseAgencyCsv(csv(...rows(501))))).toContain("The file has 501 agency rows; the limit is 500");
  });
});

describe("parseAgencyCsv: tenant_id", () => {
  it("takes an optional tenant id, lower-cased, and refuses anything that is not one with what it should look like", () => {
    const good = ok(parseAgencyCsv("agency_name,sector,partnerships,tenant_id\nNorth Trust,health,Westmere,0A1B2C3D-0000-4000-8000-00000000ABCD\nSouth Trust,health,Westmere,"));
    expect(good.accepted.map((r) => r.tenantId)).toEqual(["0a1b2c3d-0000-4000-8000-00000000abcd", ""]);
    const bad = ok(parseAgencyCsv("agency_name,sector,partnerships,tenant_id\nNorth Trust,health,Westmere,contoso.onmicrosoft.com"));
    expect(bad.rejected[0].reason).toContain("is not a tenant id");
  });
});
