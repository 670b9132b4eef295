/** Pure rules of the delivery pipeline: Retry-After, backoff, recipient keys, e-mail files. */
import { backoffMs, parseRetryAfter, throttleDelayMs } from "../../src/delivery/retryPolicy";
import { recipientKeyOf, enqueueItemSchema } from "../../src/delivery/types";
import { toEml } from "../../src/delivery/fileEmail";
import { errorKind } from "../../src/schedule/errorKind";

const now = new Date("2026-03-02T09:00:00Z");

it("reads Retry-After as seconds or an HTTP date", () => {
  expect(parseRetryAfter("3", now)).toBe(3000);
  expect(parseRetryAfter("0.5", now)).toBe(500);
  expect(parseRetryAfter("Mon, 02 Mar 2026 09:00:10 GMT", now)).toBe(10_000);
  expect(parseRetryAfter("Mon, 02 Mar 2026 08:00:00 GMT", now)).toBe(0);
  expect(parseRetryAfter("soon", now)).toBeUndefined();
  expect(parseRetryAfter(null, now)).toBeUndefined();
  expect(parseRetryAfter("999999", now)).toBe(60 * 60_000);
});

it("backs off exponentially with equal jitter, capped", () => {
  expect(backoffMs(1, 2000, 60_000, () => 0)).toBe(1000);
  expect(backoffMs(1, 2000, 60_000, () => 1)).toBe(2000);
  expect(backoffMs(3, 2000, 60_000, () => 0)).toBe(4000);
  expect(backoffMs(20, 2000, 60_000, () => 1)).toBe(60_000);
  expect(throttleDelayMs(undefined, 5000, () => 1)).toBe(7500);
  expect(throttleDelayMs(1200, 5000)).toBe(1200);
});

it("keys recipients case-insensitively and validates items at the boundary", () => {
  expect(recipientKeyOf({ kind: "person", tenantId: "T", aadObjectId: "O" })).toEqual(["p", "t", "o"]);
  expect(recipientKeyOf({ kind: "email", email: " A@B.example " })).toEqual(["e", "a@b.example"]);
  expect(enqueueItemSchema.safeParse({ recipient: { kind: "email", email: "not an address" }, kind: "k" }).success).toBe(false);
  expect(enqueueItemSchema.safeParse({ recipient: { kind: "person", tenantId: "t", aadObjectId: "o" }, kind: "k", params: { big: "x".repeat(9000) } }).success).toBe(false);
});

it("writes .eml files without header injection", () => {
  const eml = toEml({ to: { email: "a@b.example", name: "Eve\r\nBcc: everyone@x" }, subject: "Hi\r\nBcc: x@y", text: "t", html: "<p>h</p>" }, "Bot <bot@localhost>", now, "id1");
  const headers = eml.split("\r\n\r\n")[0].split("\r\n");
  expect(headers.filter((h) => /^Bcc:/i.test(h))).toHaveLength(0);
  expect(headers).toContain("Subject: Hi Bcc: x@y");
});

it("keeps an error's kind and status, never its message", () => {
  expect(errorKind(Object.assign(new Error("Jane's evidence"), { statusCode: 503 }))).toBe("Error 503");
  expect(errorKind(new SyntaxError("Unexpected token in 'private text'"))).toBe("SyntaxError");
});
