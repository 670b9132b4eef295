import { createServer, type Server } from "node:http";
import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { actionOf, actionsOf, inputsOf, plain, textOf } from "../support/cardTools";
import { postActivity } from "../support/http";
import { answerIndicator, openWithRating } from "../support/section11";
import { fileConsentInvoke, newTeamsUser, personalConversationId, TEST_TENANT_ID } from "../support/teamsActivity";
import { DEFAULT_TEMPLATE } from "../../src/section11/templateCatalog";
import { returnPartition } from "../../src/storage/returnsRepo";

/** The Section 11 journey in its users' hands: what they see after each press, on a phone-length card. */
const admin = newTeamsUser({ name: "Bea Admin", email: "bea@partnership.example" });
const lead = newTeamsUser({ name: "Lee Lead", email: "lee@curlew.example" });
const all = DEFAULT_TEMPLATE.standards.flatMap((s) => s.indicators.map((i) => i.id));
const text = (r: { card: unknown }) => plain(textOf(r.card));
const json = (r: { card: unknown }) => JSON.stringify(r.card);

let bot: BotUnderTest;
let returnId: string;
let uploads: Server;
let uploadUrl: string;
const received: Array<{ url: string; range: string; body: Buffer }> = [];

beforeAll(async () => {
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}` });
  const s = bot.app.services;
  await s.repos.cycles.create({ cycleId: "c1", name: "Section 11 audit 2026-28", deadline: "2027-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere", "Eastshire"], status: "open", createdAt: "2026-11-01T00:00:00Z", createdBy: "t" });
  await s.repos.agencies.create({ agencyId: "curlew", name: "Curlew Children's Centre", sector: "early_years", partnerships: ["Westmere"], createdAt: "", createdBy: "" });
  for (const u of [admin, lead]) bot.addToRoster(u);
  await bot.invoke(admin, "admin.assign", { agencyId: "curlew", role: "lead", email: lead.email, personName: lead.name });
  await bot.say(lead, "hi");
  await bot.say(lead, "audit");
  returnId = returnPartition("c1", "curlew");
  // Stands in for the OneDrive upload session Teams gives when a person allows a file.
  uploads = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ url: req.url ?? "", range: String(req.headers["content-range"] ?? ""), body: Buffer.concat(chunks) });
      // OneDrive's upload session can stumble: the first PUT to /flaky gets a 503.
      if (req.url === "/flaky" && received.filter((r) => r.url === "/flaky").length === 1) {
        res.writeHead(503);
        res.end();
        return;
      }
      res.writeHead(201);
      res.end("{}");
    });
  });
  await new Promise<void>((r) => uploads.listen(0, "127.0.0.1", () => r()));
  uploadUrl = `http://127.0.0.1:${(uploads.address() as { port: number }).port}/upload`;
});
afterAll(async () => {
  await bot?.stop();
  await new Promise((r) => uploads?.close(r));
});

describe("a shorter indicator card", () => {
  test("a new indicator asks for the rating first; each rating shows only the fields it needs", async () => {
    const first = await bot.invoke(lead, "s11.step", { returnId, indicatorId: "1.1" });
    expect(inputsOf(first.card)).toEqual({});
    expect(actionsOf(first.card).filter((a) => a.data.rating).map((a) => a.title)).toEqual(["Fully met", "Partially met", "Not met", "Not applicable"]);
    const fully = await openWithRating(bot, lead, returnId, "1.1", "fully");
    expect(Object.keys(inputsOf(fully.card))).toEqual(["rating", "evidence"]);
    const partially = await openWithRating(bot, lead, returnId, "1.1", "partially");
    expect(Object.keys(inputsOf(partially.card))).toEqual(["rating", "evidence", "actionText", "actionOwner", "actionDue"]);
    const na = await openWithRating(bot, lead, returnId, "1.1", "na");
    expect(Object.keys(inputsOf(na.card))).toEqual(["rating", "naReason"]);
  });

  test("an action typed before switching to Fully met is not stored", async () => {
    const card = await openWithRating(bot, lead, returnId, "1.1", "partially");
    const saved = await bot.invoke(lead, "s11.save", { ...actionOf(card.card, "s11.save").data, then: "stay", rating: "fully", evidence: "Board minutes", actionText: "Typed before switching", actionOwner: "Me", actionDue: "2027-01-31" });
    expect(text(saved)).toContain("Saved 1.1");
    const stored = (await bot.app.services.repos.returns.getAnswer(returnId, "1.1"))!;
    expect(stored).toMatchObject({ rating: "fully", evidence: "Board minutes", actionText: "", actionOwner: "", actionDue: "" });
  });
});

