/**
 * Problems a user can act on. The bot edge turns each into a card with the message as written
 * here, so messages say what happened and what to do.
 */
export class UserFacingError extends Error {
  constructor(message: string, readonly kind: "denied" | "not_found" | "invalid" | "conflict" | "state" = "invalid") {
    super(message);
    this.name = "UserFacingError";
  }
}

export const NO_ACCESS = "You don't have access to that return. If you should, ask your partnership's business manager to add you to your agency.";
