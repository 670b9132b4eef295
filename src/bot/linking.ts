import { TeamsInfo, type ConversationReference, type TurnContext } from "botbuilder";
import { errorFields, type Logger } from "../log";
import type { AccessService } from "../people/accessService";
import type { Actor } from "../people/actor";
import type { PeopleRepo } from "../storage/peopleRepo";
import type { TurnPlace } from "../routes";

/** What a later proactive message to this person's personal chat needs, captured from a personal turn. */
export function personalRef(turn: TurnContext): Partial<ConversationReference> {
  const a = turn.activity;
  return {
    channelId: a.channelId,
    serviceUrl: a.serviceUrl,
    conversation: { id: a.conversation.id, conversationType: "personal", tenantId: a.conversation.tenantId, isGroup: false, name: "" },
    bot: { id: a.recipient.id, name: a.recipient.name },
    user: { id: a.from.id, name: "", aadObjectId: a.from.aadObjectId },
  };
}

/**
 * Remembers the person behind a message turn: their e-mail and sign-in name from the Teams roster
 * (first contact only), and, from a personal chat only, the reference used to message them later.
 * A channel or group chat reference is never kept for a person: a sign-off card sent there would
 * be read by the whole team. Grants waiting on their e-mail are linked (see AccessService.link).
 */
export async function rememberPerson(deps: { people: PeopleRepo; access: AccessService; log: Logger }, turn: TurnContext, actor: Actor, place: TurnPlace): Promise<void> {
  const existing = await deps.people.get(actor.principal);
  if (!actor.name && existing?.name) actor.name = existing.name;
  let email = existing?.email ?? "";
  let upn = existing?.upn ?? "";
  if (!existing) {
    try {
      const member = await TeamsInfo.getMember(turn, turn.activity.from.id);
      email = (member.email || member.userPrincipalName || "").slice(0, 200);
      upn = (member.userPrincipalName || "").slice(0, 200);
      // Some events (install, conversationUpdate) carry no display name; the roster has it.
      if (!actor.name && member.name) actor.name = member.name.slice(0, 120);
    } catch (e) {
      deps.log.warn(errorFields(e), "roster lookup failed");
    }
  }
  const ref = place.scope === "personal" ? JSON.stringify(personalRef(turn)) : existing?.conversation ?? "";
  const person = { ...actor.principal, name: actor.name || existing?.name || "", email, upn, conversation: ref, firstSeenAt: existing?.firstSeenAt || new Date().toISOString() };
  const changed = !existing || existing.conversation !== ref || existing.name !== person.name || existing.upn !== upn;
  // Linking runs while grants wait on this address, so a link that stopped part-way completes on the next message.
  if (email) await deps.access.link(person, { save: changed });
  else if (changed) await deps.people.upsert(person);
}
