import { createHmac, timingSafeEqual } from "node:crypto";
import { normaliseEmail } from "../storage/peopleRepo";
import { DELEGATE_ID, SESSION_ID, type EvaluationKind } from "./types";

/**
 * The evaluation feature's keyed hashes. Two secrets from configuration, each with one job:
 * - the pseudonym secret makes a delegate's id (the same for one person in every session, so a
 *   second booking is merged, not doubled) and the pseudonym their answers are stored under (one
 *   per person and course, so their end-of-session and follow-up answers can be compared);
 * - the link secret signs the personal links (HMAC-SHA256).
 * Without the pseudonym secret an answer cannot be tied back to a person; anyone holding it and
 * the delegate list could, which is why it is configuration, never stored with the data.
 */
export interface LinkClaims {
  sessionId: string;
  kind: EvaluationKind;
  delegateId: string;
  /** Unix seconds. */
  expires: number;
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; why: "malformed" | "forged" | "expired"; expiredAt?: Date };

const b64url = (b: Buffer) => b.toString("base64url");

export class TrainingKeys {
  constructor(private readonly secrets: { link: string; pseudonym: string }) {}

  /** A person's stable id from their e-mail address, or from their Teams identity when there is none. */
  delegateId(who: { email?: string; tenantId?: string; aadObjectId?: string }): string {
    const identity = who.email ? `e:${normaliseEmail(who.email)}` : `p:${(who.tenantId ?? "").toLowerCase()}:${(who.aadObjectId ?? "").toLowerCase()}`;
    return createHmac("sha256", this.secrets.pseudonym).update(`delegate\u0000${identity}`).digest("hex").slice(0, 24);
  }

  /** What an answer is stored under: one person and one course, never their name or id. */
  pseudonym(delegateId: string, courseId: string): string {
    return createHmac("sha256", this.secrets.pseudonym).update(`answer\u0000${courseId}\u0000${delegateId}`).digest("hex").slice(0, 32);
  }

  /** `<session>.<kind>.<delegate>.<expiry>.<signature>`: URL-safe, names one delegate and one evaluation. */
  sign(c: LinkClaims): string {
    const body = `${c.sessionId}.${c.kind}.${c.delegateId}.${c.expires.toString(36)}`;
    return `${body}.${b64url(this.mac(body))}`;
  }

  verify(token: string, now: Date): LinkCheck {
    const m = /^(s-[a-z0-9]{10})\.(end|follow)\.([0-9a-f]{24})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m || !SESSION_ID.test(m[1]) || !DELEGATE_ID.test(m[3])) return { ok: false, why: "malformed" };
    const body = `${m[1]}.${m[2]}.${m[3]}.${m[4]}`;
    const given = Buffer.from(m[5], "base64url");
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, why: "forged" };
    const expires = parseInt(m[4], 36);
    // Checked only once the signature holds, so a forged link learns nothing about expiry.
    if (expires * 1000 <= now.getTime()) return { ok: false, why: "expired", expiredAt: new Date(expires * 1000) };
    return { ok: true, claims: { sessionId: m[1], kind: m[2] as EvaluationKind, delegateId: m[3], expires } };
  }

  private mac(body: string): Buffer {
    return createHmac("sha256", this.secrets.link).update(`evaluate\u0000${body}`).digest();
  }
}
