import type { Config } from "../config";
import type { Logger } from "../log";
import type { AccessService } from "../people/accessService";
import type { Outbox } from "../delivery/outbox";
import type { Scheduler } from "../schedule/scheduler";
import type { EvaluationsRepo } from "../storage/evaluationsRepo";
import type { PeopleRepo } from "../storage/peopleRepo";
import type { TrainingRepo } from "../storage/trainingRepo";
import type { TrainingKeys } from "./keys";

/** What the training services are built from (made in src/compose.ts). */
export interface TrainingDeps {
  config: Pick<Config, "localMode" | "publicBaseUrl" | "EVALUATION_LINK_DAYS" | "TRAINING_REMINDER_AFTER" | "TRAINING_ESCALATION_AFTER" | "TRAINING_FOLLOW_UP_WEEKS" | "anyTenant" | "ALLOWED_TENANT_IDS">;
  repo: TrainingRepo;
  answers: EvaluationsRepo;
  access: AccessService;
  people: PeopleRepo;
  outbox: Pick<Outbox, "enqueue" | "batchStatus" | "forget">;
  scheduler: Pick<Scheduler, "schedule">;
  keys: TrainingKeys;
  /** The partnerships this bot serves (from cycles and agencies, first spelling kept): what a course may belong to. */
  partnerships: () => Promise<string[]>;
  now: () => Date;
  log: Pick<Logger, "warn" | "info" | "error">;
}
