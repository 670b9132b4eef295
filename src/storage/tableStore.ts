import { RestError, TableClient, TableServiceClient, type TableServiceClientOptions } from "@azure/data-tables";
import { DefaultAzureCredential } from "@azure/identity";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { isStorableKey } from "./keys";

export const TABLE_NAMES = ["Agencies", "Cycles", "Templates", "People", "Grants", "Returns", "Settings", "Files", "Conversations", "Deliveries", "DeliveryThrottle", "Jobs", "Digests", "Training", "EvaluationAnswers", "Panels"] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export interface TableStoreOptions {
  connectionString?: string;
  endpoint?: string;
  /** Prefix for every table name: lets tests and benchmarks share one Azurite without colliding. */
  prefix?: string;
  /** Extra pipeline policies, e.g. a request counter in benchmarks. */
  policies?: PipelinePolicy[];
}

/**
 * The only place TableClients are created. Tables are created once at start-up
 * (`ensureTables`) so request handlers never pay for a create-if-missing round trip.
 */
export class TableStore {
  private readonly clients = new Map<TableName, TableClient>();
  private readonly service: TableServiceClient;

  constructor(private readonly options: TableStoreOptions) {
    if (!options.connectionString && !options.endpoint) throw new Error("TableStore needs a connection string or an endpoint");
    this.service = this.options.connectionString
      ? TableServiceClient.fromConnectionString(this.options.connectionString, this.clientOptions())
      : new TableServiceClient(this.options.endpoint!, new DefaultAzureCredential(), this.clientOptions());
  }

  private clientOptions(): TableServiceClientOptions {
    const insecure = /^http:|TableEndpoint=http:|UseDevelopmentStorage=true/i.test(this.options.connectionString ?? this.options.endpoint ?? "");
    return {
      allowInsecureConnection: insecure,
      additionalPolicies: (this.options.policies ?? []).map((policy) => ({ policy, position: "perCall" as const })),
      retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 2000 },
    };
  }

  tableName(name: TableName): string {
    return `${this.options.prefix ?? ""}${name}`;
  }

  table(name: TableName): TableClient {
    let client = this.clients.get(name);
    if (!client) {
      const full = this.tableName(name);
      client = this.options.connectionString
        ? TableClient.fromConnectionString(this.options.connectionString, full, this.clientOptions())
        : new TableClient(`${this.options.endpoint!.replace(/\/$/, "")}`, full, new DefaultAzureCredential(), this.clientOptions());
      this.clients.set(name, client);
      notFoundForUnstorableKeys(client);
    }
    return client;
  }

  async ensureTables(): Promise<void> {
    await Promise.all(TABLE_NAMES.map((n) => this.service.createTable(this.tableName(n))));
  }

  /** For /api/health: a cheap request that proves storage answers with our credentials. */
  async ping(): Promise<void> {
    const iter = this.table("Agencies").listEntities({ queryOptions: { select: ["RowKey"] } }).byPage({ maxPageSize: 1 });
    await iter.next();
  }
}

/**
 * Every point read of every repository goes through here. Ids from card data reach point reads (a
 * cycle, an agency, a return), and storage answers a key it cannot hold (keys.ts: / \ # ?, control
 * characters, over 1 KiB) with an error that is not "not found": Azure a 400, Azurite a 500 that reads
 * as an outage, so the person saw "the audit store did not answer" for an id that names nothing. Such
 * a key names no row, so it is answered as storage answers a missing row (404, which each repository
 * already turns into "not found") without a request. Writes are left alone: their keys come from rows
 * already read or from ids the bot made.
 */
function notFoundForUnstorableKeys(client: TableClient): void {
  const getEntity = client.getEntity.bind(client);
  client.getEntity = ((partitionKey: string, rowKey: string, options?: Parameters<TableClient["getEntity"]>[2]) =>
    isStorableKey(String(partitionKey)) && isStorableKey(String(rowKey))
      ? getEntity(partitionKey, rowKey, options)
      : Promise.reject(new RestError("No row can have this key: it holds characters Table Storage does not allow in a key", { statusCode: 404, code: "ResourceNotFound" }))) as TableClient["getEntity"];
}
