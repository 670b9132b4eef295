/**
 * Problems a person can act on. The bot edge turns each into a card with the message as written
 * here, so messages say what happened and what to do.
 */
export class UserFacingError extends Error {
  constructor(message: string, readonly kind: "denied" | "not_found" | "invalid" | "conflict" | "state" = "invalid") {
    super(message);
    this.name = "UserFacingError";
  }
}

export const NO_ACCESS = "You don't have access to that return. If you should, ask your partnership's business manager to add you to your agency.";

/**
 * An operation of several writes failed after some of them were made. Every such operation is
 * idempotent, so running it again completes it; the person is told exactly that, never "nothing
 * was changed".
 */
export class PartialWriteError extends Error {
  constructor(readonly failure: unknown) {
    super("The operation stopped part-way; running it again completes it.");
    this.name = "PartialWriteError";
  }
}

/**
 * Runs an operation made of several writes, each passed through `step`. A failure before any
 * write completed is rethrown as it is (nothing changed); after one, as a PartialWriteError.
 */
export async function inSteps<T>(run: (step: <R>(write: () => Promise<R>) => Promise<R>) => Promise<T>): Promise<T> {
  let done = 0;
  const step = async <R>(write: () => Promise<R>): Promise<R> => {
    const r = await write();
    done++;
    return r;
  };
  try {
    return await run(step);
  } catch (e) {
    if (done > 0 && !(e instanceof UserFacingError) && !(e instanceof PartialWriteError)) throw new PartialWriteError(e);
    throw e;
  }
}
