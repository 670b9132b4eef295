import type { Config } from "./config";
import type { Logger } from "./log";
import type { Actor } from "./people/actor";
import { AccessService } from "./people/accessService";
import { AgenciesRepo } from "./storage/agenciesRepo";
import { CyclesRepo } from "./storage/cyclesRepo";
import { FilesRepo } from "./storage/filesRepo";
import { GrantsRepo } from "./storage/grantsRepo";
import { PeopleRepo } from "./storage/peopleRepo";
import { ReturnsRepo } from "./storage/returnsRepo";
import { SettingsRepo } from "./storage/settingsRepo";
import type { TableStore } from "./storage/tableStore";
import { TemplatesRepo } from "./storage/templatesRepo";
import { ReturnService } from "./section11/returnService";
import { CycleCache, ReturnAccessCache } from "./section11/returnAccessCache";
import { TemplateCatalog } from "./section11/templateCatalog";
import { section11Routes } from "./section11/routes";
import { adminParts, adminRoutes } from "./admin/routes";
import { knownPartnerships } from "./admin/common";
import { SettingsAdmin } from "./admin/settings";
import { homeRoutes } from "./home/routes";
import type { ConversationReferences } from "./conversations/conversationReferences";
import { createDelivery } from "./delivery/createDelivery";
import { deliveryBuilders } from "./delivery/featureBuilders";
import type { EmailTransport, TeamsTransport } from "./delivery/transports";
import { DeliveriesRepo } from "./storage/deliveriesRepo";
import type { FeatureRoutes, MessageBuilder as FeatureMessageBuilder } from "./routes";
import { digestFeature } from "./digest/feature";
import { TrainingRepo } from "./storage/trainingRepo";
import { EvaluationsRepo } from "./storage/evaluationsRepo";
import { TrainingKeys } from "./training/keys";
import { trainingParts } from "./training/parts";
import { trainingRoutes } from "./training/routes";
import { StoredTrainingFigures } from "./training/digestFigures";
import { deadlinesFeature } from "./deadlines/feature";
import { DeadlineOverridesRepo } from "./storage/deadlineOverridesRepo";
import { cyclesFeature } from "./cycles/feature";
import { CarryForwardRepo } from "./storage/carryForwardRepo";
import { ActionsRepo } from "./storage/actionsRepo";
import { ActionService } from "./actions/service";
import { actionRoutes } from "./actions/routes";
import { PanelsRepo } from "./storage/panelsRepo";
import { ChallengesRepo } from "./storage/challengesRepo";
import { ReturnSummariesRepo } from "./storage/returnSummariesRepo";
import { PanelService } from "./panels/service";
import { panelRoutes } from "./panels/routes";

/**
 * Repositories, services and the features' route tables, wired over one TableStore: the bot's
 * composition root (src/app.ts), the command-line scripts and the tests all build them here.
 */
export interface Transports {
  /** Makes the Teams transport once the conversation references exist (the edge's BotConnectorTransport). */
  teams?: (conversations: ConversationReferences) => TeamsTransport;
  email?: EmailTransport;
}

/** A link that opens the app in Teams, for e-mails to people Teams could not reach. */
export const appLinkOf = (config: Config) => (config.TEAMS_APP_ID ? `https://teams.microsoft.com/l/app/${config.TEAMS_APP_ID}` : "https://teams.microsoft.com");

