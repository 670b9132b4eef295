/** The digest feature's card verbs. */
export const DIGEST_VERBS = {
  view: "digest.view",
  standard: "digest.standard",
  sector: "digest.sector",
  agency: "digest.agency",
  export: "digest.export",
  exportFile: "digest.exportFile",
  settings: "digest.settings",
  save: "digest.save",
  pause: "digest.pause",
  resume: "digest.resume",
  remove: "digest.remove",
  postNow: "digest.postNow",
  channels: "digest.channels",
} as const;

export const DIGEST_MESSAGES = { post: "digest.post", exportReady: "digest.exportReady", failed: "digest.failed" } as const;
export const DIGEST_JOB = "digest.run";
export const digestJobId = (teamId: string, channelId: string) => `${DIGEST_JOB}|${teamId}|${channelId}`;
export const digestBatchId = (teamId: string, channelId: string, period: string) => `digest|${teamId}|${channelId}|${period}`;