describe("feedback you can see", () => {
  test("after a save the result is shown at the top and again beside the buttons", async () => {
    const card = await openWithRating(bot, lead, returnId, "1.2", "fully");
    const next = await bot.invoke(lead, "s11.save", { ...actionOf(card.card, "s11.save", (a) => a.title === "Save and next").data, rating: "fully", evidence: "Staff survey, 92%" });
    const body = json(next);
    expect(body.split("Saved 1.2.").length - 1).toBe(2);
    // The second one sits right above the buttons at the bottom, where the person's eyes are.
    expect(body.lastIndexOf("Saved 1.2.")).toBeGreaterThan(body.indexOf("Not met"));
    expect(body.lastIndexOf("Saved 1.2.")).toBeLessThan(body.indexOf('"title":"Skip for now"'));
  });

  test("an incomplete save says what is missing under each field, and agrees with the card", async () => {
    const card = await openWithRating(bot, lead, returnId, "1.3", "partially");
    const r = await bot.invoke(lead, "s11.save", { ...actionOf(card.card, "s11.save").data, then: "stay", rating: "partially", evidence: "Half done", actionText: "Finish it" });
    const body = json(r);
    expect(text(r)).toContain("Saved 1.3 as a draft: 2 things are still needed to complete it, marked below");
    // Each problem right under its field.
    expect(body.indexOf('"id":"actionOwner"')).toBeLessThan(body.indexOf("Name who leads the action."));
    expect(body.indexOf("Name who leads the action.")).toBeLessThan(body.indexOf('"id":"actionDue"'));
    expect(body.indexOf('"id":"actionDue"')).toBeLessThan(body.indexOf("Set a due date for the action."));
  });

  test("saving an empty card does not claim a draft was saved", async () => {
    const card = await openWithRating(bot, lead, returnId, "1.4", "fully");
    const r = await bot.invoke(lead, "s11.save", { ...actionOf(card.card, "s11.save").data, then: "stay", rating: "", evidence: "" });
    expect(text(r)).toContain("Nothing saved yet: choose a rating first");
    expect(text(r)).not.toContain("draft");
    expect(text(r)).toContain("Not answered yet");
  });

  test("a past due date is not saved and says why, marked on the field; a missing owner is saved as a draft and says so", async () => {
    const card = await openWithRating(bot, lead, returnId, "1.5", "not");
    const past = await bot.invoke(lead, "s11.save", { ...actionOf(card.card, "s11.save").data, then: "stay", rating: "not", evidence: "None yet", actionText: "Write it", actionOwner: "HR", actionDue: "2020-01-01" });
    expect(text(past)).toContain("Not saved: fix the field marked in red");
    expect(text(past)).toContain("is in the past");
    expect(inputsOf(past.card).evidence).toBe("None yet");
  });

  test("an indicator opened from the review's list returns to the review once it is complete", async () => {
    for (const id of all) if (!["2.1"].includes(id)) await answerIndicator(bot, lead, returnId, id, id.startsWith("9.") ? { rating: "na", naReason: "None commissioned" } : { rating: "fully", evidence: `E ${id}` });
    const review = await bot.invoke(lead, "s11.review", { returnId });
    const open = actionOf(review.card, "s11.step", (a) => a.title === "Answer 2.1");
    const chosen = await bot.invoke(lead, open.verb, { ...open.data });
    const pick = actionOf(chosen.card, "s11.step", (a) => a.title === "Fully met");
    const step = await bot.invoke(lead, pick.verb, pick.data);
    const save = actionOf(step.card, "s11.save", (a) => a.title === "Save and back to the review");
    const back = await bot.invoke(lead, save.verb, { ...save.data, rating: "fully", evidence: "Framework 2026" });
    expect(text(back)).toContain("Review: Curlew Children's Centre");
    expect(actionOf(back.card, "s11.requestSignoff")).toBeDefined();
  });
});

