import type { BotUnderTest } from "./botUnderTest";
import { actionOf, actionsOf } from "./cardTools";
import type { TeamsUser } from "./teamsActivity";

const RATING_TITLES: Record<string, string> = { fully: "Fully met", partially: "Partially met", not: "Not met", na: "Not applicable" };

/**
 * Opens an indicator as a lead does: on a card that first asks for the rating, presses the rating
 * (by its title, as a person taps it), so the card shows the fields that rating needs and its
 * save buttons. Returns that card.
 */
export async function openWithRating(bot: BotUnderTest, user: TeamsUser, returnId: string, indicatorId: string, rating: string) {
  const step = await bot.invoke(user, "s11.step", { returnId, indicatorId });
  const choose = actionsOf(step.card).find((a) => a.verb === "s11.step" && a.data.rating === rating && a.title === RATING_TITLES[rating]);
  if (!choose) return step;
  return bot.invoke(user, choose.verb, choose.data);
}

/** Answers one indicator through the cards and returns the bot's answer to the save. */
export async function answerIndicator(bot: BotUnderTest, user: TeamsUser, returnId: string, indicatorId: string, fields: Record<string, string | undefined> & { rating: string }, then = "stay") {
  const card = await openWithRating(bot, user, returnId, indicatorId, fields.rating);
  const save = actionOf(card.card, "s11.save");
  return bot.invoke(user, "s11.save", { ...save.data, then, ...fields });
}
