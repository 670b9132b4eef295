import { existsSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { newTeamsUser, TEST_TENANT_ID } from "../support/teamsActivity";
import { TrainingKeys } from "../../src/training/keys";
import { LOCAL_EVALUATION_SECRETS } from "../../src/config";
import type { Actor } from "../../src/people/actor";

/**
 * The evaluation page in a real browser (Debian's Chromium through playwright-core), on a phone's
 * 360 px screen: answer, change the answer, an expired and a forged link, another delegate's
 * link; every input labelled, problems next to their fields, what was typed kept.
 */
const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package before the tests`);
if (!haveChromium) console.warn(`Skipping the browser tests: ${CHROMIUM} is not installed (apt-get install -y chromium). In CI they must run.`);
const maybe = haveChromium ? describe : describe.skip;

const officerUser = newTeamsUser({ name: "Tara Trainer" });
const officer: Actor = { principal: { tenantId: TEST_TENANT_ID, aadObjectId: officerUser.aadObjectId }, name: officerUser.name };

maybe("the evaluation page in a browser", () => {
  let bot: BotUnderTest;
  let browser: Browser;
  let page: Page;
  let links: { sam: string; aisha: string };
  let sessionId = "";
  const keys = new TrainingKeys(LOCAL_EVALUATION_SECRETS);

  beforeAll(async () => {
    bot = await startBot();
    const s = bot.app.services;
    const t = s.training;
    await s.access.grant({ role: "trainer", agencyId: "*", agencyName: "Partnership", holder: { kind: "person", principal: officer.principal }, name: officer.name, email: "", by: "test" });
    const form = await t.courses.form(officer);
    const course = await t.courses.create(officer, { formId: form.formId, title: "Neglect: <recognising> & responding", kind: "core", outcomes: "Recognise the five categories of neglect\nUse the assessment tool", followUpWeeks: "8", reminderAfter: "3 days", escalationAfter: "7 days" });
    if (!course.created) throw new Error("course not created");
    const courseId = `c-${form.formId}`;
    const sForm = await t.sessions.form(officer, courseId);
    const created = await t.sessions.create(officer, { formId: sForm.formId, courseId, date: "2027-03-03", time: "09:30", duration: "120", mode: "in_person", venue: "Civic Centre", trainer: "Dr Helen Mayhew" });
    if (!created.created) throw new Error("session not created");
    sessionId = `s-${sForm.formId}`;
    const session = await t.sessions.get(sessionId);
    await t.delegates.addMany(officer, session, [
      { name: "Sam Patel", email: "sam.patel@southdown-health.example", agency: "Southdown", managerName: "", managerEmail: "" },
      { name: "Aisha Khan", email: "aisha.khan@st-aidans.example", agency: "St Aidan's", managerName: "", managerEmail: "" },
    ], "csv");
    await t.sessions.close(officer, sessionId);
    const closed = await t.sessions.get(sessionId);
    links = {
      sam: t.answering.link(closed, "end", keys.delegateId({ email: "sam.patel@southdown-health.example" }))!,
      aisha: t.answering.link(closed, "end", keys.delegateId({ email: "aisha.khan@st-aidans.example" }))!,
    };
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage"] });
    page = await browser.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    page.setDefaultTimeout(10_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  const answers = () => bot.app.services.training.deps.answers.list(sessionId);

  test("on a 360 px screen: no sideways scrolling, every input labelled, every choice group under a legend, a strict CSP and no script", async () => {
    const res = await page.goto(links.sam);
    expect(res!.status()).toBe(200);
    expect(res!.headers()["content-security-policy"]).toContain("default-src 'none'");
    expect(res!.headers()["cache-control"]).toBe("no-store");
    expect(await page.title()).toBe("Evaluation: Neglect: <recognising> & responding");
    expect(await page.locator("script").count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll("input, textarea")].filter((el) => !(el as HTMLInputElement).labels?.length || !(el as HTMLInputElement).labels![0].textContent!.trim()).map((el) => el.id));
    expect(unlabelled).toEqual([]);
    const radiosOutsideLegend = await page.evaluate(() => [...document.querySelectorAll("input[type=radio]")].filter((el) => !el.closest("fieldset")?.querySelector("legend")?.textContent?.trim()).length);
    expect(radiosOutsideLegend).toBe(0);
    // Touch targets: each choice is at least 44 px tall.
    const heights = await page.locator("label.opt").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
  });

  test("a form with problems says what is wrong next to each field and keeps what was typed", async () => {
    await page.goto(links.sam);
    await page.getByLabel("What will you do differently in your work? (required)").fill("Talk to the family <first> & listen.");
    await page.getByRole("group", { name: /Overall/ }).getByLabel("5 – Excellent").check();
    await page.getByRole("button", { name: "Save my answers" }).click();
    await page.waitForLoadState();
    await expect(page.locator("[role=alert]").textContent()).resolves.toMatch(/Not saved yet: \d+ answers need attention/);
    expect(await page.getByLabel("What will you do differently in your work? (required)").inputValue()).toBe("Talk to the family <first> & listen.");
    expect(await page.getByRole("group", { name: /Overall/ }).getByLabel("5 – Excellent").isChecked()).toBe(true);
    const trainer = page.locator("#trainer-field");
    expect(await trainer.locator(".problem").textContent()).toBe("Please choose a number from 1 to 5.");
    expect(await page.locator("#trainer-field").getAttribute("aria-describedby")).toBe("trainer-problem");
    expect(await answers()).toHaveLength(0);
  });

  const fillAll = async (overall: string) => {
    const group = (name: RegExp) => page.getByRole("group", { name });
    await group(/Overall/).getByLabel(overall).check();
    await group(/Learning outcome met: Recognise/).getByLabel("Yes").check();
    await group(/Learning outcome met: Use the assessment tool/).getByLabel("Partly").check();
    await group(/before the session/).getByLabel("2 – A little confident").check();
    await group(/How confident do you feel now/).getByLabel("4 – Confident").check();
    await group(/rate the trainer/).getByLabel("5 – Excellent").check();
    await group(/rate the materials/).getByLabel("4 – Very good").check();
    await page.getByLabel("What will you do differently in your work? (required)").fill("Use the tool at every review.");
    await group(/May we quote/).getByLabel("Yes, you may quote me anonymously").check();
  };

  test("answering saves; opening the link again shows the answer; answering again changes it, never adds one", async () => {
    await page.goto(links.sam);
    await fillAll("4 – Very good");
    await page.getByRole("button", { name: "Save my answers" }).click();
    await page.waitForURL(/saved=first/);
    expect(await page.locator("[role=status]").textContent()).toContain("Thank you: your answers are saved.");
    expect((await answers()).map((a) => a.answers.kind === "end" && a.answers.overall)).toEqual([4]);

    await page.goto(links.sam);
    expect(await page.getByRole("group", { name: /Overall/ }).getByLabel("4 – Very good").isChecked()).toBe(true);
    await page.getByRole("group", { name: /Overall/ }).getByLabel("2 – Fair").check();
    await page.getByRole("button", { name: "Save my changes" }).click();
    await page.waitForURL(/saved=changed/);
    expect(await page.locator("[role=status]").textContent()).toContain("Your answers are changed.");
    expect((await answers()).map((a) => a.answers.kind === "end" && a.answers.overall)).toEqual([2]);
    expect((await bot.app.services.training.deps.repo.listDelegates(sessionId)).filter((d) => d.endAnsweredAt).map((d) => d.name)).toEqual(["Sam Patel"]);
  });

  test("another delegate's link opens their own, empty evaluation: nothing of anyone else's shows", async () => {
    await page.goto(links.aisha);
    expect(await page.locator("input:checked").count()).toBe(0);
    expect(await page.content()).not.toContain("Use the tool at every review.");
  });

  test("an expired, a forged and a swapped link each get a clear page that shows nothing of the evaluation", async () => {
    const [base, samToken] = links.sam.split("/evaluate/");
    const [sid, kind, sam, expiry, sig] = samToken.split(".");
    const aishaId = links.aisha.split("/evaluate/")[1].split(".")[2];
    const expired = keys.sign({ sessionId: sid, kind: kind as "end", delegateId: sam, expires: Math.floor(Date.now() / 1000) - 60 });
    const swapped = [sid, kind, aishaId, expiry, sig].join(".");
    const cases: Array<[string, number, string]> = [
      [`${base}/evaluate/${expired}`, 410, "This evaluation has closed"],
      [`${base}/evaluate/${samToken.slice(0, -2)}${samToken.endsWith("xy") ? "yx" : "xy"}`, 404, "This link does not work"],
      [`${base}/evaluate/${swapped}`, 404, "This link does not work"],
      [`${base}/evaluate/not-a-token`, 404, "This link does not work"],
    ];
    for (const [url, status, heading] of cases) {
      const res = await page.goto(url);
      expect({ url, status: res!.status() }).toEqual({ url, status });
      expect(await page.locator("h1").textContent()).toBe(heading);
      const html = await page.content();
      expect(html).not.toContain("Neglect");
      expect(html).not.toContain("Sam");
      expect(await page.locator("form").count()).toBe(0);
    }
    // A forged link's form post changes nothing either.
    const post = await fetch(`${base}/evaluate/${swapped}`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "overall=5" });
    expect(post.status).toBe(404);
    expect(await answers()).toHaveLength(1);
  });
});
