import { EvaluationAnswering } from "./answering";
import { CoursePages } from "./courses";
import { DataRights } from "./dataRights";
import { DelegateBook } from "./delegates";
import type { TrainingDeps } from "./deps";
import { TrainingHome } from "./home";
import { TrainingReports } from "./reports";
import { EvaluationRounds } from "./rounds";
import type { TrainingParts } from "./routes";
import { SessionPages } from "./sessions";

/** The training feature's services over its dependencies (src/compose.ts, scripts and tests build them here). */
export function trainingParts(deps: TrainingDeps): TrainingParts {
  const rounds = new EvaluationRounds(deps);
  const answering = new EvaluationAnswering(deps);
  const sessions = new SessionPages(deps, rounds);
  return {
    deps,
    home: new TrainingHome(deps),
    courses: new CoursePages(deps),
    sessions,
    delegates: new DelegateBook(deps, rounds, sessions),
    rounds,
    answering,
    reports: new TrainingReports(deps, sessions, answering),
    rights: new DataRights(deps),
  };
}
