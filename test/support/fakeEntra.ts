/**
 * A stand-in for the Bot Framework's token issuer (what botbuilder calls the channel's OpenID
 * metadata): a plain node `http` server on 127.0.0.1 publishing an OpenID configuration and a
 * JWKS with one RSA key, plus a signer for RS256 tokens shaped like the ones the Bot Connector
 * puts in `Authorization: Bearer ...` when it posts an activity to a bot.
 *
 *   const entra = await startFakeEntra();
 *   const bot = await startBot({ MicrosoftAppId, ..., ...entra.botSettings() });
 *   const token = entra.channelToken({ audience: MicrosoftAppId, serviceUrl: activity.serviceUrl });
 *   await postActivity(bot.url, activity, { Authorization: `Bearer ${token}` });
 *
 * Routes:
 *   GET /.well-known/openid-configuration → { issuer, jwks_uri, id_token_signing_alg_values_supported: ["RS256"] }
 *   GET /keys                             → { keys: [{ kty:"RSA", use:"sig", kid, n, e, endorsements:["msteams"] }] }
 * Anything else → 404. Every request is counted in `requests`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface ChannelTokenOptions {
  /** The bot's app id (the `aud` claim). */
  audience: string;
  /** The activity's serviceUrl (the `serviceurl` claim botbuilder compares with it). */
  serviceUrl: string;
  /** Default: the fake's issuer. */
  issuer?: string;
  /** Seconds from now; negative for an expired token. Default 3600. */
  expiresIn?: number;
  /** Seconds from now for `nbf`. Default -60. */
  notBefore?: number;
  /** Sign with this key (default: the published one). */
  key?: SigningKey;
  /** Put this `kid` in the header (default: the signing key's). */
  kid?: string;
  /** Extra or overriding claims. */
  claims?: Record<string, unknown>;
}

export interface FakeEntra {
  /** "http://127.0.0.1:<port>" */
  readonly url: string;
  readonly issuer: string;
  readonly openIdMetadataUrl: string;
  /** The key whose public half is published. */
  readonly key: SigningKey;
  /** Requests received, e.g. "GET /keys". */
  readonly requests: string[];
  /** botbuilder's own settings that point the bot at this fake instead of login.botframework.com. */
  botSettings(): { ToBotFromChannelOpenIdMetadataUrl: string; ToBotFromChannelTokenIssuer: string };
  /** A fresh RSA key pair that is NOT published. */
  newKey(kid?: string): SigningKey;
  /** Signs any header/payload as a compact RS256 JWS. */
  sign(payload: Record<string, unknown>, key?: SigningKey, headerOverrides?: Record<string, unknown>): string;
  /** A token as the Bot Connector sends it to a bot. */
  channelToken(opts: ChannelTokenOptions): string;
  close(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

function newSigningKey(kid: string = randomUUID()): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 0x10001 });
  return { kid, privateKey, publicKey };
}

export function signJwt(payload: Record<string, unknown>, key: SigningKey, headerOverrides: Record<string, unknown> = {}): string {
  const header = { alg: "RS256", typ: "JWT", kid: key.kid, ...headerOverrides };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const signature = sign("RSA-SHA256", Buffer.from(input), key.privateKey);
  return `${input}.${b64url(signature)}`;
}

export async function startFakeEntra(): Promise<FakeEntra> {
  const key = newSigningKey();
  const requests: string[] = [];
  let base = "";

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    requests.push(`${req.method} ${path}`);
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": String(Buffer.byteLength(text)) });
      res.end(text);
    };
    if (req.method !== "GET") return json(405, { error: "method not allowed" });
    if (path === "/.well-known/openid-configuration") {
      return json(200, { issuer: base, jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ["RS256"], token_endpoint_auth_methods_supported: ["private_key_jwt"] });
    }
    if (path === "/keys") {
      const jwk = key.publicKey.export({ format: "jwk" }) as { kty: string; n: string; e: string };
      return json(200, { keys: [{ kty: jwk.kty, use: "sig", kid: key.kid, n: jwk.n, e: jwk.e, endorsements: ["msteams"] }] });
    }
    json(404, { error: "not found" });
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = base;

  const fake: FakeEntra = {
    url: base,
    issuer,
    openIdMetadataUrl: `${base}/.well-known/openid-configuration`,
    key,
    requests,
    botSettings: () => ({ ToBotFromChannelOpenIdMetadataUrl: `${base}/.well-known/openid-configuration`, ToBotFromChannelTokenIssuer: issuer }),
    newKey: (kid) => newSigningKey(kid),
    sign: (payload, signingKey = key, headerOverrides = {}) => signJwt(payload, signingKey, headerOverrides),
    channelToken(opts) {
      const now = Math.floor(Date.now() / 1000);
      const signingKey = opts.key ?? key;
      const payload = {
        iss: opts.issuer ?? issuer,
        aud: opts.audience,
        serviceurl: opts.serviceUrl,
        nbf: now + (opts.notBefore ?? -60),
        iat: now + (opts.notBefore ?? -60),
        exp: now + (opts.expiresIn ?? 3600),
        ...opts.claims,
      };
      return signJwt(payload, signingKey, opts.kid ? { kid: opts.kid } : {});
    },
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections?.();
        server.close(() => res());
      }),
  };
  return fake;
}
