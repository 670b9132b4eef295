import { execFileSync } from "node:child_process";
import { join } from "node:path";

/**
 * The playground listens with a bare port (all interfaces) and has no option for its host: the
 * preload npm start gives it must turn that into 127.0.0.1, in a real Node process.
 */
test("a server that listens without a host binds to 127.0.0.1 under the preload", () => {
  const shim = join(__dirname, "..", "..", "src", "dev", "loopbackOnly.ts");
  const script = `
    const http = require("node:http");
    const results = [];
    const done = () => { if (results.length === 3) { console.log(JSON.stringify(results)); process.exit(0); } };
    for (const listen of [(s, cb) => s.listen(0, cb), (s, cb) => s.listen({ port: 0 }, cb), (s, cb) => s.listen(0, "127.0.0.1", cb)]) {
      const s = http.createServer();
      listen(s, () => { results.push(s.address().address); s.close(); done(); });
    }`;
  const out = execFileSync(process.execPath, ["--require", require.resolve("tsx/cjs"), "--require", shim, "-e", script], { encoding: "utf8" });
  expect(JSON.parse(out.trim())).toEqual(["127.0.0.1", "127.0.0.1", "127.0.0.1"]);
});
