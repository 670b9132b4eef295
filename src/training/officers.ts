import { UserFacingError } from "../errors";
import type { AccessService } from "../people/accessService";
import type { Actor } from "../people/actor";

export const NOT_TRAINER = "Only the partnership's training officers can do this. If you should be one, ask your partnership's business manager to add you.";

/** Every officer action starts here: the role comes from stored grants, never from a card. */
export async function requireTrainer(access: AccessService, actor: Actor): Promise<void> {
  if (!(await access.rolesOf(actor)).trainer) throw new UserFacingError(NOT_TRAINER, "denied");
}

export const isTrainer = async (access: AccessService, actor: Actor) => (await access.rolesOf(actor)).trainer;
