/** Reading bound Adaptive Cards in tests: the actions a user could press, the text they would read. */

type Json = Record<string, unknown>;

function walk(node: unknown, visit: (n: Json) => void) {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === "object") {
    visit(node as Json);
    Object.values(node as Json).forEach((v) => walk(v, visit));
  }
}

export interface FoundAction {
  type: string;
  title: string;
  verb: string;
  data: Record<string, string>;
}

export function actionsOf(card: unknown): FoundAction[] {
  const out: FoundAction[] = [];
  walk(card, (n) => {
    if (n.type === "Action.Execute") out.push({ type: "Action.Execute", title: String(n.title ?? ""), verb: String(n.verb ?? ""), data: (n.data ?? {}) as Record<string, string> });
    if (n.type === "Action.Submit") {
      const data = (n.data ?? {}) as Record<string, string>;
      out.push({ type: "Action.Submit", title: String(n.title ?? ""), verb: String(data.verb ?? ""), data });
    }
  });
  return out;
}

export function actionOf(card: unknown, verb: string, where: (a: FoundAction) => boolean = () => true): FoundAction {
  const found = actionsOf(card).find((a) => a.verb === verb && where(a));
  if (!found) throw new Error(`No action ${verb} on card. Actions: ${actionsOf(card).map((a) => `${a.verb}(${a.title})`).join(", ")}\nText: ${textOf(card).slice(0, 500)}`);
  return found;
}

export function textOf(card: unknown): string {
  const parts: string[] = [];
  walk(card, (n) => {
    if (n.type === "TextBlock" && typeof n.text === "string") parts.push(n.text);
    if (n.type === "TextRun" && typeof n.text === "string") parts.push(n.text);
    if (n.type === "FactSet" && Array.isArray(n.facts)) for (const f of n.facts as Json[]) parts.push(`${f.title}: ${f.value}`);
  });
  return parts.join("\n");
}

export function inputsOf(card: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  walk(card, (n) => {
    if (typeof n.type === "string" && n.type.startsWith("Input.") && typeof n.id === "string") out[n.id] = n.value;
  });
  return out;
}

/** Removes markdown escaping so assertions can compare with what a person reads. */
export const plain = (s: string) => s.replace(/\\([\\`*_{}\[\]()#+\-.!~>|])/g, "$1");
