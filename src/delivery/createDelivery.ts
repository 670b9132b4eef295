import type { Logger } from "pino";
import { ConversationReferences } from "../conversations/conversationReferences";
import { ConversationsRepo } from "../storage/conversationsRepo";
import { DeliveriesRepo } from "../storage/deliveriesRepo";
import { JobsRepo } from "../storage/jobsRepo";
import type { TableStore } from "../storage/tableStore";
import { ThrottleRepo } from "../storage/throttleRepo";
import { Scheduler, type SchedulerOptions } from "../schedule/scheduler";
import { Dispatcher, type DispatcherOptions } from "./dispatcher";
import { DISPATCH_JOB, Outbox } from "./outbox";
import { RateLimits, type RateLimitOptions } from "./rateLimits";
import type { EmailTransport, TeamsTransport } from "./transports";
import type { MessageBuilder } from "./types";

export interface DeliveryWiring {
  store: TableStore;
  /** Message builders by kind; include "delivery.failed" when any producer sets tellOnFailure. */
  builders: Map<string, MessageBuilder>;
  /** Given the conversation references, makes the Teams transport (e.g. a BotConnectorTransport). */
  teams?: (conversations: ConversationReferences) => TeamsTransport;
  email?: EmailTransport;
  limits?: RateLimitOptions;
  scheduler?: Omit<SchedulerOptions, "jobs" | "now" | "log">;
  dispatcher?: Omit<DispatcherOptions, "deliveries" | "throttle" | "outbox" | "builders" | "teams" | "email" | "limits" | "now" | "log">;
  now?: () => Date;
  log?: Logger;
}

export interface Delivery {
  conversations: ConversationReferences;
  scheduler: Scheduler;
  outbox: Outbox;
  dispatcher: Dispatcher;
  teams?: TeamsTransport;
  limits: RateLimits;
  /** Starts this instance's scheduler loop. */
  start(): void;
  /** Stops claiming work and waits for what is in flight. */
  stop(): Promise<void>;
}

/** The delivery pipeline's parts wired together; see src/delivery/README.md. */
export function createDelivery(w: DeliveryWiring): Delivery {
  const now = w.now ?? (() => new Date());
  const conversations = new ConversationReferences(new ConversationsRepo(w.store), now);
  const scheduler = new Scheduler({ ...w.scheduler, jobs: new JobsRepo(w.store), now, log: w.log });
  const outbox = new Outbox({ deliveries: new DeliveriesRepo(w.store), scheduler, now });
  const limits = new RateLimits(w.limits);
  const teams = w.teams?.(conversations);
  const dispatcher = new Dispatcher({ ...w.dispatcher, deliveries: new DeliveriesRepo(w.store), throttle: new ThrottleRepo(w.store), outbox, builders: w.builders, teams, email: w.email, limits, now, log: w.log });
  scheduler.register(DISPATCH_JOB, dispatcher.handleJob);
  return {
    conversations,
    scheduler,
    outbox,
    dispatcher,
    teams,
    limits,
    start: () => scheduler.start(),
    async stop() {
      await scheduler.stop();
      await dispatcher.stop();
      await limits.stop();
    },
  };
}
