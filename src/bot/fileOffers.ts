import type { FileConsentCardResponse, TurnContext } from "botbuilder";
import { errorFields, type Logger } from "../log";
import type { FilesRepo } from "../storage/filesRepo";
import type { Principal } from "../storage/principal";
import { samePrincipal } from "../storage/principal";
import type { OutgoingFile } from "../routes";
import { uploadToSession } from "./fileUpload";

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
      await uploadToSession(upload.uploadUrl, file.bytes);
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

  async declined(turn: TurnContext, response: FileConsentCardResponse, who: Principal): Promise<void> {
    const file = await this.owned(response, who);
    if (file) await this.deps.files.remove(file.id);
    await turn.sendActivity("OK: the file was not saved.");
  }
}
