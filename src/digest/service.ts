import { isOneOf } from "../oneOf";
import type { z } from "zod/v4";
import { UserFacingError } from "../errors";
import type { RouteContext } from "../routes";
import { SECTOR_GROUPS } from "../reporting/rules";
import { NO_TRAINING, type TrainingFiguresProvider } from "../reporting/training";
import { ChannelAccess, type DigestDeps } from "./channelAccess";
import { agencyChoices, agencyDetail, sectorDetail, standardDetail } from "./drill";
import { Exporting } from "./exporting";
import type { drillInput } from "./inputs";
import { Posting } from "./posting";
import { Registrations } from "./registrations";
import type { DigestDetailView } from "./views";

export type { DigestDeps } from "./channelAccess";

/**
 * Channel digests: registration by an admin in the channel, what is posted and when, the
 * drill-downs a channel member can ask for, and the export. Aggregates only in anything posted to
 * a channel; a drill-down is answered to the person who pressed, after checking they are in it.
 */
export class DigestService {
  private training: TrainingFiguresProvider = NO_TRAINING;
  readonly access: ChannelAccess;
  readonly registrations: Registrations;
  readonly posting: Posting;
  readonly exporting: Exporting;

  constructor(private readonly d: DigestDeps) {
    this.access = new ChannelAccess(d);
    this.registrations = new Registrations(d, this.access);
    this.posting = new Posting(d, this.access, this.registrations, () => this.training);
    this.exporting = new Exporting(d, this.access);
  }

  /** Connects the training feature's figures (src/compose.ts does, with the stored sessions; without it the card says "no training recorded yet"). */
  useTraining(provider: TrainingFiguresProvider): void {
    this.training = provider;
  }

  async drill(ctx: RouteContext, kind: "standard" | "sector" | "agency", i: z.infer<typeof drillInput>): Promise<DigestDetailView> {
    const t = await this.access.target(ctx, i, { member: true });
    const input = await this.access.currentInput(t.reg);
    if (kind === "standard") {
      const index = Number.parseInt(i.standard, 10);
      if (!(index >= 0 && index < input.standards.length)) throw new UserFacingError("Choose a standard from the list first.", "invalid");
      return standardDetail(input, index, t.data);
    }
    if (kind === "sector") {
      if (!isOneOf(SECTOR_GROUPS, i.sector)) throw new UserFacingError("Choose a sector from the list first.", "invalid");
      return sectorDetail(input, i.sector, t.data);
    }
    if (i.agencyId) {
      // A pointer from a card: only agencies of this digest's partnerships are found.
      const a = input.agencies.find((x) => x.agencyId === i.agencyId);
      if (!a) throw new UserFacingError("That agency is not part of this digest.", "not_found");
      return agencyDetail(input, a, t.data);
    }
    if (!i.agency.trim()) throw new UserFacingError("Type part of the agency's name first.", "invalid");
    const matches = input.agencies.filter((a) => a.agencyName.toLowerCase().includes(i.agency.trim().toLowerCase()));
    return matches.length === 1 ? agencyDetail(input, matches[0], t.data) : agencyChoices(input, i.agency, t.data);
  }
}
