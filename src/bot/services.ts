import type { Config } from "../config";
import type { Logger } from "../log";
import type { AccessService } from "../people/accessService";
import type { Actor } from "../people/actor";
import type { PeopleRepo } from "../storage/peopleRepo";
import type { FilesRepo } from "../storage/filesRepo";
import type { Reply } from "../cards/reply";
import type { FeatureRoutes } from "../routes";
import type { Delivery } from "../delivery/createDelivery";
import type { DeliveryRow, MessageContent } from "../delivery/types";

/** What the Teams edge needs from the rest of the app: identity and linking, and the features' tables. */
export interface BotServices {
  config: Config;
  log: Logger;
  now: () => Date;
  access: AccessService;
  people: PeopleRepo;
  files: FilesRepo;
  features: FeatureRoutes[];
  welcome(actor: Actor): Promise<Reply>;
  delivery: Delivery;
  /** Draws a sent message again, to replace it where it was delivered. */
  redraw(row: DeliveryRow): Promise<MessageContent | { skip: string }>;
}
