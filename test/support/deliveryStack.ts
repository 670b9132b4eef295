import { BotConnectorTransport } from "../../src/bot/teamsTransport";
import { createDelivery, type Delivery, type DeliveryWiring } from "../../src/delivery/createDelivery";
import type { EmailTransport } from "../../src/delivery/transports";
import type { MessageBuilder } from "../../src/delivery/types";
import type { TableStore } from "../../src/storage/tableStore";
import type { Connector } from "./connector";

/** Builders as a feature would supply them: a card, its e-mail form, and the failure notice. */
export function testBuilders(extra: Record<string, MessageBuilder> = {}): Map<string, MessageBuilder> {
  const builders: Record<string, MessageBuilder> = {
      "test.card": async (row) => ({
        card: { type: "AdaptiveCard", version: "1.5", body: [{ type: "TextBlock", text: `Message ${String(row.params.n ?? "")}` }] },
        email: { subject: `Message ${String(row.params.n ?? "")}`, text: "Open the link", html: "<p>Open the link</p>" },
      }),
      "test.teamsOnly": async () => ({ text: "Teams only" }),
      "delivery.failed": async (row) => ({ text: `Could not deliver ${String(row.params.recipientKey)} of ${String(row.params.batchId)}: ${String(row.params.reason)}` }),
      ...extra,
  };
  return new Map(Object.entries(builders));
}

/** One "instance" of the pipeline on shared tables, sending to the connector stand-in. */
export function deliveryStack(o: { store: TableStore; connector: Connector; email?: EmailTransport; builders?: Map<string, MessageBuilder> } & Partial<Omit<DeliveryWiring, "store" | "teams" | "email" | "builders">>): Delivery {
  return createDelivery({
    ...o,
    builders: o.builders ?? testBuilders(),
    teams: (conversations) => new BotConnectorTransport({ conversations, botId: "28:bot", defaultServiceUrl: o.connector.serviceUrl }),
    email: o.email,
  });
}

/** Polls until `check` holds. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 15_000, what = "condition"): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
