import { principalKey, type Principal } from "../storage/principal";

/**
 * The person behind a turn, as the Teams edge established it from the activity (tenant from
 * channelData, object id from `from.aadObjectId`). Never built from card data.
 */
export interface Actor {
  principal: Principal;
  /** Display name from Teams: for "changed by" lines only, never for decisions. */
  name: string;
}

export const actorKey = (a: Actor) => principalKey(a.principal);
