import AdmZip from "adm-zip";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { AppManifestUtils, type AppManifest } from "@microsoft/app-manifest";
import { BOT_COMMANDS } from "../../manifest/commands";
import { AppPackageError, buildAppPackage, buildManifest } from "../../manifest/package";

// @microsoft/app-manifest requires strip-bom 5, which is ESM only: plain Node 20 loads it (require(esm)),
// jest's CommonJS runtime cannot. Stand in for its one function (it is used only when reading files).
jest.mock("strip-bom", () => ({ __esModule: true, default: (s: string) => s.replace(/^\uFEFF/, "") }));

const APP_ID = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b";
const TEST_ENV = {
  MicrosoftAppId: APP_ID,
  BOT_DOMAIN: "sa-bot-test.azurewebsites.net",
  APP_VERSION: "1.2.3",
  DEVELOPER_NAME: "Test Safeguarding Partnership",
  DEVELOPER_WEBSITE_URL: "https://partnership.example.org/",
  DEVELOPER_PRIVACY_URL: "https://partnership.example.org/privacy",
  DEVELOPER_TERMS_URL: "https://partnership.example.org/terms",
};

/** Reads width and height straight from the IHDR chunk (independent of the code under test). */
function ihdr(png: Buffer): { width: number; height: number; colourType: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.toString("ascii", 12, 16)).toBe("IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colourType: png[25]! };
}

/** Decodes an 8-bit RGBA, non-interlaced PNG into raw pixels (undoing the five scanline filters). */
function rgbaPixels(png: Buffer): { width: number; height: number; pixels: Buffer } {
  const { width, height, colourType } = ihdr(png);
  expect([colourType, png[24], png[28]]).toEqual([6, 8, 0]); // RGBA, 8 bits, not interlaced
  const idat: Buffer[] = [];
  for (let off = 8; off < png.length; ) {
    const len = png.readUInt32BE(off);
    if (png.toString("ascii", off + 4, off + 8) === "IDAT") idat.push(png.subarray(off + 8, off + 8 + len));
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= 4 ? pixels[y * stride + x - 4]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= 4 && y > 0 ? pixels[(y - 1) * stride + x - 4]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
      pixels[y * stride + x] = (v + predictor) & 0xff;
    }
  }
  return { width, height, pixels };
}

let outDir: string;
let fetchSpy: jest.SpyInstance;
beforeEach(() => {
  outDir = mkdtempSync(join(tmpdir(), "appPackage-"));
  // Validation must work offline: the schema comes from the package, never from the network.
  fetchSpy = jest.spyOn(globalThis, "fetch").mockRejectedValue(new Error("no network in tests"));
});
afterEach(() => {
  expect(fetchSpy).not.toHaveBeenCalled();
  fetchSpy.mockRestore();
  rmSync(outDir, { recursive: true, force: true });
});

