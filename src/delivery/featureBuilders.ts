import { md } from "../cards/text";
import { messageReply, renderReply } from "../cards/reply";
import type { Logger } from "../log";
import type { MessageBuilder as FeatureBuilder, MessageTarget } from "../routes";
import type { DeliveriesRepo } from "../storage/deliveriesRepo";
import { FAILURE_NOTICE_KIND } from "./dispatcher";
import type { DeliveryRow, MessageBuilder, Recipient } from "./types";

/** A delivery row's recipient as the features see it: a person (their rights are checked by the builder), an address, a channel. */
function targetOf(r: Recipient): MessageTarget {
  if (r.kind === "person") return { kind: "person", actor: { principal: { tenantId: r.tenantId.toLowerCase(), aadObjectId: r.aadObjectId.toLowerCase() }, name: r.name ?? "" }, email: r.email };
  if (r.kind === "email") return { kind: "email", email: r.email, name: r.name };
  return { kind: "channel", teamId: r.key.teamId, channelId: r.key.channelId };
}

const stringParams = (p: Record<string, unknown>) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));

/**
 * The features' message builders (reply + e-mail, in the features' terms) as the dispatcher's
 * (card JSON + e-mail), plus the notice sent to whoever asked for a message that could not be
 * delivered. `redraw` draws a card again for a row already sent, to replace it in place.
 */
export function deliveryBuilders(features: Map<string, FeatureBuilder>, deps: { deliveries: DeliveriesRepo; log: Logger; appLink: string }) {
  const builders = new Map<string, MessageBuilder>();
  const tooLarge = (kind: string) => (e: { cardName: string; bytes: number }) => deps.log.warn({ kind, card: e.cardName, bytes: e.bytes }, "card too large to send");
  const draw = async (row: DeliveryRow, refresh: boolean) => {
    const b = features.get(row.kind);
    if (!b) return { skip: `no builder for ${row.kind}` };
    const r = await b(targetOf(row.recipient), stringParams(row.params), { refresh });
    if ("skip" in r) return r;
    return { card: r.reply ? renderReply(r.reply, tooLarge(row.kind)) : undefined, email: r.email };
  };
  /** Registers a builder for every feature message known now (features are made after the pipeline). */
  const refresh = () => {
    for (const kind of features.keys()) if (!builders.has(kind)) builders.set(kind, (row) => draw(row, false));
  };
  refresh();
  builders.set(FAILURE_NOTICE_KIND, async (row) => {
    const p = stringParams(row.params);
    const failed = p.batchId && p.recipientKey ? await deps.deliveries.get(p.batchId, p.recipientKey) : undefined;
    const who = failed?.recipient.kind === "channel" ? "a channel" : failed?.recipient.name || (failed?.recipient.kind === "email" ? failed.recipient.email : "") || "someone";
    const reply = messageReply(
      "A message was not delivered",
      md`We could not reach ${who} in Teams${failed?.channel === "link" || failed?.state === "unreachable" ? " or by e-mail" : ""}. Ask them to open the Safeguarding Assurance app in Teams (${deps.appLink}) and say hi: what was sent to them is waiting there.`,
      "warning",
    );
    return { card: renderReply(reply, tooLarge(FAILURE_NOTICE_KIND)) };
  });
  return { builders, refresh, redraw: (row: DeliveryRow) => draw(row, true) };
}
