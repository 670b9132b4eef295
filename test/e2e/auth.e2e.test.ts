import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { startBot, type BotUnderTest } from "../support/botUnderTest";
import { startFakeEntra, type FakeEntra } from "../support/fakeEntra";
import { postActivity } from "../support/http";
import { plain, textOf } from "../support/cardTools";
import { invokeAction, message, newTeamsUser, TEST_TENANT_ID } from "../support/teamsActivity";

/**
 * Bot Framework authentication, end to end: the real bot with a registered app id, whose
 * botbuilder fetches OpenID metadata and signing keys from a local stand-in for the Bot
 * Framework's issuer (test/support/fakeEntra.ts). Every request without a valid token signed by
 * a published key, for this bot, from the right issuer, is refused with 401 and runs nothing.
 */
const APP_ID = randomUUID();
const user = newTeamsUser({ name: "Ada Auth" });
let entra: FakeEntra;
let bot: BotUnderTest;
let serviceUrl: string;

// botbuilder's token validation prints refused tokens' keys and errors with console.error; the
// assertions below are on status codes and bodies, so keep the run's output readable.
let quietConsole: jest.SpyInstance;
beforeAll(() => {
  quietConsole = jest.spyOn(console, "error").mockImplementation(() => undefined);
});
afterAll(() => quietConsole.mockRestore());

beforeAll(async () => {
  entra = await startFakeEntra();
  bot = await startBot({
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: "not-a-real-secret",
    MicrosoftAppType: "SingleTenant",
    MicrosoftAppTenantId: TEST_TENANT_ID,
    ...entra.botSettings(),
  });
  serviceUrl = bot.connector.serviceUrl;
  bot.addToRoster(user);
});

afterAll(async () => {
  await bot?.stop();
  await entra?.close();
});

const helpInvoke = () => invokeAction(user, "cmd", { command: "help" }, { serviceUrl });
const validToken = (overrides: Partial<Parameters<FakeEntra["channelToken"]>[0]> = {}) => entra.channelToken({ audience: APP_ID, serviceUrl, ...overrides });
const post = (activity: unknown, authorization?: string) => postActivity(bot.url, activity, authorization === undefined ? {} : { Authorization: authorization });

/** A refusal says nothing about why: no library message, key or token detail. */
function expectBareRefusal(res: { status: number; body: unknown }) {
  expect(res.status).toBe(401);
  const text = JSON.stringify(res.body ?? "");
  expect(text).not.toMatch(/signature|jwt|token|key|issuer|audience|expired|BEGIN|claim|serviceurl/i);
}

test("the bot uses the configured OpenID metadata (config.raw reaches the adapter)", async () => {
  const res = await post(helpInvoke(), `Bearer ${validToken()}`);
  expect(res.status).toBe(200);
  expect(entra.requests).toEqual(expect.arrayContaining(["GET /.well-known/openid-configuration", "GET /keys"]));
});

test("a valid token with the right issuer and audience is accepted and the invoke answers with a card", async () => {
  const res = await post(helpInvoke(), `Bearer ${validToken()}`);
  expect(res.status).toBe(200);
  expect(res.body.statusCode).toBe(200);
  expect(res.body.type).toBe("application/vnd.microsoft.card.adaptive");
  expect(res.body.value.type).toBe("AdaptiveCard");
  expect(plain(textOf(res.body.value)).length).toBeGreaterThan(20);
  // The answer travels in the HTTP response: nothing was sent to the Bot Connector.
  expect(bot.connector.requests).toHaveLength(0);
});

test("no Authorization header → 401", async () => {
  expectBareRefusal(await post(helpInvoke()));
});

test("a malformed token → 401", async () => {
  expectBareRefusal(await post(helpInvoke(), "Bearer not.a.jwt"));
  expectBareRefusal(await post(helpInvoke(), "Bearer"));
  expectBareRefusal(await post(helpInvoke(), "Basic dXNlcjpwYXNz"));
  expectBareRefusal(await post(helpInvoke(), `Bearer ${"x".repeat(5000)}`));
});

test("a token signed by a key that is not published (other kid, other key) → 401", async () => {
  expectBareRefusal(await post(helpInvoke(), `Bearer ${validToken({ key: entra.newKey() })}`));
});

test("a token with the published kid but a signature that does not verify → 401, not 500", async () => {
  // Signed with another key under the published kid.
  expectBareRefusal(await post(helpInvoke(), `Bearer ${validToken({ key: entra.newKey(), kid: entra.key.kid })}`));
  // A valid token whose payload was changed after signing (audience and service URL kept).
  const [h, , s] = validToken().split(".");
  const forged = Buffer.from(JSON.stringify({ iss: entra.issuer, aud: APP_ID, serviceurl: serviceUrl, nbf: 0, exp: 4102444800, admin: true })).toString("base64url");
  expectBareRefusal(await post(helpInvoke(), `Bearer ${h}.${forged}.${s}`));
  // The signature stripped off.
  expectBareRefusal(await post(helpInvoke(), `Bearer ${h}.${forged}.`));
});

