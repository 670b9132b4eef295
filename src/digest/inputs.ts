import { z } from "zod/v4";

/** What the digest's cards send back: bounded strings only, every id a pointer that is looked up and re-checked. */
const bounded = (max: number) => z.unknown().transform((v) => (typeof v === "string" ? v.slice(0, max) : typeof v === "number" ? String(v) : ""));
/** A registered channel named in card data (admin cards in personal chat): only a pointer, looked up and re-checked. */
export const channelRef = z.object({ teamId: bounded(512), channelId: bounded(512) });
export const settingsInput = channelRef.extend({
  partnerships: bounded(2000),
  frequency: bounded(10),
  weekday: bounded(2),
  monthDay: bounded(3),
  time: bounded(5),
  sections: bounded(200),
});
export const drillInput = channelRef.extend({ standard: bounded(3), sector: bounded(30), agency: bounded(100), agencyId: bounded(120) });
export const exportFileInput = z.object({ grant: z.string().regex(/^[A-Za-z0-9_-]{16,40}$/).catch(""), format: z.enum(["xlsx", "figures", "returns", "actions"]).catch("xlsx"), teamId: bounded(512), channelId: bounded(512) });

export const exportFormats = [
  { title: "Excel workbook (everything)", format: "xlsx" },
  { title: "Figures (CSV)", format: "figures" },
  { title: "Returns (CSV)", format: "returns" },
  { title: "Actions (CSV)", format: "actions" },
] as const;
