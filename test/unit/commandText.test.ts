import { RouteTable } from "../../src/bot/routing";
import { messageReply } from "../../src/cards/reply";
import type { CommandRoute } from "../../src/routes";

/** Commands that take text after their name (`delegate data name@agency.org`) and those that do not. */
const route = (name: string, takesText = false): CommandRoute => ({ name, takesText, run: async () => messageReply(name, name) });
const table = new RouteTable([{ commands: [route("training"), route("delegate data", true), route("erase delegate", true)] }]);

test("a command taking text gets what follows its name as typed; one that does not is matched only whole", () => {
  expect(table.commandWithText("delegate data")).toMatchObject({ route: { name: "delegate data" }, after: "" });
  expect(table.commandWithText("  Delegate Data  Priya.Shah@Westmere.example ")).toMatchObject({ route: { name: "delegate data" }, after: "Priya.Shah@Westmere.example" });
  expect(table.commandWithText("erase delegate =cmd|' /C calc'!A0")?.after).toBe("=cmd|' /C calc'!A0");
  expect(table.commandWithText("training now")).toBeUndefined();
  expect(table.commandWithText("delegate database")).toBeUndefined();
  expect(table.command("Training.")?.name).toBe("training");
});
