import { ActivityTypes, type Activity } from "botbuilder";

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * A card action invoke ("adaptiveCard/action") as the bot's router reads it. teams-ai routes one
 * only when its action is an Action.Execute with a string verb; a forged or broken card (a number,
 * an array or an object as the verb, another action type, no action at all) was left unanswered
 * (HTTP 501, an error in Teams) or failed the turn. Before routing, the action becomes an
 * Action.Execute whose verb is the string sent, or "" (answered "this button is not available");
 * the data goes on as sent, for the route's schema to judge.
 */
export function normaliseCardAction(activity: Partial<Activity>): void {
  if (activity.type !== ActivityTypes.Invoke || activity.name !== "adaptiveCard/action") return;
  const value = isObject(activity.value) ? activity.value : {};
  const action = isObject(value.action) ? value.action : {};
  activity.value = { ...value, action: { ...action, type: "Action.Execute", verb: typeof action.verb === "string" ? action.verb : "" } };
}
