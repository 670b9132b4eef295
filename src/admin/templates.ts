import type { MessageView } from "../cards/views";
import { md, text } from "../cards/text";
import type { Actor } from "../people/actor";
import { parseTemplate } from "../section11/template";
import { requireAdmin, type AdminDeps } from "./common";
import { ADMIN_VERBS } from "./verbs";

/** A partnership's own Section 11 template (or the education audit), sent as a .json file or loaded with `npm run load-template`. */
export class TemplateAdmin {
  constructor(private readonly deps: AdminDeps) {}

  /**
   * Stored as the next version of its id; cycles already running keep the version they started
   * with. Mistakes are reported per standard and indicator, counted from 1, in plain words.
   */
  async load(actor: Actor, jsonText: string): Promise<MessageView> {
    await requireAdmin(this.deps, actor);
    let json: unknown;
    try {
      json = JSON.parse(jsonText);
    } catch (e) {
      const where = /position (\d+)/.exec((e as Error).message)?.[1];
      const line = where ? jsonText.slice(0, Number(where)).split("\n").length : undefined;
      return failed(`The file is not valid JSON${line ? ` (the problem is on line ${line})` : ""}. Check the commas and quotes around that place against docs/templates.md, then send it again.`);
    }
    const parsed = parseTemplate(json);
    if (!parsed.ok) {
      const shown = parsed.problems.slice(0, 10);
      return failed(`Fix these and send it again:\n${shown.join("\n")}${parsed.problems.length > shown.length ? `\nand ${parsed.problems.length - shown.length} more` : ""}`);
    }
    try {
      const { id, version } = await this.deps.catalog.add(parsed.template, actor.name);
      const indicators = parsed.template.standards.reduce((n, st) => n + st.indicators.length, 0);
      return {
        title: text("Template loaded"),
        text: md`"${parsed.template.name}" is stored as ${id} version ${version}. Choose it when you open a cycle; cycles already running keep their template.`,
        color: "good",
        facts: [
          { title: text("Standards"), value: text(String(parsed.template.standards.length)) },
          { title: text("Indicators"), value: text(String(indicators)) },
        ],
        actions: [{ title: "Open a cycle with it", verb: ADMIN_VERBS.cycleForm, data: {} }],
      };
    } catch (e) {
      return failed((e as Error).message);
    }
  }
}

function failed(why: string): MessageView {
  return { title: text("The template was not loaded"), text: text(why), color: "attention", facts: [], actions: [] };
}
