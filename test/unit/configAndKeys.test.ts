import { ConfigError, loadConfig } from "../../src/config";
import { decodeKeyPart, encodeKeyPart, isStorableKey, key, splitKey } from "../../src/storage/keys";
import fc from "fast-check";

/** What a registered bot needs for the evaluation links (see the training tests for their own checks). */
const EVALUATION_SETTINGS = { PUBLIC_BASE_URL: "https://sa-bot.example", EVALUATION_LINK_SECRET: "l".repeat(40), EVALUATION_PSEUDONYM_SECRET: "p".repeat(40) };

describe("configuration", () => {
  test("defaults give local mode on port 3978", () => {
    const c = loadConfig({});
    expect(c.localMode).toBe(true);
    expect(c.PORT).toBe(3978);
    expect(c.ALLOWED_TENANT_IDS).toEqual([]);
  });

  test("every problem is listed at once, with how to fix it", () => {
    try {
      loadConfig({ MicrosoftAppId: "not-a-guid", PORT: "eighty", ALLOWED_TENANT_IDS: "abc", TABLES_CONNECTION_STRING: "x=y", TABLES_ENDPOINT: "https://a.table.core.windows.net" });
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const text = (e as Error).message;
      expect(text).toContain("MicrosoftAppId: must be the bot's app (client) id, a GUID");
      expect(text).toContain("PORT");
      expect(text).toContain("ALLOWED_TENANT_IDS");
      expect(text).toContain("not both");
      expect(text).toContain(".env.example");
    }
  });

  test("a registered bot needs its secret, and single-tenant needs the tenant", () => {
    expect(() => loadConfig({ MicrosoftAppId: "11111111-1111-1111-1111-111111111111", MicrosoftAppType: "SingleTenant" })).toThrow(/MicrosoftAppPassword[\s\S]*MicrosoftAppTenantId/);
  });

  test("a Key Vault reference App Service could not resolve is refused, not used as the secret", () => {
    // App Service leaves an unresolvable reference as its literal text: 80 known characters would pass as a "secret".
    const unresolved = "@Microsoft.KeyVault(SecretUri=https://kv-abc.vault.azure.net/secrets/evaluation-link-secret/)";
    const registered = { MicrosoftAppId: "11111111-1111-1111-1111-111111111111", MicrosoftAppType: "UserAssignedMSI", MicrosoftAppTenantId: "22222222-2222-2222-2222-222222222222", PUBLIC_BASE_URL: "https://app-x.azurewebsites.net", EVALUATION_PSEUDONYM_SECRET: "p".repeat(40) };
    expect(() => loadConfig({ ...registered, EVALUATION_LINK_SECRET: unresolved })).toThrow(/EVALUATION_LINK_SECRET: is a Key Vault reference App Service could not resolve/);
    expect(() => loadConfig({ ...registered, EVALUATION_LINK_SECRET: "l".repeat(40) })).not.toThrow();
  });

  test("local users are admins only in local mode", () => {
    const c = loadConfig({ ...EVALUATION_SETTINGS, MicrosoftAppId: "11111111-1111-1111-1111-111111111111", MicrosoftAppPassword: "s", MicrosoftAppTenantId: "22222222-2222-2222-2222-222222222222", ALLOWED_TENANT_IDS: "22222222-2222-2222-2222-222222222222", LOCAL_USERS_ARE_ADMINS: "true" });
    expect(c.LOCAL_USERS_ARE_ADMINS).toBe(false);
  });

  describe("which organisations may use a registered bot", () => {
    const bot = { ...EVALUATION_SETTINGS, MicrosoftAppId: "11111111-1111-1111-1111-111111111111", MicrosoftAppPassword: "s" };
    const home = "22222222-2222-2222-2222-222222222222";
    const agency = "33333333-3333-3333-3333-333333333333";

    test("a multi-tenant bot with no allow-list refuses to start, saying why", () => {
      expect(() => loadConfig({ ...bot, MicrosoftAppType: "MultiTenant", MicrosoftAppTenantId: home })).toThrow(/ALLOWED_TENANT_IDS: is required for a multi-tenant bot: without it any Microsoft 365 organisation could use the bot/);
    });

    test("an explicit * admits every tenant; the home tenant is then the app's own", () => {
      const c = loadConfig({ ...bot, MicrosoftAppType: "MultiTenant", MicrosoftAppTenantId: home, ALLOWED_TENANT_IDS: "*" });
      expect(c.anyTenant).toBe(true);
      expect(c.homeTenantId).toBe(home);
      expect(() => loadConfig({ ...bot, MicrosoftAppType: "MultiTenant", ALLOWED_TENANT_IDS: "*" })).toThrow(/MicrosoftAppTenantId: set the partnership's own tenant id/);
      expect(() => loadConfig({ ...bot, MicrosoftAppType: "MultiTenant", MicrosoftAppTenantId: home, ALLOWED_TENANT_IDS: `*,${agency}` })).toThrow(/either \* \(every tenant\) or a list/);
    });

    test("a list admits exactly its tenants; the first is home when the app names none", () => {
      const c = loadConfig({ ...bot, MicrosoftAppType: "MultiTenant", ALLOWED_TENANT_IDS: `${home.toUpperCase()},${agency}` });
      expect(c.anyTenant).toBe(false);
      expect(c.ALLOWED_TENANT_IDS).toEqual([home, agency]);
      expect(c.homeTenantId).toBe(home);
    });

    test("a single-tenant bot with no list admits its own tenant only", () => {
      const c = loadConfig({ ...bot, MicrosoftAppType: "SingleTenant", MicrosoftAppTenantId: home });
      expect(c.anyTenant).toBe(false);
      expect(c.ALLOWED_TENANT_IDS).toEqual([home]);
    });

    test("local mode with no list admits any tenant (the playground's)", () => {
      expect(loadConfig({}).anyTenant).toBe(true);
    });
  });
});

describe("table keys", () => {
  test("characters Azure Tables forbids never reach a key, and every key splits back into its parts", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 4 }), (parts) => {
        const k = key(...parts);
        expect(k).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
        expect(isStorableKey(k) || k.length > 1024).toBe(true);
        expect(splitKey(k)).toEqual(parts);
      }),
    );
  });

  test("an id from a card that storage cannot hold as a key is told apart before any read", () => {
    for (const ok of ["c1|plover", "pn-0123456789", "19:abc@thread.tacv2", "x".repeat(1024), "O'Brien's \"Trust\""]) expect(isStorableKey(ok)).toBe(true);
    for (const bad of ["31/12/2027", "a\\b", "a#b", "why?", "tab\there", "\u007f", "x".repeat(1025)]) expect(isStorableKey(bad)).toBe(false);
  });

  test("encoding is readable for ordinary ids", () => {
    expect(encodeKeyPart("southdown-health")).toBe("southdown-health");
    expect(decodeKeyPart(encodeKeyPart("a/b#c?d|e%"))).toBe("a/b#c?d|e%");
  });
});
