import type { FileConsentCardResponse, TurnContext } from "botbuilder";
import { errorFields, type Logger } from "../log";
import type { FilesRepo } from "../storage/filesRepo";
import type { Principal } from "../storage/principal";
import { samePrincipal } from "../storage/principal";
import type { OutgoingFile } from "../routes";

/**
 * Exports reach the person who asked as a file in their personal chat: Teams shows a consent card,
 * and on "Allow" gives the bot an upload URL in the person's own OneDrive. Nothing is put behind a
 * link anyone holding it could open. The bytes wait in storage between the offer and the answer.
 */
export class FileOffers {
  constructor(private readonly deps: { files: FilesRepo; log: Logger; now: () => Date }) {}

  async offer(turn: TurnContext, owner: Principal, file: OutgoingFile): Promise<void> {
    const bytes = file.bytes ?? Buffer.from(file.content, "utf8");
    const id = await this.deps.files.put({ owner, name: file.name, contentType: file.contentType, bytes, createdAt: this.deps.now().toISOString() });
    await turn.sendActivity({
      type: "message",
      attachments: [{ contentType: "application/vnd.microsoft.teams.card.file.consent", name: file.name, content: { description: file.description, sizeInBytes: bytes.byteLength, acceptContext: { fileId: id }, declineContext: { fileId: id } } }],
    });
  }

  private async owned(response: FileConsentCardResponse, who: Principal) {
    const id = typeof (response.context as { fileId?: unknown } | undefined)?.fileId === "string" ? (response.context as { fileId: string }).fileId : "";
    const file = id && /^[A-Za-z0-9_-]{10,64}$/.test(id) ? await this.deps.files.get(id) : undefined;
    // A file offered to someone else is never uploaded for this person.
    return file && samePrincipal(file.owner, who) ? file : undefined;
  }

  async accepted(turn: TurnContext, response: FileConsentCardResponse, who: Principal): Promise<void> {
    const file = await this.owned(response, who);
    const upload = response.uploadInfo;
    if (!file || !upload?.uploadUrl) {
      await turn.sendActivity("That file is no longer available: ask for the export again.");
      return;
    }
    try {
      await this.upload(upload.uploadUrl, file.bytes);
    } catch (e) {
      this.deps.log.warn(errorFields(e), "file upload failed");
      await turn.sendActivity("The file could not be saved to your OneDrive. Ask for the export again in a minute.");
      return;
    }
    await this.deps.files.remove(file.id);
    await turn.sendActivity({
      type: "message",
      attachments: [{ contentType: "application/vnd.microsoft.teams.card.file.info", contentUrl: upload.contentUrl, name: upload.name ?? file.name, content: { uniqueId: upload.uniqueId, fileType: upload.fileType } }],
    });
  }

  /**
   * One PUT of the whole file to the upload session Teams gave. A network error, a 5xx or a 429 is
   * tried again twice after a short pause (OneDrive's sessions do stumble); a 4xx is final.
   */
  private async upload(url: string, bytes: Uint8Array): Promise<void> {
    const pauses = [400, 1200];
    for (let attempt = 0; ; attempt++) {
      let retryable: boolean;
      let failure: unknown;
      try {
        const res = await fetch(url, {
          method: "PUT",
          headers: { "Content-Length": String(bytes.byteLength), "Content-Range": `bytes 0-${Math.max(0, bytes.byteLength - 1)}/${bytes.byteLength}` },
          body: new Uint8Array(bytes),
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer().catch(() => undefined); // let the connection go back to the pool
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

  async declined(turn: TurnContext, response: FileConsentCardResponse, who: Principal): Promise<void> {
    const file = await this.owned(response, who);
    if (file) await this.deps.files.remove(file.id);
    await turn.sendActivity("OK: the file was not saved.");
  }
}
