import { ConfigError, loadConfig } from "../../src/config";
import { decodeKeyPart, encodeKeyPart, key, splitKey } from "../../src/storage/keys";
import fc from "fast-check";

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

  test("local users are admins only in local mode", () => {
    const c = loadConfig({ MicrosoftAppId: "11111111-1111-1111-1111-111111111111", MicrosoftAppPassword: "s", LOCAL_USERS_ARE_ADMINS: "true" });
    expect(c.LOCAL_USERS_ARE_ADMINS).toBe(false);
  });
});

describe("table keys", () => {
  test("characters Azure Tables forbids never reach a key, and every key splits back into its parts", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 4 }), (parts) => {
        const k = key(...parts);
        expect(k).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
        expect(splitKey(k)).toEqual(parts);
      }),
    );
  });

  test("encoding is readable for ordinary ids", () => {
    expect(encodeKeyPart("southdown-health")).toBe("southdown-health");
    expect(decodeKeyPart(encodeKeyPart("a/b#c?d|e%"))).toBe("a/b#c?d|e%");
  });
});
