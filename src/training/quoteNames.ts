/**
 * Consented quotes go to the Executive's channel, where no person may be named. A delegate praising
 * the session often names its trainer ("Helen made it real") or a colleague by title ("Mrs Patel"):
 * both are taken out. Names the bot does not know, written without a title, are not detected: the
 * delegate's consent to quote, and the officer's own reading of the Results card, remain the safeguard.
 */
const REMOVED = "[name removed]";
const TITLES = ["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Professor", "Sir", "Dame", "Rev", "Revd"];
/** Words of a trainer's line that are not names of a person ("Westmere LSCP training team"). */
const NOT_NAMES = new Set(["the", "and", "of", "team", "training", "trainer", "trainers", "partnership", "service", "services", "council", "safeguarding", "children", "board", "nhs", "police", "with", "from", "for", "unit"]);
const LETTER = "\\p{L}";
const TITLED = new RegExp(`(?<!${LETTER})(?:${TITLES.join("|")})\\.?\\s+(?:\\p{Lu}[${LETTER}'’-]*\\.?(?:\\s+|$)){1,3}`, "gu");

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The words of trainers' lines that may be a person's name: capitalised, not a title, not an acronym. */
export function namesIn(lines: readonly string[]): string[] {
  const words = lines.flatMap((l) => l.split(/[\s,&/+;()]+/u)).map((w) => w.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, ""));
  return [...new Set(words.filter((w) => w.length >= 2 && /^\p{Lu}/u.test(w) && /\p{Ll}/u.test(w) && !TITLES.includes(w) && !NOT_NAMES.has(w.toLowerCase())))];
}

export function withoutNames(quote: string, names: readonly string[]): string {
  let t = quote.replace(TITLED, `${REMOVED} `);
  for (const n of names) t = t.replace(new RegExp(`(?<!${LETTER})${escape(n)}(?!${LETTER})`, "gu"), REMOVED);
  return t
    .replace(new RegExp(`${escape(REMOVED)}(?:[\\s,]+${escape(REMOVED)})+`, "g"), REMOVED)
    .replace(/\s+([.,;:!?])/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
}
