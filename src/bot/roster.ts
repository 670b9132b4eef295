import { TeamsInfo, type TurnContext } from "botbuilder";
import type { RosterMember } from "../routes";

/** Teams' roster is paged; 500 is the largest page it serves. Beyond this many members the rest are left out. */
const PAGE_SIZE = 500;
const MAX_MEMBERS = 5000;

/**
 * Every member of the group chat, meeting chat or team the turn happens in (a channel's turn
 * reads its team's roster), through Teams' paged roster. Members without an AAD object id (bots,
 * anonymous meeting guests) are left out: they cannot be told apart or reached.
 */
export async function readRoster(turn: TurnContext): Promise<RosterMember[]> {
  const tenant = ((turn.activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id ?? turn.activity.conversation?.tenantId ?? "") as string;
  const out: RosterMember[] = [];
  let token: string | undefined;
  do {
    const page = await TeamsInfo.getPagedMembers(turn, PAGE_SIZE, token);
    for (const m of page.members ?? []) {
      if (!m.aadObjectId) continue;
      out.push({ aadObjectId: m.aadObjectId, tenantId: (m.tenantId || tenant).toLowerCase(), name: (m.name ?? "").slice(0, 200), email: m.email || m.userPrincipalName || undefined });
    }
    token = page.continuationToken || undefined;
  } while (token && out.length < MAX_MEMBERS);
  return out;
}