describe("Teams app manifest", () => {
  it("fills the template from the environment and validates against the bundled schema", async () => {
    const { manifest, problems } = buildManifest(TEST_ENV);
    expect(problems).toEqual([]);
    expect(JSON.stringify(manifest)).not.toContain("${{");
    expect(manifest.manifestVersion).toBe("1.22");
    expect(manifest.$schema).toContain("/v1.22/");
    expect(manifest.id).toBe(APP_ID);
    expect(manifest.version).toBe("1.2.3");
    expect(manifest.name.short).toBe("Safeguarding Assurance");
    expect(manifest.validDomains).toEqual(["sa-bot-test.azurewebsites.net"]);
    expect(manifest.developer.privacyUrl).toBe("https://partnership.example.org/privacy");
    const bot = manifest.bots[0];
    expect(bot.botId).toBe(APP_ID);
    expect(bot.scopes).toEqual(["personal", "team", "groupChat"]);
    expect(bot.supportsFiles).toBe(true);
    // Private channels: the bot reads the channel's own members (resource-specific consent).
    expect(manifest.authorization.permissions.resourceSpecific).toEqual([{ name: "ChannelMember.Read.Group", type: "Application" }]);
    expect(manifest.webApplicationInfo).toEqual({ id: APP_ID, resource: `api://botid-${APP_ID}` });

    expect(await AppManifestUtils.validateAgainstSchema(manifest as unknown as AppManifest)).toEqual([]);
  });

  it("the offline validator really checks (a too long short description is reported)", async () => {
    const { manifest } = buildManifest(TEST_ENV);
    manifest.description.short = "x".repeat(81);
    const errors = await AppManifestUtils.validateAgainstSchema(manifest as unknown as AppManifest);
    expect(errors.join("\n")).toContain("/description/short");
  });

  it("builds commandLists from BOT_COMMANDS, one list per scope", () => {
    const { manifest } = buildManifest(TEST_ENV);
    const lists: { scopes: string[]; commands: { title: string; description: string }[] }[] = manifest.bots[0].commandLists;
    for (const scope of ["personal", "team", "groupChat"] as const) {
      const inManifest = lists.filter((l) => l.scopes.includes(scope));
      expect(inManifest).toHaveLength(1);
      const expected = BOT_COMMANDS.filter((c) => (c.scopes as readonly string[]).includes(scope)).map((c) => ({
        title: c.command,
        description: c.description,
      }));
      expect(inManifest[0]!.commands).toEqual(expected);
    }
    // The exact commands of the bot.
    expect(lists.find((l) => l.scopes.includes("personal"))!.commands.map((c) => c.title)).toEqual([
      "help", "audit", "continue", "review", "signoffs", "admin", "status", "whoami", "digest", "training",
    ]);
    expect(lists.find((l) => l.scopes.includes("team"))!.commands.map((c) => c.title)).toEqual(["help", "digest", "add delegates"]);
    expect(lists.find((l) => l.scopes.includes("groupChat"))!.commands.map((c) => c.title)).toEqual(["help", "add delegates"]);
  });

  it("uses AAD_APP_ID_URI as webApplicationInfo's resource when set", async () => {
    const { manifest, problems } = buildManifest({ ...TEST_ENV, AAD_APP_ID_URI: `api://sso.example.org/botid-${APP_ID}` });
    expect(problems).toEqual([]);
    expect(manifest.webApplicationInfo).toEqual({ id: APP_ID, resource: `api://sso.example.org/botid-${APP_ID}` });
    expect(await AppManifestUtils.validateAgainstSchema(manifest as unknown as AppManifest)).toEqual([]);
  });

  it("icons have the sizes Teams requires and are RGBA (transparent background possible)", () => {
    const color = ihdr(readFileSync(join(__dirname, "../../manifest/color.png")));
    const outline = ihdr(readFileSync(join(__dirname, "../../manifest/outline.png")));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    expect(outline.colourType).toBe(6);
  });

  it("outline icon is white on a transparent background", () => {
    const { width, height, pixels } = rgbaPixels(readFileSync(join(__dirname, "../../manifest/outline.png")));
    let visible = 0;
    for (let i = 0; i < width * height; i++) {
      const [r, g, b, a] = pixels.subarray(i * 4, i * 4 + 4);
      if (a === 0) continue;
      visible++;
      expect([r, g, b]).toEqual([255, 255, 255]);
    }
    expect(pixels[3]).toBe(0); // top-left corner is transparent
    expect(visible).toBeGreaterThan(50);
    expect(visible).toBeLessThan(width * height * 0.6);
  });

  it("writes appPackage.zip with manifest.json and the two icons at its root", async () => {
    const result = await buildAppPackage(TEST_ENV, outDir);
    expect(result.zipPath).toBe(join(outDir, "appPackage.zip"));
    expect(result.warnings).toEqual([]);

    const zip = new AdmZip(result.zipPath);
    const names = zip.getEntries().map((e) => e.entryName).sort();
    expect(names).toEqual(["color.png", "manifest.json", "outline.png"]);

    const manifest = JSON.parse(zip.readAsText("manifest.json"));
    expect(manifest.bots[0].botId).toBe(APP_ID);
    expect(await AppManifestUtils.validateAgainstSchema(manifest)).toEqual([]);
    expect(ihdr(zip.readFile("color.png")!)).toMatchObject({ width: 192, height: 192 });
    expect(ihdr(zip.readFile("outline.png")!)).toMatchObject({ width: 32, height: 32 });
  });

  it("defaults APP_VERSION to package.json's version and warns about default developer URLs", async () => {
    const pkgVersion = JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")).version;
    const result = await buildAppPackage({ MicrosoftAppId: APP_ID, BOT_DOMAIN: "bot.example.org" }, outDir);
    expect(result.manifest.version).toBe(pkgVersion);
    expect(result.warnings.join("\n")).toContain("DEVELOPER_PRIVACY_URL");
  });

  it("refuses to build without MicrosoftAppId, with a clear message and no zip", async () => {
    const { MicrosoftAppId: _omitted, ...env } = TEST_ENV;
    const error = await buildAppPackage(env, outDir).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppPackageError);
    expect((error as AppPackageError).problems).toEqual([expect.stringMatching(/^MicrosoftAppId is not set/)]);
    expect((error as Error).message).toContain("MicrosoftAppId is not set");
    expect(() => new AdmZip(join(outDir, "appPackage.zip"))).toThrow();
  });

  it("lists every problem at once: bad GUID, domain with scheme, bad version", async () => {
    const error = await buildAppPackage(
      { ...TEST_ENV, MicrosoftAppId: "not-a-guid", BOT_DOMAIN: "https://bot.example.org/api/messages", APP_VERSION: "1.0" },
      outDir,
    ).catch((e: AppPackageError) => e);
    const problems = (error as AppPackageError).problems.join("\n");
    expect(problems).toContain('MicrosoftAppId "not-a-guid" is not a GUID');
    expect(problems).toContain('try "bot.example.org"');
    expect(problems).toContain("APP_VERSION");
  });
});
