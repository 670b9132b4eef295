/**
 * What the edge learns from Teams' traffic that sending later needs: the bot's own id as Teams
 * addresses it, and the Bot Connector URL each tenant's activities come from (used to open a 1:1
 * chat with someone the bot has never talked to). Only hints: a fresh instance falls back to the
 * configured BOT_SERVICE_URL and "28:<app id>".
 */
export class EdgeState {
  private readonly serviceUrls = new Map<string, string>();
  private seenBotId = "";

  constructor(private readonly appId: string | undefined, private readonly defaultServiceUrl: string) {}

  observe(activity: { serviceUrl?: string; recipient?: { id?: string }; channelData?: unknown; conversation?: { tenantId?: string } }): void {
    const tenant = ((activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id ?? activity.conversation?.tenantId) as string | undefined;
    if (tenant && activity.serviceUrl) this.serviceUrls.set(tenant.toLowerCase(), activity.serviceUrl);
    if (activity.recipient?.id) this.seenBotId = activity.recipient.id;
  }

  serviceUrlFor(tenantId: string): string {
    return this.serviceUrls.get(tenantId.toLowerCase()) ?? this.defaultServiceUrl;
  }

  botId(): string {
    return this.seenBotId || (this.appId ? `28:${this.appId}` : "28:local-bot");
  }
}
