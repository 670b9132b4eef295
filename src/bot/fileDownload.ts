import { readFileSync } from "node:fs";
import { Agent, fetch as undiciFetch } from "undici";
import type { Config } from "../config";

/**
 * Downloads a file a person sent in chat, defensively: only over https, only from the hosts Teams
 * serves attachments from (FILE_DOWNLOAD_HOSTS), and refused before reading when it is larger than
 * the limit (by its Content-Length, and again while reading in case that header lies).
 */
export type Download = { ok: true; bytes: Buffer } | { ok: false; title: string; why: string };

export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const h = host.toLowerCase();
  return patterns.some((p) => {
    const q = p.toLowerCase();
    return q.startsWith("*.") ? h.endsWith(q.slice(1)) && h.length > q.length - 1 : h === q;
  });
}

let dispatcher: Agent | undefined;
function tlsFor(config: Pick<Config, "FILE_DOWNLOAD_CA_FILE">): Agent | undefined {
  if (!config.FILE_DOWNLOAD_CA_FILE) return undefined;
  dispatcher ??= new Agent({ connect: { ca: readFileSync(config.FILE_DOWNLOAD_CA_FILE) } });
  return dispatcher;
}

export async function downloadAttachment(config: Pick<Config, "FILE_DOWNLOAD_HOSTS" | "FILE_DOWNLOAD_CA_FILE">, url: unknown, maxBytes: number): Promise<Download> {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return { ok: false, title: "I couldn't read that file", why: "Teams did not give me a download link. Send the file again." };
  }
  if (u.protocol !== "https:") return { ok: false, title: "I can't download that file", why: "Files are only fetched over a secure (https) link from Teams. Send the file again from Teams." };
  if (!hostAllowed(u.hostname, config.FILE_DOWNLOAD_HOSTS)) return { ok: false, title: "I can't download that file", why: `The link points to ${u.hostname}, which is not where Teams keeps files sent in chat. Send the file again from Teams.` };
  const tooLarge = (bytes: number) => ({ ok: false as const, title: "That file is too large", why: `It is ${(bytes / 1024 / 1024).toFixed(1)} MB; the limit is ${(maxBytes / 1024 / 1024).toFixed(1)} MB. Split it and send the parts.` });
  let res: Response;
  try {
    // Redirects are followed by hand so every hop is held to the same rules (https, allowed host).
    for (let hop = 0; ; hop++) {
      res = (await undiciFetch(u, { signal: AbortSignal.timeout(15_000), redirect: "manual", dispatcher: tlsFor(config) })) as unknown as Response;
      const next = res.status >= 300 && res.status < 400 ? res.headers.get("location") : null;
      if (!next) break;
      await res.body?.cancel();
      u = new URL(next, u);
      if (hop >= 3 || u.protocol !== "https:" || !hostAllowed(u.hostname, config.FILE_DOWNLOAD_HOSTS)) return { ok: false, title: "I can't download that file", why: "The link sent me somewhere Teams does not keep files. Send the file again from Teams." };
    }
  } catch {
    return { ok: false, title: "I couldn't download that file", why: "The download did not complete. Send the file again in a minute." };
  }
  if (!res.ok) return { ok: false, title: "I couldn't download that file", why: `Teams answered ${res.status}. Send the file again in a minute.` };
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    return tooLarge(declared);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        return tooLarge(total);
      }
      chunks.push(Buffer.from(value));
    }
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}
