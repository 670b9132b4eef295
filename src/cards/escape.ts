/**
 * Markdown escaping for text shown in Adaptive Card TextBlocks and FactSet facts, the places where
 * Teams interprets markdown (bold, italic, lists, links). Text that came from people (agency names,
 * comments, evidence) must appear exactly as typed and never become a link, emphasis, a list or a heading.
 *
 * Choices:
 * - Every character the brief names is backslash-escaped everywhere it appears, not only where it
 *   would be syntax: `\ * _ [ ] ( ) # + - ! ~ ` > |`. Escaping `(` and `)` as well as `[` `]` matters
 *   for the older shared-model markdown parser of the mobile renderers, which starts a link at any `[`
 *   whatever precedes it and only needs `](` to follow: an escaped `(` is what breaks the pair there.
 * - At the start of a line: `1.` list markers become `1\.`, a leading `=` (setext heading underline)
 *   becomes `\=`, and leading spaces/tabs are dropped (four spaces would start a code block).
 * - Line breaks: CRLF/CR become LF, and each line break becomes a blank line (`\n\n`), which is what
 *   Teams documents as a line break inside a TextBlock (a single `\n` is folded into a space by some
 *   clients). Blank lines (and lines of spaces) are dropped, so paragraphs
 *   are separated by exactly one blank line.
 * - Raw URLs are left alone: Teams clients auto-link them, and no invisible character reliably stops
 *   every client's linkifier without breaking copy and paste. A bare URL shows its real destination,
 *   so the risk that matters (a link whose text hides its target) is removed by escaping `[ ] ( )`.
 * - `&` is not escaped: CommonMark renderers decode entities such as `&amp;`, which changes how such
 *   text looks but cannot create a link or formatting.
 *
 * Known limitation: Microsoft's notes (MicrosoftDocs/msteams-docs#5793) report that some Android and
 * older iOS Teams clients display the backslashes instead of hiding them. The text stays inert there,
 * just noisier; desktop and web (CommonMark) hide them.
 */

const INLINE_SPECIALS = /[\\*_[\]()#+\-!~`>|]/g;
const LEADING_ORDERED_MARKER = /^(\d+)\.(?=\s|$)/;

function escapeLine(line: string): string {
  const trimmed = line.replace(/^[ \t]+/, "");
  // Inline characters first, so the backslashes added for line starts are not escaped again.
  return trimmed
    .replace(INLINE_SPECIALS, "\\$&")
    .replace(LEADING_ORDERED_MARKER, "$1\\.")
    .replace(/^=/, "\\=");
}

/** Escapes user text for display in a TextBlock or a Fact (see the notes above). */
export function escapeMarkdown(text: string): string {
  if (text === "") return "";
  return text
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map(escapeLine)
    .filter((line) => line !== "")
    .join("\n\n");
}
