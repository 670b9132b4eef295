/**
 * What a registered bot (one with MicrosoftAppId) must also be given since the evaluation links
 * exist: a public address and two secrets. Test values, never used outside tests.
 */
export const REGISTERED_BOT_EVALUATION_SETTINGS = {
  PUBLIC_BASE_URL: "https://sa-bot.example",
  EVALUATION_LINK_SECRET: "test-only-link-secret-0123456789abcdef",
  EVALUATION_PSEUDONYM_SECRET: "test-only-pseudonym-secret-0123456789abcdef",
};

/** The settings for a registered bot, unless the test gives its own. */
export const withEvaluationSettings = (env: Record<string, string>) => (env.MicrosoftAppId ? { ...REGISTERED_BOT_EVALUATION_SETTINGS, ...env } : env);
