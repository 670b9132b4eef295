/** Helpers to read @azure/data-tables errors: Azurite leaves `code` undefined on 412, so look at the status. */
interface RestLike {
  statusCode?: number;
  details?: { errorCode?: string; odataError?: { code?: string } };
}

const status = (e: unknown): number | undefined => (e as RestLike | undefined)?.statusCode;
/** A storage error's message, where a batch failure names what went wrong ("EntityAlreadyExists"); "" for a non-error. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : "");

export const isNotFound = (e: unknown) => status(e) === 404;
export const isConflict = (e: unknown) => status(e) === 409;
export const isPreconditionFailed = (e: unknown) => status(e) === 412;
/** Transaction failures come back as 4xx for the whole batch; the batch did not apply. */
export const isBatchConflict = (e: unknown) => {
  const s = status(e);
  return s === 409 || s === 412 || (s === 400 && /EntityAlreadyExists|UpdateConditionNotSatisfied/.test(messageOf(e)));
};

/** True for errors where storage (or the network to it) failed rather than our logic. */
export function isStorageOutage(e: unknown): boolean {
  const err = e as { statusCode?: number; code?: string };
  return (
    (typeof err?.statusCode === "number" && (err.statusCode >= 500 || err.statusCode === 429)) ||
    ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "REQUEST_SEND_ERROR"].includes(err?.code ?? "")
  );
}
