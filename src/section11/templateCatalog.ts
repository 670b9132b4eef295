import defaultTemplateJson from "./templates/default.json";
import { parseTemplate, TemplateIndex, type Template } from "./template";
import type { TemplatesRepo } from "../storage/templatesRepo";

export const DEFAULT_TEMPLATE: Template = (() => {
  const r = parseTemplate(defaultTemplateJson);
  if (!r.ok) throw new Error(`The built-in Section 11 template is invalid: ${r.problems.join("; ")}`);
  return r.template;
})();

/**
 * Resolves (template id, version) to an indexed template. A version never changes once stored,
 * so caching it in memory is safe across instances.
 */
export class TemplateCatalog {
  private readonly cache = new Map<string, TemplateIndex>();

  constructor(private readonly repo: TemplatesRepo) {
    this.cache.set(`${DEFAULT_TEMPLATE.id}@${DEFAULT_TEMPLATE.version}`, new TemplateIndex(DEFAULT_TEMPLATE));
  }

  async get(templateId: string, version: number): Promise<TemplateIndex | undefined> {
    const k = `${templateId}@${version}`;
    const hit = this.cache.get(k);
    if (hit) return hit;
    const json = await this.repo.getJson(templateId, version);
    if (!json) return undefined;
    const parsed = parseTemplate(JSON.parse(json));
    if (!parsed.ok) throw new Error(`Stored template ${k} is invalid: ${parsed.problems.join("; ")}`);
    const index = new TemplateIndex(parsed.template);
    this.cache.set(k, index);
    return index;
  }

  /** The built-in template and every stored version, newest first per id. */
  async list(): Promise<Array<{ id: string; version: number; name: string; standards: number; indicators: number; builtIn: boolean }>> {
    const builtIn = { id: DEFAULT_TEMPLATE.id, version: DEFAULT_TEMPLATE.version, name: DEFAULT_TEMPLATE.name, standards: DEFAULT_TEMPLATE.standards.length, indicators: DEFAULT_TEMPLATE.standards.reduce((n, st) => n + st.indicators.length, 0), builtIn: true };
    return [builtIn, ...(await this.repo.list()).map((t) => ({ ...t, builtIn: false }))];
  }

  /** Stores a partnership's own template as the next version of its id; returns the version used. */
  async add(template: Template, createdBy: string): Promise<{ id: string; version: number }> {
    if (template.id === DEFAULT_TEMPLATE.id) throw new Error(`"${DEFAULT_TEMPLATE.id}" is the built-in template's id: give your template its own id.`);
    for (let attempt = 0; attempt < 5; attempt++) {
      const version = (await this.repo.latestVersion(template.id)) + 1;
      const summary = { name: template.name, standards: template.standards.length, indicators: template.standards.reduce((n, st) => n + st.indicators.length, 0) };
      if (await this.repo.create(template.id, version, JSON.stringify({ ...template, version }), createdBy, summary)) return { id: template.id, version };
    }
    throw new Error("Another admin is adding the same template right now: try again.");
  }
}
