import { randomInt } from "node:crypto";

const ALPHANUM = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * A unique Azure-table-name-safe prefix: "t" + 8 random lowercase letters/digits (e.g. "tq3k9x0ab").
 * Table names must be alphanumeric, start with a letter and be 3-63 characters long,
 * so `${uniquePrefix()}Cases` is a valid table name as long as the suffix is alphanumeric
 * and at most 54 characters.
 */
export function uniquePrefix(length = 8): string {
  let s = "t";
  for (let i = 0; i < length; i++) s += ALPHANUM[randomInt(ALPHANUM.length)];
  return s;
}

/** The connection string of the run-wide Azurite started by globalSetup. Throws if absent. */
export function testTablesConnectionString(): string {
  const cs = process.env.TEST_TABLES_CONNECTION_STRING;
  if (!cs) {
    throw new Error(
      "TEST_TABLES_CONNECTION_STRING is not set: run tests through jest (globalSetup starts Azurite)",
    );
  }
  return cs;
}
