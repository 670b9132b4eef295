import { TableClient, TableServiceClient, type TableServiceClientOptions } from "@azure/data-tables";
import { DefaultAzureCredential } from "@azure/identity";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

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
