/** Graph sendMail with a client-credentials token, against the local Graph stand-in. */
import { GraphEmailTransport, clientCredentialsToken } from "../../../src/delivery/graphEmail";
import { startGraphStandIn, type GraphStandIn } from "../../support/graphStandIn";

let graph: GraphStandIn;
let transport: GraphEmailTransport;
const mail = { to: { email: "lead@school.example", name: "Sam Lead" }, subject: "Sign-off requested", text: "Please sign off", html: "<p>Please sign off</p>" };

beforeAll(async () => {
  graph = await startGraphStandIn({ clientSecret: "s3cret" });
  transport = new GraphEmailTransport({
    mailbox: "bot@partnership.example",
    graphBaseUrl: graph.graphBaseUrl,
    token: clientCredentialsToken({ tenantId: "tenant-1", clientId: "client-1", clientSecret: "s3cret", authorityHost: graph.authorityHost }),
  });
});
afterAll(() => graph.close());

it("gets an app-only token once and sends the message from the mailbox", async () => {
  expect(await transport.send(mail)).toEqual({ outcome: "sent" });
  expect(await transport.send(mail)).toEqual({ outcome: "sent" });
  expect(graph.tokenRequests).toHaveLength(1);
  expect(graph.tokenRequests[0]).toMatchObject({ grant_type: "client_credentials", client_id: "client-1", scope: "https://graph.microsoft.com/.default" });
  expect(graph.sent[0]).toMatchObject({
    mailbox: "bot@partnership.example",
    saveToSentItems: false,
    message: { subject: "Sign-off requested", body: { contentType: "HTML", content: "<p>Please sign off</p>" }, toRecipients: [{ emailAddress: { address: "lead@school.example", name: "Sam Lead" } }] },
  });
});

it("429 and 5xx are retry outcomes with Retry-After; 4xx is failed; nothing is retried inside", async () => {
  const before = graph.requests.length;
  graph.failNext(1, 429, { "Retry-After": "7" });
  expect(await transport.send(mail)).toEqual({ outcome: "retry", status: 429, retryAfterMs: 7000, reason: "graph 429 ApplicationThrottled" });
  graph.failNext(1, 503);
  expect(await transport.send(mail)).toMatchObject({ outcome: "retry", status: 503 });
  graph.failAddress("nobody@nowhere.example", 400);
  expect(await transport.send({ ...mail, to: { email: "nobody@nowhere.example" } })).toEqual({ outcome: "failed", status: 400, reason: "graph 400 ErrorInvalidRecipients" });
  expect(graph.requests.length - before).toBe(3);
});

it("a refused token is a retry, never a crash", async () => {
  const bad = new GraphEmailTransport({
    mailbox: "bot@partnership.example",
    graphBaseUrl: graph.graphBaseUrl,
    token: clientCredentialsToken({ tenantId: "tenant-1", clientId: "client-1", clientSecret: "wrong", authorityHost: graph.authorityHost }),
  });
  expect(await bad.send(mail)).toEqual({ outcome: "retry", status: 401, reason: "graph token 401" });
});
