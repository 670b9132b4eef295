import type { Config } from "../config";
import type { Logger } from "../log";
import type { AccessService } from "../people/accessService";
import type { ReturnService } from "../section11/returnService";
import type { AdminService } from "../admin/adminService";
import type { PeopleRepo } from "../storage/peopleRepo";

/** What the Teams edge needs from the rest of the app. */
export interface BotServices {
  config: Config;
  log: Logger;
  access: AccessService;
  people: PeopleRepo;
  returns: ReturnService;
  admin: AdminService;
}
