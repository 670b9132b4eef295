import { z } from "zod/v4";
import type { Principal } from "../storage/principal";
import type { ChannelKey } from "../storage/conversationsRepo";

/** Who a delivery row is for. A person is reached in their own 1:1 chat, falling back to e-mail. */
const principalShape = z.object({ tenantId: z.string().min(1).max(64), aadObjectId: z.string().min(1).max(64) });
const emailAddress = z.email().max(320);

export const recipientSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("person"), tenantId: z.string().min(1).max(64), aadObjectId: z.string().min(1).max(64), name: z.string().max(256).optional(), email: emailAddress.optional() }),
  z.object({ kind: z.literal("email"), email: emailAddress, name: z.string().max(256).optional() }),
  z.object({ kind: z.literal("channel"), key: z.object({ teamId: z.string().min(1).max(512), channelId: z.string().min(1).max(512) }) }),
]);
export type Recipient = z.infer<typeof recipientSchema>;

export const DELIVERY_STATES = ["pending", "sending", "sent", "failed", "unreachable", "skipped"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];
export const FINAL_STATES: readonly DeliveryState[] = ["sent", "failed", "unreachable", "skipped"];

export const DELIVERY_CHANNELS = ["teams", "email", "link"] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** Small, JSON-only: the builder re-reads everything else at send time. */
export const paramsSchema = z.record(z.string(), z.json()).refine((p) => JSON.stringify(p).length <= 8_000, "params must stay under 8,000 characters of JSON");

export const enqueueItemSchema = z.object({
  recipient: recipientSchema,
  /** Names a message builder registered by a feature, e.g. "signoff.request". */
  kind: z.string().min(1).max(100),
  params: paramsSchema.default({}),
  /** Not sent before this time (e.g. a reminder). */
  notBefore: z.date().optional(),
  /** Told (by a "delivery.failed" message) when this row ends failed or unreachable. */
  tellOnFailure: principalShape.optional(),
});
export type EnqueueItem = z.input<typeof enqueueItemSchema>;

export interface DeliveryRow {
  batchId: string;
  recipientKey: string;
  recipient: Recipient;
  kind: string;
  params: Record<string, unknown>;
  state: DeliveryState;
  /** Sends tried (a claim counts: a crash after the claim may have sent). */
  attempts: number;
  /** Failures that count towards giving up (5xx, network, 412); 429s are counted in `throttled`. */
  failures: number;
  throttled: number;
  lastStatus?: number;
  /** Short and ours (an HTTP status and the service's error code, or a reason): never message text. */
  lastError?: string;
  channel?: DeliveryChannel;
  activityId?: string;
  conversationId?: string;
  notBefore: string;
  sentAt?: string;
  leaseUntil?: string;
  leaseOwner?: string;
  /** Set while the row is being moved to a key that names nobody (a person's data erased: DeliveriesRepo.anonymise). */
  movedTo?: string;
  tellOnFailure?: Principal;
  /** "due" while the failure notice to `tellOnFailure` is still to be enqueued. */
  notice?: "due" | "done";
  createdAt: string;
  updatedAt: string;
  etag: string;
}

/** What a message builder makes; `email` is the same message for people Teams cannot reach. */
export interface MessageContent {
  /** An Adaptive Card (JSON). */
  card?: object;
  text?: string;
  email?: { subject: string; text: string; html: string };
}

/**
 * Builds the message for one row at send time (so it says what is true now). Return `{ skip }`
 * when it should no longer go out (already answered, withdrawn): the row ends "skipped" with that
 * reason. Builders may run more than once for a row (retries) and must not have side effects.
 */
export type MessageBuilder = (row: DeliveryRow) => Promise<MessageContent | { skip: string }>;

/**
 * What a finished row says about whom it was for once that person's data is erased: the kind
 * stays (the officer's figures tell Teams from e-mail by it), nothing that names them does. The
 * address is in the reserved .invalid domain, so it can never be delivered to.
 */
export const ERASED_EMAIL = "erased@erased.invalid";
export function erasedRecipient(r: Recipient): Recipient {
  if (r.kind === "person") return { kind: "person", tenantId: "erased", aadObjectId: "erased" };
  if (r.kind === "email") return { kind: "email", email: ERASED_EMAIL };
  return r;
}

export function recipientKeyOf(r: Recipient): string[] {
  switch (r.kind) {
    case "person":
      return ["p", r.tenantId.toLowerCase(), r.aadObjectId.toLowerCase()];
    case "email":
      return ["e", r.email.trim().toLowerCase()];
    case "channel":
      return ["c", r.key.teamId, r.key.channelId];
  }
}

export type { ChannelKey, Principal };