describe("a submitted return, and an officer not reachable yet", () => {
  test("the lead's request reaches an officer registered only by e-mail, and says who and what to ask", async () => {
    await bot.invoke(admin, "admin.assign", { agencyId: "curlew", role: "officer", email: "new.officer@curlew.example", personName: "Nia New" });
    const sent = await bot.invoke(lead, "s11.requestSignoff", { returnId });
    const t = text(sent);
    expect(t).toContain("Sent for sign-off to Nia New");
    expect(t).toContain("Nia New (new.officer@curlew.example) has not opened the Safeguarding Assurance app yet");
    // The admin's status names them as not reachable yet.
    const status = await bot.invoke(admin, "admin.status", { cycleId: "c1" });
    expect(text(status)).toContain("Senior officer registered but not reachable yet (new.officer@curlew.example)");
  });

  test("opening an indicator of a submitted return says a change will mark it updated", async () => {
    const nia = newTeamsUser({ name: "Nia New", email: "new.officer@curlew.example" });
    bot.addToRoster(nia);
    await bot.say(nia, "hi");
    const signoffs = await bot.say(nia, "signoffs");
    const approved = await bot.invoke(nia, "s11.approve", actionOf(signoffs.card, "s11.approve").data);
    expect(text(approved)).toContain("Signed off and submitted");
    const step = await bot.invoke(lead, "s11.step", { returnId, indicatorId: "3.1" });
    expect(text(step)).toContain('A change here marks it "Updated since submission"');
  });
});

describe("a status the business manager can use for the annual report", () => {
  test("choose the cycle, page through every agency, filter, see whom to chase, and export formula-safe CSV", async () => {
    const s = bot.app.services;
    await s.repos.cycles.create({ cycleId: "c0", name: "Section 11 audit 2024-26", deadline: "2026-03-31", templateId: DEFAULT_TEMPLATE.id, templateVersion: DEFAULT_TEMPLATE.version, partnerships: ["Westmere"], status: "open", createdAt: "2024-01-01T00:00:00Z", createdBy: "t" });
    for (let i = 0; i < 33; i++) {
      const id = `agency-${String(i).padStart(2, "0")}`;
      await s.repos.agencies.create({ agencyId: id, name: i === 0 ? "=HYPERLINK(\"http://evil.example\",\"x\")" : `Agency ${String(i).padStart(2, "0")}`, sector: i % 2 ? "health" : "education", partnerships: [i % 3 ? "Westmere" : "Eastshire"], createdAt: "", createdBy: "" });
    }
    const first = await bot.invoke(admin, "admin.status", { cycleId: "c1" });
    expect(text(first)).toContain("34 agencies");
    expect(text(first)).toContain("Page 1 of 3");
    expect(text(first)).toContain("No lead registered · No senior officer registered · no activity yet");
    const submitted = await bot.invoke(admin, "admin.status", { cycleId: "c1", state: "submitted" });
    expect(text(submitted)).toMatch(/Lead: Lee Lead \(lee@curlew\.example\) · last activity \d+ \w+ \d{4}/);
    expect(inputsOf(first.card).cycleId).toBe("c1");
    const next = actionOf(first.card, "admin.status", (a) => a.title === "Next page");
    const second = await bot.invoke(admin, next.verb, next.data);
    expect(text(second)).toContain("Page 2 of 3");
    const filtered = await bot.invoke(admin, "admin.status", { cycleId: "c1", state: "not_started", sector: "health", partnership: "Eastshire" });
    const rows = textOf(filtered.card);
    expect(plain(rows)).toContain("Showing not started, Health, Eastshire");
    expect(plain(rows)).not.toContain("Curlew");
    const other = await bot.invoke(admin, "admin.status", { cycleId: "c0" });
    expect(text(other)).toContain("Section 11 audit 2024-26");

    // Export: a file consent card in the admin's personal chat; on "Allow" the CSV is uploaded.
    const seq = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
    const exported = await bot.invoke(admin, "admin.status.export", { cycleId: "c1" });
    expect(text(exported)).toContain("accept the file card below");
    const consent = await bot.connector.waitFor((a) => a.seq > seq && a.conversationId === personalConversationId(admin) && a.body?.attachments?.[0]?.contentType === "application/vnd.microsoft.teams.card.file.consent");
    const att = consent.body.attachments[0];
    const res = await postActivity(bot.url, fileConsentInvoke(admin, "accept", att.content.acceptContext, { contentUrl: "https://onedrive.example/f.csv", name: att.name, uploadUrl, fileType: "csv", uniqueId: "u1" }, { serviceUrl: bot.connector.serviceUrl }));
    expect(res.status).toBe(200);
    await bot.connector.waitFor((a) => a.conversationId === personalConversationId(admin) && a.body?.attachments?.[0]?.contentType === "application/vnd.microsoft.teams.card.file.info");
    const csv = received[received.length - 1].body.toString("utf8");
    expect(received[received.length - 1].range).toMatch(/^bytes 0-\d+\/\d+$/);
    expect(csv).toContain("Curlew Children's Centre");
    // A cell that would run as a formula in a spreadsheet is neutralised.
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csv.split("\r\n").length).toBeGreaterThan(34);
    // Someone else cannot take the file with the same card.
    const stranger = newTeamsUser({ name: "Sly Stranger" });
    await postActivity(bot.url, fileConsentInvoke(stranger, "accept", att.content.acceptContext, { contentUrl: "x", name: "x", uploadUrl, fileType: "csv", uniqueId: "u2" }, { serviceUrl: bot.connector.serviceUrl }));
    expect(received.filter((r) => r.url === "/upload")).toHaveLength(1);
  });

  test("an upload that stumbles once is tried again, and the file still arrives", async () => {
    const seq = Math.max(0, ...bot.connector.activities.map((a) => a.seq));
    await bot.invoke(admin, "admin.status.export", { cycleId: "c1" });
    const consent = await bot.connector.waitFor((a) => a.seq > seq && a.conversationId === personalConversationId(admin) && a.body?.attachments?.[0]?.contentType === "application/vnd.microsoft.teams.card.file.consent");
    const att = consent.body.attachments[0];
    const flaky = uploadUrl.replace(/\/upload$/, "/flaky");
    const res = await postActivity(bot.url, fileConsentInvoke(admin, "accept", att.content.acceptContext, { contentUrl: "https://onedrive.example/g.csv", name: att.name, uploadUrl: flaky, fileType: "csv", uniqueId: "u3" }, { serviceUrl: bot.connector.serviceUrl }));
    expect(res.status).toBe(200);
    await bot.connector.waitFor((a) => a.seq > seq && a.conversationId === personalConversationId(admin) && a.body?.attachments?.[0]?.contentType === "application/vnd.microsoft.teams.card.file.info", 10_000);
    const tries = received.filter((r) => r.url === "/flaky");
    expect(tries).toHaveLength(2);
    expect(tries[1].body.toString("utf8")).toContain("Curlew Children's Centre");
  });

  test("the agency card shows its id for data exports", async () => {
    const people = await bot.invoke(admin, "admin.agency.people", { agencyId: "curlew" });
    expect(text(people)).toContain("Agency id (for data exports): curlew");
  });
});

