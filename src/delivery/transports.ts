import type { ChannelKey } from "../storage/conversationsRepo";
import type { Principal } from "../storage/principal";
import type { MessageContent } from "./types";

/**
 * What a transport says about one send. The dispatcher decides what happens next; transports
 * never retry themselves (a retry loop inside would multiply with the dispatcher's and ignore
 * the shared throttle).
 */
export type SendResult =
  | { outcome: "sent"; activityId?: string; conversationId?: string }
  /** 429, 412, 5xx, network: try again later; `retryAfterMs` from the service's Retry-After. */
  | { outcome: "retry"; status: number; retryAfterMs?: number; reason: string }
  /** 403 blocked or uninstalled, or no 1:1 chat can be opened: Teams cannot reach them. */
  | { outcome: "unreachable"; status: number; reason: string }
  /** 404 on a stored chat: the reference is forgotten; opening a new chat may work. */
  | { outcome: "gone"; status: 404; reason: string }
  /** 400, 413 and the like: the same request will never work. */
  | { outcome: "failed"; status: number; reason: string };

export interface SendOptions {
  /**
   * Awaited before every HTTP request to the service with the tenant it goes to, so a send that
   * first opens a chat counts twice against the tenant's rate. The dispatcher's rate gate; it may
   * throw SendPostponed, which the transport must let through.
   */
  beforeRequest?: (tenantId: string) => Promise<void>;
}

/**
 * Thrown by a `beforeRequest` gate when the tenant is throttled: the transport lets it through
 * untouched (it is not a network error) and the dispatcher puts the row back for later.
 */
export class SendPostponed extends Error {
  override readonly name = "SendPostponed";
  constructor(readonly until: Date) {
    super("postponed: tenant throttled");
  }
}

/** What is needed to change a sent message: the row's conversationId plus where and whose it is. */
export interface ConversationAddress {
  serviceUrl: string;
  conversationId: string;
  tenantId: string;
}

export interface TeamsTransport {
  sendToPerson(to: Principal, content: MessageContent, options?: SendOptions): Promise<SendResult>;
  sendToChannel(key: ChannelKey, content: MessageContent, options?: SendOptions): Promise<SendResult>;
  /** Replaces a sent message (e.g. "this request was withdrawn"). */
  updateActivity(conversation: ConversationAddress, activityId: string, content: MessageContent, options?: SendOptions): Promise<SendResult>;
}

export interface EmailMessage {
  to: { email: string; name?: string };
  subject: string;
  text: string;
  html: string;
}

export interface EmailTransport {
  send(message: EmailMessage, options?: SendOptions): Promise<Extract<SendResult, { outcome: "sent" | "retry" | "failed" }>>;
}
