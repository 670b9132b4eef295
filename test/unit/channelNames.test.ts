import { channelNamesOf, MAX_PLACE_NAME } from "../../src/bot/place";

/** The team's and channel's names as read from a channel activity's channelData: validated, never trusted as shape. */
test("names Teams sends are kept, control characters removed and cut to the limit", () => {
  expect(channelNamesOf({ channelData: { team: { id: "t", name: "  Safeguarding\nExecutive " }, channel: { id: "c", name: "Exec\u0000board" } } })).toEqual({ teamName: "Safeguarding Executive", channelName: "Exec board" });
  expect(channelNamesOf({ channelData: { team: { id: "t", name: "y".repeat(1000) } } }).teamName).toHaveLength(MAX_PLACE_NAME);
});

test("missing or malformed names give none, and never throw", () => {
  expect(channelNamesOf({})).toEqual({});
  expect(channelNamesOf({ channelData: { team: { id: "t" }, channel: { id: "c" } } })).toEqual({});
  expect(channelNamesOf({ channelData: { team: { name: 42 }, channel: "General" } })).toEqual({});
  expect(channelNamesOf({ channelData: { team: null, channel: { name: ["x"] } } })).toEqual({});
  expect(channelNamesOf({ channelData: { team: { name: "   " } } })).toEqual({});
});
