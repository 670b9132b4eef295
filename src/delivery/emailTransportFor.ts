import { ManagedIdentityCredential } from "@azure/identity";
import type { Config } from "../config";
import { FileEmailTransport } from "./fileEmail";
import { azureIdentityToken, clientCredentialsToken, GraphEmailTransport } from "./graphEmail";
import type { EmailTransport } from "./transports";

/**
 * How e-mail leaves, from the configuration: Graph `sendMail` from the partnership's shared
 * mailbox when MAIL_SENDER is set (with the app's secret, or its managed identity); otherwise, in
 * local mode, files under DATA_DIR/outbox/ a person can open; otherwise none (people Teams cannot
 * reach are then listed with their personal link for the officer to hand out).
 */
export function emailTransportFor(config: Config): EmailTransport | undefined {
  if (config.MAIL_SENDER && config.MAIL_TENANT_ID && config.MAIL_CLIENT_ID) {
    const token = config.MAIL_CLIENT_SECRET
      ? clientCredentialsToken({ tenantId: config.MAIL_TENANT_ID, clientId: config.MAIL_CLIENT_ID, clientSecret: config.MAIL_CLIENT_SECRET, authorityHost: config.GRAPH_AUTHORITY_HOST })
      : azureIdentityToken(new ManagedIdentityCredential({ clientId: config.MAIL_CLIENT_ID }));
    return new GraphEmailTransport({ mailbox: config.MAIL_SENDER, token, graphBaseUrl: config.GRAPH_BASE_URL });
  }
  if (config.localMode) return new FileEmailTransport({ dataDir: config.DATA_DIR });
  return undefined;
}
