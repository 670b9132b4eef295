import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EmailMessage, EmailTransport } from "./transports";

/**
 * Local mode's e-mail: each message becomes a `.eml` file under `<dataDir>/outbox/` that any
 * mail program (or a text editor) opens, so the whole fallback path can be tried without a mailbox.
 */
export class FileEmailTransport implements EmailTransport {
  readonly dir: string;

  constructor(private readonly o: { dataDir: string; from?: string; now?: () => Date }) {
    this.dir = join(o.dataDir, "outbox");
  }

  async send(m: EmailMessage): Promise<{ outcome: "sent" }> {
    await mkdir(this.dir, { recursive: true });
    const now = (this.o.now ?? (() => new Date()))();
    const id = `${now.toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}`;
    await writeFile(join(this.dir, `${id}.eml`), toEml(m, this.o.from ?? "Safeguarding Assurance <bot@localhost>", now, id), "utf8");
    return { outcome: "sent" };
  }
}

/** Header values cannot carry line breaks (header injection); non-ASCII goes as an RFC 2047 encoded word. */
function headerText(s: string): string {
  const flat = s.replace(/[\r\n]+/g, " ");
  return /^[\x20-\x7e]*$/.test(flat) ? flat : `=?UTF-8?B?${Buffer.from(flat, "utf8").toString("base64")}?=`;
}

function address(email: string, name?: string): string {
  const addr = email.replace(/[\r\n<>]/g, "");
  return name ? `${headerText(name.replace(/"/g, "'"))} <${addr}>` : `<${addr}>`;
}

const base64Lines = (s: string) => Buffer.from(s, "utf8").toString("base64").replace(/.{76}/g, "$&\r\n");

export function toEml(m: EmailMessage, from: string, date: Date, id: string): string {
  const boundary = `=_alt_${id}`;
  return [
    `From: ${from}`,
    `To: ${address(m.to.email, m.to.name)}`,
    `Subject: ${headerText(m.subject)}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${id}@localhost>`,
    "MIME-Version: 1.0",
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(m.text),
    `--${boundary}`,
    "Content-Type: text/html; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    base64Lines(m.html),
    `--${boundary}--`,
    "",
  ].join("\r\n");
}
