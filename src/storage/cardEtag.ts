import { z } from "zod/v4";

/**
 * The version a card was drawn from, as the card carries it back. Table Storage writes ETags as weak
 * validators (W/"datetime'...'"); anything else in a payload is forged or broken. "*" would make a
 * conditional write unconditional, and a malformed value is refused by storage with a 400 that is
 * not a conflict, so both become an ETag that matches no row: the write is refused as stale and the
 * person sees the latest version with what they typed kept.
 */
export const NEVER_MATCHES = "W/\"datetime'1970-01-01T00%3A00%3A00.0000000Z'\"";
const WEAK_ETAG = /^W\/"[^"]{1,180}"$/;

export const cardEtag = z
  .unknown()
  .transform((v) => (typeof v === "string" && WEAK_ETAG.test(v) ? v : NEVER_MATCHES));

/**
 * The same for a card that may have been drawn from no row at all (a moderated rating not yet given):
 * that card carries "" (or nothing), which stays "" to be compared with "no row now". Anything else
 * that is not a Table Storage ETag, a number or an object included, matches nothing rather than
 * refusing the whole payload, so what the person typed beside it is kept.
 */
export const cardEtagOrNone = z
  .unknown()
  .transform((v) => (v === undefined || v === null || v === "" ? "" : typeof v === "string" && WEAK_ETAG.test(v) ? v : NEVER_MATCHES));
