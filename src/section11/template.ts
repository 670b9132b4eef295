import { z } from "zod/v4";

/**
 * A Section 11 template is data: standards, each with indicators. A cycle pins the template id
 * and version it started with, so editing a template never changes a cycle in progress.
 */

/** Azure Tables allows at most 100 operations per transaction; a sign-off touches every answer and writes the snapshot (one row per ten answers) plus three rows. */
export const MAX_INDICATORS = 85;

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, "ids are 1-32 letters, digits, dots, dashes or underscores");
const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

export const indicatorSchema = z.object({
  id,
  text: text(600),
  /** What good evidence looks like: shown under the question to help the lead answer "how do you know?". */
  guidance: text(600).optional(),
});

export const standardSchema = z.object({
  id,
  title: text(120),
  summary: text(400).optional(),
  indicators: z.array(indicatorSchema).min(1, "a standard needs at least one indicator"),
});

export const templateSchema = z
  .object({
    id,
    version: z.number().int().min(1),
    name: text(120),
    standards: z.array(standardSchema).min(1).max(20),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    let count = 0;
    for (const s of t.standards) {
      if (seen.has(`s:${s.id}`)) ctx.addIssue({ code: "custom", message: `standard id "${s.id}" is used twice` });
      seen.add(`s:${s.id}`);
      for (const i of s.indicators) {
        count++;
        if (seen.has(`i:${i.id}`)) ctx.addIssue({ code: "custom", message: `indicator id "${i.id}" is used twice` });
        seen.add(`i:${i.id}`);
      }
    }
    if (count > MAX_INDICATORS) ctx.addIssue({ code: "custom", message: `a template may have at most ${MAX_INDICATORS} indicators (it has ${count})` });
  });

export type Template = z.infer<typeof templateSchema>;
export type Standard = z.infer<typeof standardSchema>;
export type Indicator = z.infer<typeof indicatorSchema>;

export interface IndicatorRef {
  standard: Standard;
  standardIndex: number;
  indicator: Indicator;
  /** Position in the whole template, 0-based. */
  position: number;
}

/** Precomputed lookups over a template; templates are immutable per version so this is built once. */
export class TemplateIndex {
  readonly ordered: IndicatorRef[] = [];
  private readonly byId = new Map<string, IndicatorRef>();

  constructor(readonly template: Template) {
    template.standards.forEach((standard, standardIndex) =>
      standard.indicators.forEach((indicator) => {
        const ref = { standard, standardIndex, indicator, position: this.ordered.length };
        this.ordered.push(ref);
        this.byId.set(indicator.id, ref);
      }),
    );
  }

  get(indicatorId: string): IndicatorRef | undefined {
    return this.byId.get(indicatorId);
  }

  next(indicatorId: string): IndicatorRef | undefined {
    const ref = this.byId.get(indicatorId);
    return ref ? this.ordered[ref.position + 1] : undefined;
  }

  previous(indicatorId: string): IndicatorRef | undefined {
    const ref = this.byId.get(indicatorId);
    return ref && ref.position > 0 ? this.ordered[ref.position - 1] : undefined;
  }

  get size(): number {
    return this.ordered.length;
  }
}

const FIELD_NAMES: Record<string, string> = { id: "the id", text: "the question text", guidance: "the guidance", title: "the title", summary: "the summary", name: "the template name", version: "the version", standards: "the list of standards", indicators: "the list of indicators" };

/**
 * A problem as the person who wrote the template reads it: which standard and indicator (counted
 * from 1, as people count), which field, and what to do.
 */
export function describeTemplateIssue(path: readonly PropertyKey[], message: string, json: unknown): string {
  const parts: string[] = [];
  let node: unknown = json;
  let fieldName = "";
  for (let i = 0; i < path.length; i++) {
    const p = path[i];
    const next = path[i + 1];
    if ((p === "standards" || p === "indicators") && typeof next === "number") {
      const item = (node as Record<string, unknown[]> | undefined)?.[p]?.[next] as { id?: unknown } | undefined;
      const id = typeof item?.id === "string" && item.id ? ` ("${item.id.slice(0, 20)}")` : "";
      parts.push(`${p === "standards" ? "Standard" : "indicator"} ${next + 1}${id}`);
      node = item;
      i++;
      continue;
    }
    fieldName = FIELD_NAMES[String(p)] ?? String(p);
    node = (node as Record<string, unknown> | undefined)?.[String(p)];
  }
  const what = /expected string, received undefined|Invalid input: expected string/i.test(message)
    ? `${fieldName || "a value"} is missing`
    : /expected number/i.test(message)
      ? `${fieldName || "a value"} must be a number`
      : /expected array/i.test(message)
        ? `${fieldName || "a value"} must be a list`
        : `${fieldName ? `${fieldName}: ` : ""}${message}`;
  return `${parts.length ? `${parts.join(", ")}: ` : ""}${what}.`.replace(/^./, (c) => c.toUpperCase());
}

export function parseTemplate(json: unknown): { ok: true; template: Template } | { ok: false; problems: string[] } {
  const r = templateSchema.safeParse(json);
  return r.success ? { ok: true, template: r.data } : { ok: false, problems: r.error.issues.map((i) => describeTemplateIssue(i.path, i.message, json)) };
}
