import { TeamsInfo, type TurnContext } from "botbuilder";
import type { ConversationReferences } from "../conversations/conversationReferences";
import { personalReferenceFromActivity } from "../conversations/fromActivity";
import { errorFields, type Logger } from "../log";
import type { AccessService } from "../people/accessService";
import type { Actor } from "../people/actor";
import type { PeopleRepo } from "../storage/peopleRepo";
import type { TurnPlace } from "../routes";

/**
 * Remembers the person behind a turn: their e-mail and sign-in name from the Teams roster (first
 * contact only), and, from a personal chat only, the reference used to message them later.
 * A channel or group chat reference is never kept for a person: a sign-off card sent there would
 * be read by the whole team. Grants waiting on their e-mail are linked (see AccessService.link).
 */
export async function rememberPerson(deps: { people: PeopleRepo; access: AccessService; log: Logger; conversations: ConversationReferences }, turn: TurnContext, actor: Actor, place: TurnPlace): Promise<void> {
  if (place.scope === "personal") {
    const personal = personalReferenceFromActivity(turn.activity);
    if (personal) await deps.conversations.savePersonal(personal.principal, personal.ref);
  }
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
  const person = { ...actor.principal, name: actor.name || existing?.name || "", email, upn, conversation: "", firstSeenAt: existing?.firstSeenAt || new Date().toISOString() };
  const changed = !existing || existing.name !== person.name || existing.upn !== upn;
  // Linking runs while grants wait on this address, so a link that stopped part-way completes on the next message.
  if (email) await deps.access.link(person, { save: changed });
  else if (changed) await deps.people.upsert(person);
}
