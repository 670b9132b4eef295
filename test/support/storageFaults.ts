import { createHttpHeaders, createPipelineRequest, RestError, type PipelinePolicy, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";

/**
 * Fails chosen Table storage requests on purpose, as the far side would: a pipeline policy (the
 * same hook the benchmark's counter uses) that answers matching requests with an error status
 * instead of sending them, so nothing is written. Storage itself is the real Azurite.
 */
export interface StorageFaults {
  policy: PipelinePolicy;
  /** The next `times` requests for which `match` is true get `status`. */
  failNext(match: (r: { method: string; url: string; body: string }) => boolean, times?: number, status?: number): void;
  /** Every request fails until `restore()`. */
  failAll(status?: number): void;
  restore(): void;
  /** Requests failed so far. */
  readonly failed: Array<{ method: string; url: string }>;
}

export function storageFaults(): StorageFaults {
  let rules: Array<{ match: (r: { method: string; url: string; body: string }) => boolean; times: number; status: number }> = [];
  let all: number | undefined;
  const failed: Array<{ method: string; url: string }> = [];
  const policy: PipelinePolicy = {
    name: "testStorageFaults",
    async sendRequest(request: PipelineRequest, next) {
      const view = { method: request.method, url: decodeURIComponent(request.url), body: typeof request.body === "string" ? request.body : "" };
      const rule = rules.find((r) => r.times > 0 && r.match(view));
      const status = all ?? (rule ? rule.status : undefined);
      if (status === undefined) return next(request);
      if (rule && all === undefined) rule.times--;
      failed.push({ method: view.method, url: view.url });
      const response: PipelineResponse = {
        request,
        status,
        headers: createHttpHeaders({ "content-type": "application/json" }),
        bodyAsText: JSON.stringify({ "odata.error": { code: "ServerBusy", message: { lang: "en-US", value: "Injected by the test" } } }),
      };
      // Thrown as the SDK throws a service error, so the call fails once (no retry, no parsing).
      throw new RestError(`Injected ${status} by the test`, { statusCode: status, request, response });
    },
  };
  return {
    policy,
    failNext(match, times = 1, status = 503) {
      rules.push({ match, times, status });
    },
    failAll(status = 503) {
      all = status;
    },
    restore() {
      rules = [];
      all = undefined;
    },
    failed,
  };
}

export { createPipelineRequest };
