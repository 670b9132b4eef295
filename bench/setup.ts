import type { RunningApp } from "../src/app";
import type { Cycle } from "../src/storage/cyclesRepo";
import type { Agency } from "../src/storage/agenciesRepo";
import { DEFAULT_TEMPLATE } from "../src/section11/templateCatalog";
import { BOT_ID, BOT_NAME, newTeamsUser, personalConversationId, TEST_TENANT_ID, type TeamsUser } from "../test/support/teamsActivity";

export interface BenchAgency {
  agency: Agency;
  returnId: string;
  lead: TeamsUser;
  officer: TeamsUser;
}

export interface BenchData {
  cycle: Cycle;
  agencies: BenchAgency[];
  indicatorIds: string[];
}

const BY = "Benchmark set-up";

/**
 * The data a benchmark needs, made through the services as the e2e test does: one open cycle on
 * the default template, `count` agencies, one safeguarding lead and one senior officer each
 * (granted by person principal). Half the returns are created before the grants and half after,
 * and both paths are checked to leave access rows on the return. People are stored with a
 * conversation reference to the Bot Connector stand-in, as if each had said hi, so sign-off
 * notifications reach them.
 */
export async function setUpData(app: RunningApp, serviceUrl: string, count: number): Promise<BenchData> {
  const s = app.services;
  const cycle: Cycle = {
    cycleId: "s11-bench",
    name: "Section 11 audit (benchmark)",
    deadline: "2099-12-31",
    templateId: DEFAULT_TEMPLATE.id,
    templateVersion: DEFAULT_TEMPLATE.version,
    partnerships: ["Benchshire"],
    status: "open",
    createdAt: new Date().toISOString(),
    createdBy: BY,
  };
  if (!(await s.repos.cycles.create(cycle))) throw new Error("benchmark cycle already exists");

  const agencies: BenchAgency[] = [];
  for (let i = 0; i < count; i++) {
    const n = String(i + 1).padStart(2, "0");
    const agency: Agency = { agencyId: `bench-agency-${n}`, name: `Bench Agency ${n}`, sector: "health", partnerships: ["Benchshire"], createdAt: "", createdBy: BY };
    if (!(await s.repos.agencies.create(agency))) throw new Error(`agency ${agency.agencyId} already exists`);
    const lead = newTeamsUser({ name: `Lead ${n}`, tenantId: TEST_TENANT_ID });
    const officer = newTeamsUser({ name: `Officer ${n}`, tenantId: TEST_TENANT_ID });
    for (const u of [lead, officer]) {
      await s.people.upsert({ tenantId: u.tenantId, aadObjectId: u.aadObjectId, name: u.name, email: u.email ?? "", upn: u.email ?? "", conversation: JSON.stringify(conversationRef(u, serviceUrl)), firstSeenAt: new Date().toISOString() });
    }
    const returnsFirst = i % 2 === 0;
    let returnId = returnsFirst ? await s.returnService.ensureReturn(cycle, agency) : "";
    for (const [u, role] of [[lead, "lead"], [officer, "officer"]] as const) {
      await s.access.grant({ role, agencyId: agency.agencyId, agencyName: agency.name, holder: { kind: "person", principal: { tenantId: u.tenantId, aadObjectId: u.aadObjectId } }, name: u.name, email: u.email ?? "", by: BY });
    }
    if (!returnsFirst) returnId = await s.returnService.ensureReturn(cycle, agency);
    agencies.push({ agency, returnId, lead, officer });
  }

  // Either order must leave both people on the return's own access rows (what a save checks).
  for (const [i, a] of agencies.entries()) {
    const loaded = await s.repos.returns.load(a.returnId);
    if (!loaded) throw new Error(`return ${a.returnId} was not created`);
    const rolesOf = (u: TeamsUser) => loaded.access.find((x) => x.tenantId === u.tenantId.toLowerCase() && x.aadObjectId === u.aadObjectId.toLowerCase())?.roles ?? [];
    if (!rolesOf(a.lead).includes("lead") || !rolesOf(a.officer).includes("officer")) {
      throw new Error(`return ${a.returnId} (created ${i % 2 === 0 ? "before" : "after"} the grants) lacks access rows: ${JSON.stringify(loaded.access)}`);
    }
  }

  const indicatorIds = DEFAULT_TEMPLATE.standards.flatMap((st) => st.indicators.map((x) => x.id));
  return { cycle, agencies, indicatorIds };
}

export const LONG_EVIDENCE_CHARS = 1500;
export const longEvidence = (tag: string) => `${tag}: `.concat("Minutes of the safeguarding board, audit of staff files, supervision records and the staff survey. ".repeat(20)).slice(0, LONG_EVIDENCE_CHARS);

/**
 * One more agency whose return looks like a finished one: every indicator answered with
 * ${LONG_EVIDENCE_CHARS} characters of evidence and a full 20-entry history. Saves on it show what a
 * save costs once a return has content (the 20 benchmark returns are nearly empty).
 */
export async function setUpFullReturn(app: RunningApp, data: BenchData, serviceUrl: string): Promise<BenchAgency> {
  const s = app.services;
  const agency: Agency = { agencyId: "bench-agency-full", name: "Bench Agency Full", sector: "police", partnerships: ["Benchshire"], createdAt: "", createdBy: BY };
  if (!(await s.repos.agencies.create(agency))) throw new Error(`agency ${agency.agencyId} already exists`);
  const lead = newTeamsUser({ name: "Lead Full", tenantId: TEST_TENANT_ID });
  const officer = newTeamsUser({ name: "Officer Full", tenantId: TEST_TENANT_ID });
  for (const u of [lead, officer]) {
    await s.people.upsert({ tenantId: u.tenantId, aadObjectId: u.aadObjectId, name: u.name, email: u.email ?? "", upn: u.email ?? "", conversation: JSON.stringify(conversationRef(u, serviceUrl)), firstSeenAt: new Date().toISOString() });
  }
  const returnId = await s.returnService.ensureReturn(data.cycle, agency);
  for (const [u, role] of [[lead, "lead"], [officer, "officer"]] as const) {
    await s.access.grant({ role, agencyId: agency.agencyId, agencyName: agency.name, holder: { kind: "person", principal: { tenantId: u.tenantId, aadObjectId: u.aadObjectId } }, name: u.name, email: u.email ?? "", by: BY });
  }
  const loaded = await s.repos.returns.load(returnId);
  if (!loaded) throw new Error("full return was not created");
  // 20 real saves per answer, so each row carries 20 history entries as it would after weeks of work.
  for (const previous of loaded.answers.values()) {
    let etag = previous.etag;
    for (let n = 0; n < 20; n++) {
      const now = new Date(Date.now() + n).toISOString();
      etag = await s.repos.returns.saveAnswer(returnId, previous.indicatorId, etag, { rating: "fully", evidence: longEvidence(previous.indicatorId), naReason: "", actionText: "", actionOwner: "", actionDue: "" }, { name: lead.name, key: `${lead.tenantId}:${lead.aadObjectId}` }, now);
    }
  }
  return { agency, returnId, lead, officer };
}

/** What the bot keeps when someone talks to it in personal chat (see src/bot/linking.ts). */
function conversationRef(u: TeamsUser, serviceUrl: string) {
  return {
    channelId: "msteams",
    serviceUrl,
    conversation: { id: personalConversationId(u), conversationType: "personal", tenantId: u.tenantId, name: "" },
    bot: { id: BOT_ID, name: BOT_NAME },
    user: { id: `29:${u.aadObjectId}`, name: "", aadObjectId: u.aadObjectId },
  };
}
