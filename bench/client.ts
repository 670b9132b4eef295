import { invokeAction, type TeamsUser } from "../test/support/teamsActivity";
import { actionOf, plain, textOf } from "../test/support/cardTools";

/**
 * Sends Teams-shaped Action.Execute invokes to the bot's /api/messages, as the Bot Connector
 * would, and times each round trip (request sent to response body parsed).
 */
export interface InvokeResult {
  ms: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  card: any;
  text: string;
}

export class BotClient {
  constructor(
    private readonly botUrl: string,
    private readonly serviceUrl: string,
  ) {}

  async invoke(user: TeamsUser, verb: string, data: Record<string, unknown> = {}): Promise<InvokeResult> {
    const activity = invokeAction(user, verb, data, { serviceUrl: this.serviceUrl });
    const body = JSON.stringify(activity);
    const started = performance.now();
    const res = await fetch(`${this.botUrl}/api/messages`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
    const text = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 200) throw new Error(`${verb}: HTTP ${res.status} ${text.slice(0, 300)}`);
    const parsed = JSON.parse(text) as { type?: string; value?: unknown };
    if (parsed.type !== "application/vnd.microsoft.card.adaptive") throw new Error(`${verb}: not a card: ${text.slice(0, 300)}`);
    return { ms, card: parsed.value, text: plain(textOf(parsed.value)) };
  }
}

/**
 * Where one lead is in their return: the etag of each indicator they save, in turn. Saves move
 * round the indicators as a lead does, so no single answer row collects hundreds of changes.
 */
export interface SaveCursor {
  user: TeamsUser;
  returnId: string;
  indicatorIds: string[];
  /** The data of each indicator's save action, as the last card drew it (etag, digest...). */
  drawn: Map<string, Record<string, string>>;
  saves: number;
  /** The two evidence texts saves alternate between. */
  evidence: [string, string];
}

export const SHORT_EVIDENCE: [string, string] = ["Board minutes 12 Sep 2026; audit of 40 staff files.", "Staff survey: 92% named the safeguarding lead; training log 2026."];

/**
 * Opens each indicator's step with "Fully met" chosen, as a lead does on the rating-first card
 * (not measured), and keeps the data its save action carries.
 */
export async function openCursor(client: BotClient, user: TeamsUser, returnId: string, indicatorIds: string[], evidence = SHORT_EVIDENCE): Promise<SaveCursor> {
  const drawn = new Map<string, Record<string, string>>();
  for (const indicatorId of indicatorIds) {
    const r = await client.invoke(user, "s11.step", { returnId, indicatorId, rating: "fully" });
    drawn.set(indicatorId, actionOf(r.card, "s11.save").data);
  }
  return { user, returnId, indicatorIds, drawn, saves: 0, evidence };
}

/**
 * One indicator save with go "stay", alternating the evidence so every save changes the answer
 * (and so writes). The next etag comes from the save action of the card that comes back.
 */
export async function saveOnce(client: BotClient, c: SaveCursor): Promise<number> {
  const n = c.saves++;
  const indicatorId = c.indicatorIds[n % c.indicatorIds.length];
  const data = c.drawn.get(indicatorId)!;
  const evidence = c.evidence[Math.floor(n / c.indicatorIds.length) % 2];
  const r = await client.invoke(c.user, "s11.save", { ...data, then: "stay", rating: "fully", evidence, naReason: "", actionText: "", actionOwner: "", actionDue: "" });
  if (!/Saved /.test(r.text) || /changed this answer while you were editing/.test(r.text)) {
    throw new Error(`save ${n} of ${c.user.name} did not save: ${r.text.slice(0, 300)}`);
  }
  const next = actionOf(r.card, "s11.save");
  if (next.data.etag === data.etag) throw new Error(`save ${n} of ${c.user.name}: etag did not move`);
  c.drawn.set(indicatorId, next.data);
  return r.ms;
}