export function composeServices(config: Config, store: TableStore, log: Logger, now: () => Date = () => new Date(), transports: Transports = {}) {
  const repos = {
    agencies: new AgenciesRepo(store),
    cycles: new CyclesRepo(store),
    grants: new GrantsRepo(store),
    people: new PeopleRepo(store),
    returns: new ReturnsRepo(store),
    templates: new TemplatesRepo(store),
    settings: new SettingsRepo(store),
    files: new FilesRepo(store),
  };
  const catalog = new TemplateCatalog(repos.templates);
  // Saves trust a short cache of access rows and cycles; any change through this instance clears them.
  const ttl = config.ACCESS_CACHE_SECONDS * 1000;
  const accessCache = new ReturnAccessCache(ttl);
  const cycleCache = new CycleCache(ttl);
  const access = new AccessService({
    config,
    grants: repos.grants,
    people: repos.people,
    returns: repos.returns,
    cycles: repos.cycles,
    now,
    onAccessChanged: () => accessCache.clear(),
    agencyTenant: async (id) => (await repos.agencies.get(id))?.tenantId,
  });
  const settings = new SettingsAdmin({ access, config }, repos.settings);
  const overrides = new DeadlineOverridesRepo(store);
  const returnService = new ReturnService({ returns: repos.returns, cycles: repos.cycles, agencies: repos.agencies, catalog, access, now, settings: () => settings.current(), accessCache, cycleCache, summaries: new ReturnSummariesRepo(store), ownDeadline: async (cycleId, agencyId) => (await overrides.get(cycleId, agencyId))?.deadline });
  const actionsRepo = new ActionsRepo(store);
  const admin = adminParts({ config, ...repos, catalog, access, returnService, cycleCache, now, actions: actionsRepo, ownDeadlines: async (cycleId) => new Map([...(await overrides.listForCycle(cycleId))].map(([agencyId, o]) => [agencyId, o.deadline])) }, settings);
  const home = homeRoutes({ config, access });
  const appLink = appLinkOf(config);

  // Everything that leaves the process goes through the outbox; the features' builders draw each
  // message when it is sent. The pipeline exists before the features so they can enqueue and
  // schedule from their own services; their builders are added to it once they are made.
  const featureMessages = new Map<string, FeatureMessageBuilder>();
  const deliveries = new DeliveriesRepo(store);
  const drawing = deliveryBuilders(featureMessages, { deliveries, log, appLink });
  const delivery = createDelivery({
    store,
    builders: drawing.builders,
    teams: transports.teams,
    email: transports.email,
    limits: { perTenantPerSecond: config.DELIVERY_PER_TENANT_PER_SECOND, perConversationPerSecond: config.DELIVERY_PER_CONVERSATION_PER_SECOND, emailPerMinute: config.DELIVERY_EMAIL_PER_MINUTE },
    scheduler: { intervalMs: config.SCHEDULER_INTERVAL_MS },
    now,
    log,
  });

  /** Adds what features bring beyond their routes: message builders for the outbox, job handlers for the scheduler. */
  const registered = new Set<FeatureRoutes>();
  const register = (list: FeatureRoutes[]) => {
    for (const f of list) {
      if (registered.has(f)) continue;
      registered.add(f);
      for (const [kind, b] of Object.entries(f.messages ?? {})) featureMessages.set(kind, b);
      for (const [kind, handler] of Object.entries(f.jobs ?? {})) delivery.scheduler.register(kind, handler);
    }
    drawing.refresh();
  };
  const digest = digestFeature({ store, ...repos, catalog, access, delivery, now, log });
  const trainingRepo = new TrainingRepo(store);
  const answers = new EvaluationsRepo(store);
  const training = trainingParts({ config, repo: trainingRepo, answers, access, people: repos.people, outbox: delivery.outbox, scheduler: delivery.scheduler, keys: new TrainingKeys(config.evaluationSecrets), partnerships: () => knownPartnerships({ cycles: repos.cycles, agencies: repos.agencies }), now, log });
  // Every digest, scheduled or on demand, in whichever process composes it, reads the stored training.
  digest.service.useTraining(new StoredTrainingFigures({ repo: trainingRepo, answers }));
  const deadlines = deadlinesFeature({ config, cycles: repos.cycles, returns: repos.returns, overrides, agencies: repos.agencies, people: repos.people, access, returnService, catalog, cycleCache, outbox: delivery.outbox, scheduler: delivery.scheduler, now, log }, appLink);
  admin.cycles.hooks.opened.push((cycleId) => deadlines.reminders.replan(cycleId));
  const nextCycle = cyclesFeature({ cycles: repos.cycles, returns: repos.returns, carry: new CarryForwardRepo(store), agencies: repos.agencies, access, catalog, cycleCache, scheduler: delivery.scheduler, outbox: delivery.outbox, now }, admin.cycles);
  const actions = new ActionService({ actions: actionsRepo, cycles: repos.cycles, catalog, access, returnService, outbox: delivery.outbox, scheduler: delivery.scheduler, people: repos.people, appLink, now });
  const panels = new PanelService({ panels: new PanelsRepo(store), challenges: new ChallengesRepo(store), summaries: new ReturnSummariesRepo(store), agencies: repos.agencies, cycles: repos.cycles, catalog, access, people: repos.people, now });
  // Panel members added by e-mail are linked on first contact, with the grants and by the same tenant rule.
  access.linkers.push((person) => panels.linkWaitingMember(person));
  const features: FeatureRoutes[] = [home, section11Routes({ returns: returnService, access, appLink }), adminRoutes(admin), trainingRoutes(training), digest.routes, deadlines.routes, nextCycle.routes, actionRoutes(actions), panelRoutes(panels, appLink)];
  register(features);
  return {
    config,
    log,
    now,
    repos,
    catalog,
    access,
    returnService,
    admin,
    people: repos.people,
    files: repos.files,
    welcome: home.welcome,
    features,
    delivery,
    digest: digest.service,
    training,
    deadlines,
    nextCycle,
    actions,
    panels,
    redraw: drawing.redraw,
    register,
  };
}
export type Services = ReturnType<typeof composeServices>;

/**
 * The actor the command-line scripts act as. Not a real Entra ID identity (the all-zero tenant
 * is never a real tenant): scripts add it to the configured admins of their own Config only, so
 * the bot never treats it as an admin.
 */
export const SYSTEM_ACTOR: Actor = {
  principal: { tenantId: "00000000-0000-0000-0000-000000000000", aadObjectId: "00000000-0000-0000-0000-0000000005c1" },
  name: "Command-line import",
};

export function withSystemAdmin(config: Config): Config {
  const entry = `${SYSTEM_ACTOR.principal.tenantId}:${SYSTEM_ACTOR.principal.aadObjectId}`;
  return { ...config, ADMIN_AAD_OBJECT_IDS: [...config.ADMIN_AAD_OBJECT_IDS, entry] };
}
