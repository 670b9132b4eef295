import type { Activity } from "botbuilder";
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
