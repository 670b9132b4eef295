import { z } from "zod/v4";
import { md, trusted } from "../cards/text";
import type { Actor } from "../people/actor";
import { isConflict, isPreconditionFailed } from "../storage/errors";
import type { PartnershipSettings, SettingsRepo } from "../storage/settingsRepo";
import { UserFacingError } from "../errors";
import { act, requireAdmin, type AdminDeps } from "./common";
import { ADMIN_VERBS } from "./verbs";
import type { SettingsView } from "./views";

export const settingsInput = z.object({ separateSignoff: z.unknown().transform((v) => v === true || v === "true") });

const EXPLAIN = trusted(
  "**Separate sign-off**: the senior officer who signs a return off must be someone other than the lead who asked for it. On by default (off when the bot runs locally, so one person can try every role).",
);

/** The partnership's own rules, stored so every instance applies the same ones. */
export class SettingsAdmin {
  constructor(
    private readonly deps: Pick<AdminDeps, "access" | "config">,
    private readonly repo: SettingsRepo,
  ) {}

  /** The settings in force: what the admins chose, else the defaults. */
  async current(): Promise<PartnershipSettings> {
    return (await this.repo.get()).settings ?? { separateSignoff: !this.deps.config.localMode };
  }

  async view(actor: Actor, notice?: SettingsView["notice"]): Promise<SettingsView> {
    await requireAdmin(this.deps, actor);
    const s = await this.current();
    return { separateSignoff: String(s.separateSignoff), notice, explanation: EXPLAIN, actions: [act("Save settings", ADMIN_VERBS.saveSettings, {}, "positive"), act("Back to admin", ADMIN_VERBS.menu)] };
  }

  async save(actor: Actor, input: z.infer<typeof settingsInput>): Promise<SettingsView> {
    await requireAdmin(this.deps, actor);
    const { etag } = await this.repo.get();
    try {
      await this.repo.put({ separateSignoff: input.separateSignoff }, etag);
    } catch (e) {
      if (isPreconditionFailed(e) || isConflict(e)) throw new UserFacingError("Another admin changed the settings at the same moment: open them again.", "conflict");
      throw e;
    }
    return this.view(actor, { text: md`Saved. Separate sign-off is ${input.separateSignoff ? "on" : "off"}.`, color: "good" });
  }
}
