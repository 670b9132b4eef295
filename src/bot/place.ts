import type { Activity } from "botbuilder";
import { z } from "zod/v4";
import type { TurnPlace } from "../routes";

/** Where a turn happens, from what Teams stamps on the activity. Anything unknown counts as a group. */
export function placeOf(activity: Partial<Activity>): TurnPlace {
  const type = activity.conversation?.conversationType;
  const cd = activity.channelData as { team?: { id?: unknown }; channel?: { id?: unknown } } | undefined;
  if (type === "personal") return { scope: "personal" };
  if (type === "channel") return { scope: "channel", teamId: typeof cd?.team?.id === "string" ? cd.team.id : undefined, channelId: typeof cd?.channel?.id === "string" ? cd.channel.id : undefined };
  return { scope: "groupChat" };
}

/** A Teams deep link that opens the personal chat with the bot (its id as Teams knows it, "28:<app id>"). */
export function personalChatLink(botId: string): string {
  const id = botId.startsWith("28:") ? botId : `28:${botId}`;
  return `https://teams.microsoft.com/l/chat/0/0?users=${encodeURIComponent(id)}`;
}

/** Longest team or channel name kept (Teams allows 256 for a team, 50 for a channel). */
export const MAX_PLACE_NAME = 256;
// Control characters never belong in a name; anything else is shown escaped where it is shown.
const placeName = z.string().transform((s) => s.replace(/[\u0000-\u001f\u007f]+/g, " ").trim().slice(0, MAX_PLACE_NAME)).catch("");
const namesSchema = z.object({ team: z.object({ name: placeName.optional() }).optional().catch(undefined), channel: z.object({ name: placeName.optional() }).optional().catch(undefined) }).catch({});

/** The team's and channel's names as Teams stamps them on a channel activity (not always: then none). */
export function channelNamesOf(activity: Partial<Activity>): { teamName?: string; channelName?: string } {
  const cd = namesSchema.parse(activity.channelData ?? {});
  return { ...(cd.team?.name ? { teamName: cd.team.name } : {}), ...(cd.channel?.name ? { channelName: cd.channel.name } : {}) };
}
