import { Agent, fetch as undiciFetch } from "undici";

/**
 * Each upload on a connection of its own, closed after it: a kept-alive connection the host has
 * meanwhile timed out fails the request ("fetch failed"), and after a burst of requests the pool
 * holds many such connections, so even the retries below could each take a stale one. Uploads are
 * rare; a fresh connection costs nothing that matters.
 */
const freshConnections = new Agent({ pipelining: 0 });

/**
 * PUTs a whole file to the upload session Teams gave on "Allow" (a OneDrive URL). A network error,
 * a 5xx or a 429 is tried again twice after a short pause (OneDrive's sessions do stumble); a 4xx
 * is final.
 */
export async function uploadToSession(url: string, bytes: Uint8Array, pauses: readonly number[] = [400, 1200]): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let retryable: boolean;
    let failure: unknown;
    try {
      const res = await undiciFetch(url, {
        dispatcher: freshConnections,
        method: "PUT",
        headers: { "Content-Length": String(bytes.byteLength), "Content-Range": `bytes 0-${Math.max(0, bytes.byteLength - 1)}/${bytes.byteLength}` },
        body: new Uint8Array(bytes),
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer().catch(() => undefined); // read to the end so the connection is released
      if (res.ok) return;
      retryable = res.status >= 500 || res.status === 429;
      failure = Object.assign(new Error("upload refused"), { statusCode: res.status });
    } catch (e) {
      retryable = !(e instanceof Error && e.name === "TimeoutError");
      failure = e;
    }
    if (!retryable || attempt >= pauses.length) throw failure;
    await new Promise((r) => setTimeout(r, pauses[attempt]));
  }
}