test("unsigned (alg none) and HMAC-with-the-public-key tokens → 401", async () => {
  const payload = { iss: entra.issuer, aud: APP_ID, serviceurl: serviceUrl, nbf: Math.floor(Date.now() / 1000) - 60, exp: Math.floor(Date.now() / 1000) + 3600 };
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
  expectBareRefusal(await post(helpInvoke(), `Bearer ${enc({ alg: "none", typ: "JWT", kid: entra.key.kid })}.${enc(payload)}.`));
  const { createHmac } = await import("node:crypto");
  const pem = entra.key.publicKey.export({ format: "pem", type: "spki" }).toString();
  const input = `${enc({ alg: "HS256", typ: "JWT", kid: entra.key.kid })}.${enc(payload)}`;
  const mac = createHmac("sha256", pem).update(input).digest("base64url");
  expectBareRefusal(await post(helpInvoke(), `Bearer ${input}.${mac}`));
});

test("a token for another bot (wrong audience) → 401", async () => {
  expectBareRefusal(await post(helpInvoke(), `Bearer ${validToken({ audience: randomUUID() })}`));
});

test("an expired token → 401; one not valid yet → 401", async () => {
  // botbuilder allows 5 minutes of clock skew.
  expectBareRefusal(await post(helpInvoke(), `Bearer ${validToken({ expiresIn: -3600, notBefore: -7200 })}`));
  expectBareRefusal(await post(helpInvoke(), `Bearer ${validToken({ notBefore: 3600, expiresIn: 7200 })}`));
});

test("a token from another issuer, or for another service URL → 401", async () => {
  expectBareRefusal(await post(helpInvoke(), `Bearer ${validToken({ issuer: "https://api.botframework.com" })}`));
  expectBareRefusal(await post(helpInvoke(), `Bearer ${validToken({ serviceUrl: "https://smba.trafficmanager.net/uk/" })}`));
});

test("a refused message runs nothing: no reply, no roster lookup, nobody stored", async () => {
  const stranger = newTeamsUser({ name: "Sid Spoof" });
  bot.addToRoster(stranger);
  const before = bot.connector.requests.length;
  const msg = message(stranger, "hi", { serviceUrl });
  expectBareRefusal(await post(msg));
  expectBareRefusal(await post(msg, `Bearer ${validToken({ key: entra.newKey(), kid: entra.key.kid })}`));
  expectBareRefusal(await post(msg, `Bearer ${validToken({ audience: randomUUID() })}`));
  expect(bot.connector.requests.length).toBe(before);
  expect(await bot.app.services.people.get({ tenantId: stranger.tenantId, aadObjectId: stranger.aadObjectId })).toBeUndefined();
});

test("when the issuer's keys cannot be fetched the request is refused with 503 (ours to fix), and nothing runs", async () => {
  const gone = await startFakeEntra();
  const settings = gone.botSettings();
  await gone.close();
  const blind = await startBot({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: "not-a-real-secret", MicrosoftAppType: "SingleTenant", MicrosoftAppTenantId: TEST_TENANT_ID, ...settings });
  try {
    const res = await postActivity(blind.url, message(user, "hi", { serviceUrl: blind.connector.serviceUrl }), { Authorization: `Bearer ${gone.channelToken({ audience: APP_ID, serviceUrl: blind.connector.serviceUrl })}` });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: "authentication unavailable" });
    expect(blind.connector.requests).toHaveLength(0);
    // No token at all is still a plain 401: nothing needs fetching to refuse it.
    expect((await postActivity(blind.url, message(user, "hi", { serviceUrl: blind.connector.serviceUrl }))).status).toBe(401);
  } finally {
    await blind.stop();
  }
});

test("with an app id the server listens on all interfaces", () => {
  expect((bot.app.server.address() as AddressInfo).address).toBe("0.0.0.0");
});

test("in local mode (no app id) it listens on 127.0.0.1 only and needs no token", async () => {
  const local = await startBot({});
  try {
    expect((local.app.server.address() as AddressInfo).address).toBe("127.0.0.1");
    expect(local.app.services.config.localMode).toBe(true);
    const res = await postActivity(local.url, invokeAction(user, "cmd", { command: "help" }, { serviceUrl: local.connector.serviceUrl }));
    expect(res.status).toBe(200);
    expect(res.body.type).toBe("application/vnd.microsoft.card.adaptive");
    // A turn that genuinely fails (here the Bot Connector refuses the reply) is still a 500, without details.
    local.connector.failNext(1, 403);
    const failed = await postActivity(local.url, message(user, "help", { serviceUrl: local.connector.serviceUrl }));
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ error: "turn failed" });
  } finally {
    await local.stop();
  }
});
