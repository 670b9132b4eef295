import type { Activity } from "botbuilder";
import type { Actor } from "../people/actor";

/**
 * The actor comes from what Teams stamps on the activity (tenant in channelData, AAD object id
 * on `from`), never from card data. Without both there is nobody to authorise.
 */
export function actorFromActivity(activity: Partial<Activity>): Actor | undefined {
  const tenantId = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id ?? activity.conversation?.tenantId;
  const aadObjectId = activity.from?.aadObjectId;
  if (typeof tenantId !== "string" || typeof aadObjectId !== "string" || !tenantId || !aadObjectId) return undefined;
  return { principal: { tenantId: tenantId.toLowerCase(), aadObjectId: aadObjectId.toLowerCase() }, name: (activity.from?.name ?? "").slice(0, 120) };
}
