/** POSTs an activity to a bot's `/api/messages` endpoint the way the Bot Connector would. */
export interface PostActivityResult {
  status: number;
  /** Parsed JSON when the response is JSON, the text otherwise, undefined when empty. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  headers: Headers;
}

export async function postActivity(
  botUrl: string,
  activity: unknown,
  headers: Record<string, string> = {},
): Promise<PostActivityResult> {
  const url = `${botUrl.replace(/\/+$/, "")}/api/messages`;
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(activity),
  });
  const text = await res.text();
  let body: unknown = undefined;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, body, headers: res.headers };
}
