/**
 * Preloaded into the Agents Playground's process (node --require) by `npm start`. The playground
 * relays everything typed in it to the bot as a partnership admin in local mode, and it listens on
 * every network interface with no option to change that, so anyone on the same network could drive
 * admin actions over local data. This makes a listen() without a host bind to 127.0.0.1 instead.
 */
import net from "node:net";

const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function patchedListen(this: net.Server, ...args: unknown[]) {
  const [first, second] = args;
  if (typeof first === "number" || (typeof first === "string" && /^\d+$/.test(first))) {
    // listen(port[, host][, backlog][, cb]): insert the host when none was given.
    if (typeof second !== "string") args.splice(1, 0, "127.0.0.1");
  } else if (first && typeof first === "object" && !Array.isArray(first) && (first as net.ListenOptions).host === undefined && (first as net.ListenOptions).path === undefined) {
    args[0] = { ...(first as net.ListenOptions), host: "127.0.0.1" };
  }
  return listen.apply(this, args as Parameters<typeof listen>);
} as typeof listen;
