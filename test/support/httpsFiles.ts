import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

/**
 * Stands in for the SharePoint download URL Teams puts on a file sent in chat: an https server on
 * 127.0.0.1 with a certificate made for the test run. The bot trusts it through
 * FILE_DOWNLOAD_CA_FILE and allows its host through FILE_DOWNLOAD_HOSTS (see `botSettings`).
 */
export interface HttpsFiles {
  url: string;
  served: Record<string, string | Buffer>;
  /** Paths whose response claims this Content-Length (to test refusal before reading). */
  declaredLength: Record<string, number>;
  requests: IncomingMessage[];
  botSettings(): Record<string, string>;
  close(): Promise<void>;
}

export async function startHttpsFiles(): Promise<HttpsFiles> {
  const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], { keySize: 2048, days: 2, extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }] } as never);
  const dir = mkdtempSync(join(tmpdir(), "https-files-"));
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, pems.cert);
  const served: Record<string, string | Buffer> = {};
  const declaredLength: Record<string, number> = {};
  const requests: IncomingMessage[] = [];
  const server: Server = createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    requests.push(req);
    const path = req.url ?? "";
    const body = served[path];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const bytes = typeof body === "string" ? Buffer.from(body) : body;
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": String(declaredLength[path] ?? bytes.byteLength) });
    if (declaredLength[path] !== undefined) {
      // Headers and a first chunk only: a client that reads on past its limit would hang here.
      res.write(bytes.subarray(0, 16));
      setTimeout(() => res.destroy(), 5_000).unref();
    } else res.end(bytes);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    served,
    declaredLength,
    requests,
    botSettings: () => ({ FILE_DOWNLOAD_HOSTS: "127.0.0.1", FILE_DOWNLOAD_CA_FILE: caFile }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
