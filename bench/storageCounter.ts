import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";

/**
 * A pipeline policy that records every Table storage request the app makes: method, what kind
 * of request it is (point read, query, conditional replace, batch...), the table, the status and
 * how long it took. Resettable, so a benchmark can count the requests of one phase or one turn.
 *
 * TableStore adds extra policies at position "perCall": each logical call is recorded once, a
 * retried call is not counted twice (no retries are expected against a local Azurite).
 */
export type RequestKind =
  | "GET query"
  | "GET point"
  | "PUT conditional (If-Match)"
  | "PUT upsert"
  | "PATCH/MERGE conditional (If-Match)"
  | "PATCH/MERGE upsert"
  | "POST $batch"
  | "POST insert"
  | "POST create table"
  | "DELETE"
  | "other";

export interface StorageRequest {
  method: string;
  kind: RequestKind;
  /** The table name (prefix included); for a $batch the table of its operations; "" for service requests. */
  table: string;
  status: number;
  ms: number;
  /** For a $batch: the operations inside the changeset. */
  batchOps?: number;
  batch: boolean;
}

function tableOf(path: string): string {
  const last = decodeURIComponent(path.split("/").filter(Boolean).pop() ?? "");
  return last.replace(/\(.*$/, "");
}

function classify(req: PipelineRequest): { kind: RequestKind; table: string; batch: boolean; batchOps?: number } {
  const url = new URL(req.url);
  const path = url.pathname;
  const method = req.method.toUpperCase();
  const batch = /\/\$batch$/.test(path);
  const conditional = !!req.headers.get("If-Match");
  if (batch) {
    const body = typeof req.body === "string" ? req.body : "";
    // Each operation of a changeset is a line "<METHOD> http(s)://... HTTP/1.1".
    const lines = body.match(/^(POST|PUT|PATCH|MERGE|DELETE|GET) https?:\/\/\S+ HTTP\/1\.1\s*$/gm) ?? [];
    // A transaction is within one partition of one table, so its first operation names the table.
    const first = lines[0]?.split(" ")[1];
    return { kind: "POST $batch", table: first ? tableOf(new URL(first).pathname) : "", batch: true, batchOps: lines.length || undefined };
  }
  const table = tableOf(path);
  const point = /\(PartitionKey=.*RowKey=.*\)$/.test(decodeURIComponent(path));
  switch (method) {
    case "GET":
      return { kind: point ? "GET point" : "GET query", table, batch };
    case "PUT":
      return { kind: conditional ? "PUT conditional (If-Match)" : "PUT upsert", table, batch };
    case "PATCH":
    case "MERGE":
      return { kind: conditional ? "PATCH/MERGE conditional (If-Match)" : "PATCH/MERGE upsert", table, batch };
    case "POST":
      return /\/Tables$/i.test(path) ? { kind: "POST create table", table: "", batch } : { kind: "POST insert", table, batch };
    case "DELETE":
      return { kind: "DELETE", table, batch };
    default:
      return { kind: "other", table, batch };
  }
}

export class StorageCounter {
  private records: StorageRequest[] = [];

  readonly policy: PipelinePolicy = {
    name: "benchStorageCounter",
    sendRequest: async (request, next) => {
      const c = classify(request);
      const started = performance.now();
      let status = 0;
      try {
        const res = await next(request);
        status = res.status;
        return res;
      } catch (e) {
        status = (e as { statusCode?: number }).statusCode ?? -1;
        throw e;
      } finally {
        this.records.push({ method: request.method.toUpperCase(), ...c, status, ms: performance.now() - started });
      }
    },
  };

  /** How many requests have been recorded since the last reset: a mark for `since`. */
  get mark(): number {
    return this.records.length;
  }

  since(mark: number): StorageRequest[] {
    return this.records.slice(mark);
  }

  reset(): void {
    this.records = [];
  }

  static byKind(list: StorageRequest[]): Map<RequestKind, number> {
    const out = new Map<RequestKind, number>();
    for (const r of list) out.set(r.kind, (out.get(r.kind) ?? 0) + 1);
    return out;
  }

  static byMethod(list: StorageRequest[]): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of list) out.set(r.method, (out.get(r.method) ?? 0) + 1);
    return out;
  }
}
