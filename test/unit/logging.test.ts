import { Writable } from "node:stream";
import pino from "pino";
import { errorFields } from "../../src/log";

test("an error is logged by kind and place, never by a message that quotes what someone typed", () => {
  let parsed: unknown;
  try {
    JSON.parse('{"evidence": "Child A disclosed to Ms Smith on 3 May"');
  } catch (e) {
    parsed = e;
  }
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } });
  pino({ level: "info" }, sink).error(errorFields(parsed), "turn failed");
  const text = lines.join("");
  expect(text).toContain('"err":"SyntaxError"');
  expect(text).toContain('"at":"at ');
  expect(text).not.toContain("Child A");
  expect(text).not.toContain("Smith");
});
