import { PRIVACY_FIRST_LINE, PRIVACY_NOTE, PRIVACY_PATH } from "./privacy";
import { TEXT_LIMIT, type Question } from "./questions";

/**
 * The evaluation as a web page for people Teams cannot reach: plain HTML forms and inline styles
 * (the server's Content-Security-Policy allows no script), readable at 360 px, every input
 * labelled (radio groups in a fieldset with a legend), each problem next to its field and linked
 * to it, what was typed kept. Pure: strings in, HTML out; every value is escaped here.
 */
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;background:#f4f4f6}
main{max-width:40rem;margin:0 auto;padding:1rem;background:#fff;min-height:100vh}
h1{font-size:1.35rem;line-height:1.3;margin:.25rem 0 .5rem;overflow-wrap:anywhere}
p{margin:.5rem 0;overflow-wrap:anywhere}
.muted{color:#555;font-size:.9rem}
fieldset{border:1px solid #c8c8cc;border-radius:.5rem;margin:1rem 0;padding:.5rem .75rem .75rem;min-width:0}
legend{font-weight:600;padding:0 .25rem;overflow-wrap:anywhere;max-width:100%}
.opt{display:flex;align-items:center;gap:.6rem;padding:.45rem .25rem;min-height:44px}
.opt input{width:1.25rem;height:1.25rem;margin:0;flex:none}
label.block{display:block;font-weight:600;margin:1rem 0 .25rem;overflow-wrap:anywhere}
textarea{width:100%;min-height:6rem;font:inherit;padding:.5rem;border:1px solid #8a8a8e;border-radius:.4rem}
.problem{color:#a4262c;font-weight:600;margin:.25rem 0}
.invalid{border-color:#a4262c}
.box{border-radius:.5rem;padding:.75rem;margin:1rem 0}
.box.bad{background:#fde7e9;color:#8a1c22}
.box.good{background:#dff6dd;color:#0e4e0e}
button{font:inherit;font-weight:600;color:#fff;background:#1f5aa6;border:0;border-radius:.5rem;padding:.8rem 1.2rem;width:100%;min-height:48px;margin:1rem 0}
a{color:#1f5aa6}
`;

function shell(title: string, body: string): string {
  return `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export interface FormPage {
  title: string;
  intro: string;
  questions: Question[];
  values: Record<string, string>;
  problems?: Record<string, string>;
  /** After a save: what happened, in words. */
  saved?: string;
  /** They have answered before: the button changes their answer. */
  answered?: boolean;
  until: string;
}

function field(q: Question, value: string, problem: string | undefined): string {
  const err = problem ? `<p class="problem" id="${q.id}-problem">${esc(problem)}</p>` : "";
  const described = problem ? ` aria-describedby="${q.id}-problem" aria-invalid="true"` : "";
  const req = q.required ? " (required)" : "";
  if (q.type === "text") {
    const hint = q.hint ? `<span class="muted"> ${esc(q.hint)}</span>` : "";
    return `<div id="${q.id}-field"><label class="block" for="${q.id}">${esc(q.label)}${req}${hint}</label>${err}<textarea id="${q.id}" name="${q.id}" maxlength="${TEXT_LIMIT}"${q.required ? " required" : ""}${described}${problem ? ' class="invalid"' : ""}>${esc(value)}</textarea></div>`;
  }
  const options = q.choices
    .map((c, i) => `<label class="opt" for="${q.id}-${i}"><input type="radio" id="${q.id}-${i}" name="${q.id}" value="${esc(c.value)}"${c.value === value ? " checked" : ""}${q.required && i === 0 ? " required" : ""}>${esc(c.label)}</label>`)
    .join("");
  return `<fieldset id="${q.id}-field"${described}><legend>${esc(q.label)}${req}</legend>${err}${options}</fieldset>`;
}

export function formPage(p: FormPage): string {
  const problems = p.problems ?? {};
  const count = Object.keys(problems).length;
  const summary = count
    ? `<div class="box bad" role="alert"><p><strong>Not saved yet: ${count === 1 ? "one answer needs" : `${count} answers need`} attention.</strong></p><ul>${p.questions.filter((q) => problems[q.id]).map((q) => `<li><a href="#${q.id}-field">${esc(q.label)}</a>: ${esc(problems[q.id])}</li>`).join("")}</ul></div>`
    : "";
  const saved = p.saved ? `<div class="box good" role="status"><p><strong>${esc(p.saved)}</strong></p></div>` : "";
  // novalidate: the server checks every answer and says what is wrong beside each field, the same way on every browser.
  return shell(
    p.title,
    `<h1>${esc(p.title)}</h1><p>${esc(p.intro)}</p><p class="muted">${esc(PRIVACY_FIRST_LINE)} <a href="${PRIVACY_PATH}">Privacy note</a></p>${saved}${summary}<form method="post" action="" novalidate>${p.questions.map((q) => field(q, p.values[q.id] ?? "", problems[q.id])).join("")}<button type="submit">${p.answered || p.saved ? "Save my changes" : "Save my answers"}</button></form><p class="muted">You can come back to this page to change your answers until ${esc(p.until)}.</p>`,
  );
}

/** A page that says one thing and shows no data: a bad, expired or withdrawn link, or an error. */
export function messagePage(title: string, lines: string[]): string {
  return shell(title, `<h1>${esc(title)}</h1>${lines.map((l) => `<p>${esc(l)}</p>`).join("")}`);
}

export function privacyPage(): string {
  return shell("Privacy note: training evaluations", `<h1>Privacy note: training evaluations</h1>${PRIVACY_NOTE.map((l) => `<p>${esc(l)}</p>`).join("")}`);
}
