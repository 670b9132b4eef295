import Bottleneck from "bottleneck";

export interface RateLimitOptions {
  /** Requests per second to the Bot Connector for one tenant (Teams: about 50 per app per tenant). Default 50. */
  perTenantPerSecond?: number;
  /** Sustained messages per second into one conversation. Default 1. */
  perConversationPerSecond?: number;
  /** Messages one conversation may take at once before the sustained rate applies (Teams: 7/s). Default 7. */
  perConversationBurst?: number;
  /** Sends in flight at once in this process. Default 16. */
  maxInFlight?: number;
  /** E-mails per minute (Exchange Online lets a mailbox send 30 a minute). Default 30. */
  emailPerMinute?: number;
  /**
   * Share of the tenant limit to pace at. Requests leave a little after their turn (the event
   * loop is busy with storage calls), so pacing at exactly the limit lets a few one-second
   * windows see one request too many; each 429 then stops the whole tenant for its Retry-After.
   * Default 0.95.
   */
  tenantPacing?: number;
}

const noop = () => Promise.resolve();

/**
 * The limits every send passes, per process, built on bottleneck (no token bucket of our own).
 * A tenant is paced by spacing request starts 1/rate apart (at `tenantPacing` of the limit), so
 * no sliding one-second window sees more than the limit; a conversation is a bucket of `burst` refilled at the sustained rate.
 * These are per process: with N instances sending to one tenant at once, either give each
 * 1/N of the rate or let the shared "throttled until" row (after a 429) hold everyone back.
 * Share one instance between the dispatchers of a process.
 */
export class RateLimits {
  private readonly tenants: Bottleneck.Group;
  private readonly conversations: Bottleneck.Group;
  private readonly emails: Bottleneck;
  private readonly flight: Bottleneck;

  constructor(options: RateLimitOptions = {}) {
    const perTenant = options.perTenantPerSecond ?? 50;
    const sustained = options.perConversationPerSecond ?? 1;
    const burst = options.perConversationBurst ?? 7;
    // maxConcurrent 1: bottleneck then plans one start at a time. With a deep queue it plans every
    // start ahead, and after an event-loop stall all the overdue ones fire at once: a burst.
    this.tenants = new Bottleneck.Group({ minTime: 1000 / (perTenant * (options.tenantPacing ?? 0.95)), maxConcurrent: 1 });
    this.conversations = new Bottleneck.Group({
      reservoir: burst,
      reservoirIncreaseAmount: 1,
      reservoirIncreaseInterval: 1000 / sustained,
      reservoirIncreaseMaximum: burst,
    });
    this.emails = new Bottleneck({ minTime: 60_000 / (options.emailPerMinute ?? 30) });
    this.flight = new Bottleneck({ maxConcurrent: options.maxInFlight ?? 16 });
  }

  /** Resolves when the tenant may take one more request. */
  tenantGate(tenantId: string): Promise<void> {
    return this.tenants.key(tenantId.toLowerCase()).schedule(noop);
  }

  /** Resolves when the conversation (a person's chat, a channel) may take one more message. */
  conversationGate(conversationKey: string): Promise<void> {
    return this.conversations.key(conversationKey).schedule(noop);
  }

  emailGate(): Promise<void> {
    return this.emails.schedule(noop);
  }

  /** Runs `send` once fewer than `maxInFlight` sends are in flight. */
  inFlight<T>(send: () => Promise<T>): Promise<T> {
    return this.flight.schedule(send);
  }

  async stop(): Promise<void> {
    await Promise.all([this.tenants.disconnect(false), this.conversations.disconnect(false), this.emails.disconnect(false), this.flight.disconnect(false)]);
  }
}
