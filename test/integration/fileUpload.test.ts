import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { uploadToSession } from "../../src/bot/fileUpload";

/**
 * An upload session host whose kept-alive connections go stale: the first request on a connection is
 * answered (and the connection kept), any later one on it is cut without an answer, as a server that
 * timed out an idle connection does while the client is reusing it. Under load, this is how uploads
 * failed three times in a row: every retry took another stale connection from the pool.
 */
async function staleConnectionHost() {
  const served = new WeakSet<Socket>();
  const received: Buffer[] = [];
  let reused = 0;
  const server = http.createServer(async (req, res) => {
    if (served.has(req.socket)) {
      reused++;
      req.socket.destroy();
      return;
    }
    served.add(req.socket);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push(Buffer.concat(chunks));
    res.writeHead(201, { "Content-Type": "application/json", "Keep-Alive": "timeout=60" });
    res.end("{}");
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload/`;
  return { url, received, reused: () => reused, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

test("an upload never reuses a connection that may have gone stale: it arrives although the host cut every reused one", async () => {
  const host = await staleConnectionHost();
  try {
    // Earlier uploads (here ten at once) would leave connections to the host behind.
    await Promise.all(Array.from({ length: 10 }, (_, n) => uploadToSession(`${host.url}warm-${n}.csv`, Buffer.from(`warm ${n}`), [10, 10])));
    for (let n = 0; n < 6; n++) await uploadToSession(`${host.url}export-${n}.csv`, Buffer.from(`figure,value\nreturns_submitted,${n}\n`), [10, 10]);
    expect(host.received.map((b) => b.toString("utf8"))).toEqual(expect.arrayContaining(Array.from({ length: 6 }, (_, n) => `figure,value\nreturns_submitted,${n}\n`)));
    // Not one request went over a kept connection, so none could meet a stale one.
    expect(host.reused()).toBe(0);
  } finally {
    await host.close();
  }
});
