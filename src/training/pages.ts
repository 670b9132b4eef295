import { UserFacingError } from "../errors";
import type { PageRequest, PageResponse, PageRoute } from "../routes";
import type { EvaluationAnswering, EvaluationContext } from "./answering";
import type { TrainingDeps } from "./deps";
import { evaluationTitle, sessionLine } from "./evaluationView";
import { formPage, messagePage, privacyPage } from "./page";
import { PRIVACY_PATH } from "./privacy";
import { questionsFor } from "./questions";
import { answeredAt } from "./types";
import { formatSessionDay } from "./ukTime";

const html = (status: number, body: string, headers?: Record<string, string>): PageResponse => ({ status, body, headers });

/** The same page for every link that does not lead to an evaluation: it says nothing about whose or which. */
const NOT_VALID = html(404, messagePage("This link does not work", ["It may have been copied only in part, or changed. Open it again from your e-mail or Teams message, copying the whole link.", "If it still does not work, ask the training officer who sent it for your evaluation."]));

/**
 * GET and POST /evaluate/<token>: the evaluation for people Teams cannot reach. The token is the
 * only authority (no sign-in): signed, naming one delegate and one evaluation, with an expiry.
 * Nothing in the form or the query can point it at anyone else.
 */
export function evaluationPages(d: TrainingDeps, answering: EvaluationAnswering): PageRoute[] {
  const open = async (req: PageRequest, opts: { existing?: boolean } = {}): Promise<{ ctx: EvaluationContext } | { response: PageResponse }> => {
    const token = String(req.params.token ?? "").slice(0, 200);
    const found = await answering.forLink(d.keys.verify(token, d.now()), opts);
    if (!found.ok) {
      if (found.why === "expired") return { response: html(410, messagePage("This evaluation has closed", ["The link has expired, so it no longer takes answers. Thank you all the same."])) };
      return { response: NOT_VALID };
    }
    const closed = answering.closedReason(found.ctx);
    if (closed) return { response: html(403, messagePage("This evaluation is not open to you", [closed])) };
    return { ctx: found.ctx };
  };

  const page = (ctx: EvaluationContext, values: Record<string, string>, extra: { problems?: Record<string, string>; saved?: string }) =>
    formPage({
      title: evaluationTitle(ctx),
      intro: ctx.kind === "end" ? `${sessionLine(ctx)}. About two minutes: your answers help the partnership improve its training.` : `A few weeks on from the session of ${formatSessionDay(ctx.session.startsAt)}: has it made a difference to your work? About two minutes.`,
      questions: questionsFor(ctx.kind, ctx.course.outcomes),
      values,
      until: formatSessionDay(ctx.expires.toISOString()),
      answered: !!ctx.existing || !!answeredAt(ctx.delegate, ctx.kind),
      ...extra,
    });

  return [
    {
      method: "GET",
      path: "/evaluate/:token",
      handle: async (req) => {
        const r = await open(req);
        if ("response" in r) return r.response;
        const saved = req.query.saved === "first" ? "Thank you: your answers are saved." : req.query.saved === "changed" ? "Your answers are changed." : undefined;
        return html(200, page(r.ctx, answering.valuesOf(r.ctx), { saved }));
      },
    },
    {
      method: "POST",
      path: "/evaluate/:token",
      handle: async (req) => {
        const r = await open(req, { existing: false });
        if ("response" in r) return r.response;
        let saved;
        try {
          saved = await answering.save(r.ctx, req.form);
        } catch (e) {
          if (e instanceof UserFacingError) return html(409, messagePage("Not saved", [e.message]));
          throw e;
        }
        if (!saved.ok) return html(422, page(r.ctx, saved.values, { problems: saved.problems }));
        // Post/redirect/get: reloading the page shows the saved answers instead of sending them again.
        return html(303, messagePage("Saved", ["Your answers are saved."]), { Location: `/evaluate/${encodeURIComponent(String(req.params.token))}?saved=${saved.first ? "first" : "changed"}` });
      },
    },
    { method: "GET", path: PRIVACY_PATH, handle: async () => html(200, privacyPage()) },
  ];
}