describe("smaller things", () => {
  test("a cycle with no agencies offers registering one first, and registering offers adding its lead", async () => {
    const b = await startBot({ ADMIN_AAD_OBJECT_IDS: `${TEST_TENANT_ID}:${admin.aadObjectId}` });
    try {
      b.addToRoster(admin);
      const made = await b.invoke(admin, "admin.cycle.create", { name: "Empty cycle", deadline: "2027-05-01", partnerships: "Nowhere", templateId: DEFAULT_TEMPLATE.id });
      expect(actionsOf(made.card)[0]).toMatchObject({ title: "Register an agency", verb: "admin.agency.form" });
      const reg = await b.invoke(admin, "admin.agency.create", { name: "Lapwing Trust", sector: "health", partnerships: "Nowhere" });
      const add = actionOf(reg.card, "admin.assign.form", (a) => a.title === "Add its lead now");
      const form = await b.invoke(admin, add.verb, add.data);
      expect(inputsOf(form.card).agencyId).toBe("lapwing-trust");
      const menu = await b.say(admin, "admin");
      expect(text(menu)).not.toContain(";;");
      expect(text(menu)).toContain(".json");
    } finally {
      await b.stop();
    }
  });

  test("the overview names each standard's button by its standard, for screen readers", async () => {
    const overview = await bot.invoke(lead, "s11.overview", { returnId });
    const rows = actionsOf(overview.card).filter((a) => a.verb === "s11.step" && /standard/.test(a.title));
    expect(rows.map((r) => r.title)).toEqual(DEFAULT_TEMPLATE.standards.map((_, i) => `Open standard ${i + 1}`));
  });

  test("with local admins switched off, the welcome does not tell everyone they are an admin", async () => {
    const someone = newTeamsUser({ name: "Sam Someone" });
    bot.addToRoster(someone);
    const hi = await bot.say(someone, "hi");
    expect(text(hi)).not.toContain("you are a partnership admin");
  });
});
