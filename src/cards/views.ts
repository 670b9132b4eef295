import type { Shown } from "./text";

/**
 * View models shared by every feature, and the registry of card templates. Each feature declares
 * its own cards' views in its folder and adds them to `CardViews` by module augmentation, so a new
 * feature adds cards without editing this file:
 *
 *   declare module "../cards/views" { interface CardViews { myCard: MyCardView } }
 *
 * Fields a card displays as text are `Shown` (see ./text); values sent back to the server (input
 * values, action data, choice values) are plain strings.
 */

/** A button that runs a verb with the minimum data the server needs. Its title is plain text. */
export interface ActionView {
  title: string;
  verb: string;
  data: Record<string, string>;
  /**
   * "execute" (default): Action.Execute, the card is replaced in place by the bot's answer.
   * "submit": Action.Submit with `{ verb, ...data }`, arriving as a message with a value; the
   * bot answers with a new message (used on welcome and help cards, which should stay put).
   */
  kind?: "execute" | "submit";
  /** "positive" for the main action, "default" otherwise. */
  style?: "positive" | "default" | "destructive";
  /** "none" for a button that must not send (or be blocked by) the card's inputs, such as "Back". */
  inputs?: "none" | "auto";
}

/** A button that opens a link (a Teams deep link, the evaluation page). */
export interface LinkView {
  title: string;
  url: string;
}

export type TextColor = "good" | "warning" | "attention" | "default";

/** A line of feedback: saved, a problem, a conflict. */
export interface NoticeView {
  text: Shown;
  /** Colour backs up the words, never replaces them: the text itself says what happened. */
  color: TextColor;
}

export interface ChoiceView {
  title: string;
  value: string;
}

export interface FactView {
  title: Shown;
  value: Shown;
}

export interface MessageView {
  title: Shown;
  text: Shown;
  color: TextColor;
  facts: FactView[];
  actions: ActionView[];
  links?: LinkView[];
}

export interface WelcomeView {
  name: Shown;
  intro: Shown;
  roles: Array<{ label: Shown; detail: Shown }>;
  actions: ActionView[];
  /** Shown only in local mode: how to try every role in the playground. */
  localHint?: Shown;
}

export interface HelpView {
  /** Why help is shown, when it answers something the bot did not understand. */
  intro?: Shown;
  commands: Array<{ command: string; description: Shown }>;
  links?: LinkView[];
}

/** The map from template file name (cards/<name>.json) to its view model; features add to it. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface CardViews {
  message: MessageView;
  welcome: WelcomeView;
  help: HelpView;
}
export type CardName = keyof CardViews;
