import type { TextColor } from "../cards/views";
import type { DeliveryRow } from "../delivery/types";
import { LINK_REASON } from "../delivery/dispatcher";

/**
 * How a delegate was reached, read from their outbox row (never from a tally kept beside it), in
 * words an officer can act on: in Teams, by e-mail, a link to hand out, or why not.
 */
export type ReachKind = "teams" | "email" | "link" | "sending" | "failed" | "skipped" | "none";

export interface Reach {
  kind: ReachKind;
  text: string;
  color: TextColor;
}

const why = (row: DeliveryRow) => (row.lastError ? row.lastError.replace(/^skipped: /, "") : row.lastStatus ? `status ${row.lastStatus}` : "no reason recorded");

function linkReason(row: DeliveryRow): string {
  const e = row.lastError ?? "";
  if (e.includes(LINK_REASON.noTransport)) return "no e-mail is set up: hand out their link";
  if (e.includes(LINK_REASON.noAddress)) return "no e-mail address: hand out their link";
  return "hand out their link";
}

export function reachOf(row: DeliveryRow | undefined): Reach {
  if (!row) return { kind: "none", text: "not sent", color: "default" };
  switch (row.state) {
    case "pending":
    case "sending":
      return { kind: "sending", text: row.lastError ? `sending (retrying after ${row.lastError})` : "sending", color: "default" };
    case "sent":
      return row.channel === "email" ? { kind: "email", text: row.recipient.kind === "person" ? "by e-mail (Teams could not reach them)" : "by e-mail", color: "good" } : { kind: "teams", text: "in Teams", color: "good" };
    case "unreachable":
      if (row.channel === "link") return { kind: "link", text: `not reached: ${linkReason(row)}${row.lastError?.startsWith("teams") ? ` (Teams: ${row.lastError.split(";")[0]})` : ""}`, color: "warning" };
      return { kind: "failed", text: `not reached: ${why(row)}`, color: "attention" };
    case "failed":
      return { kind: "failed", text: `not delivered: ${why(row)}`, color: "attention" };
    case "skipped":
      return { kind: "skipped", text: `not sent: ${why(row)}`, color: "default" };
  }
}

/** Rows of a round by delegate id (their params name the delegate). */
export function rowsByDelegate(rows: DeliveryRow[]): Map<string, DeliveryRow> {
  return new Map(rows.map((r) => [String(r.params.delegateId ?? ""), r]));
}
