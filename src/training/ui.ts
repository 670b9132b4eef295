import { randomBytes } from "node:crypto";
import type { ActionView } from "../cards/views";

/** Small helpers the training views share. */

export const act = (title: string, verb: string, data: Record<string, string> = {}, style: ActionView["style"] = "default"): ActionView => ({ title, verb, data, style });

/** A button that must not send (or be blocked by) the card's inputs: Back, Cancel, navigation. */
export const nav = (title: string, verb: string, data: Record<string, string> = {}): ActionView => ({ title, verb, data, style: "default", inputs: "none" });

export const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString("en-GB")} ${count === 1 ? one : many}`;

export const percent = (part: number, whole: number) => (whole ? `${Math.round((part / whole) * 100)}%` : "–");

/** A form's id: the record it creates is named after it, so the same form sent twice creates one record. */
export function newFormId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join("");
}

/** Card and form input arrives as anything: a string, a number, or junk. */
export const asText = (v: unknown): string => (typeof v === "string" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : "");
