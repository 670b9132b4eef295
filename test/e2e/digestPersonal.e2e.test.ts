import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { storageFaults } from "../support/storageFaults";
import { newTeamsUser } from "../support/teamsActivity";
import { plain } from "../support/cardTools";

/** "digest" typed in personal chat: the channel list for admins, a pointer for everyone else, and a storage fault said as one. */
const admin = newTeamsUser({ name: "Ada Admin" });
const exec = newTeamsUser({ name: "Evan Executive" });
const faults = storageFaults();
let bot: BotUnderTest;

beforeAll(async () => {
  bot = await startBot({ ADMIN_AAD_OBJECT_IDS: `${admin.tenantId}:${admin.aadObjectId}` }, { storagePolicies: [faults.policy] });
}, 60_000);
afterAll(async () => bot?.stop());

test("someone who is not an admin is pointed to the Executive's channel", async () => {
  const r = await bot.say(exec, "digest");
  expect(plain(r.text)).toContain("The Section 11 digest goes to your Executive's channel");
});

test("an admin whose storage does not answer is told so, not pointed elsewhere", async () => {
  expect(plain((await bot.say(admin, "digest")).text)).toContain("No channel is registered yet");
  faults.failNext((r) => r.method === "GET" && /Digests/.test(r.url), 5, 503);
  const r = await bot.say(admin, "digest");
  faults.restore();
  expect(plain(r.text)).not.toContain("The Section 11 digest goes to your Executive's channel");
  expect(plain(r.text)).toContain("did not answer");
});
