import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";

/**
 * What the bot hands to Application Insights: the real exporter would sign in to Entra ID and send
 * over the network, so @azure/monitor-opentelemetry is replaced by a recorder and the logger by a
 * stub. What is checked is the contract with infra/resources.bicep (local authentication is
 * disabled there, so a credential must always be passed) and that telemetry never stops the bot.
 */
const mockUseAzureMonitor = jest.fn();
const mockShutdownAzureMonitor = jest.fn(async () => undefined);
jest.mock("@azure/monitor-opentelemetry", () => ({ useAzureMonitor: mockUseAzureMonitor, shutdownAzureMonitor: mockShutdownAzureMonitor }));

const mockWarn = jest.fn();
jest.mock("../../src/log", () => ({
  ...jest.requireActual("../../src/log"),
  createLogger: () => ({ warn: mockWarn }),
}));

import { scrubUrl, startTelemetry } from "../../src/telemetry";

const CONNECTION = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://uksouth-1.in.applicationinsights.azure.com/";
const CLIENT_ID = "11111111-2222-3333-4444-555555555555";

beforeEach(() => {
  mockUseAzureMonitor.mockReset();
  mockWarn.mockReset();
});

test("without a connection string nothing starts", async () => {
  expect(await startTelemetry(undefined, {})).toBeUndefined();
  expect(await startTelemetry("  ", { AZURE_CLIENT_ID: CLIENT_ID })).toBeUndefined();
  expect(mockUseAzureMonitor).not.toHaveBeenCalled();
});

test("in App Service the exporter signs in as the user-assigned identity named by AZURE_CLIENT_ID", async () => {
  const telemetry = await startTelemetry(` ${CONNECTION} `, { AZURE_CLIENT_ID: CLIENT_ID });
  expect(telemetry).toBeDefined();
  const options = mockUseAzureMonitor.mock.calls[0][0];
  expect(options.azureMonitorExporterOptions.connectionString).toBe(CONNECTION);
  expect(options.azureMonitorExporterOptions.credential).toBeInstanceOf(ManagedIdentityCredential);
  // The URL scrubber is still installed: table URLs can carry e-mail addresses in entity keys.
  expect(options.spanProcessors).toHaveLength(1);
  await telemetry!.shutdown();
  expect(mockShutdownAzureMonitor).toHaveBeenCalled();
});

test("elsewhere (a developer's machine) it falls back to DefaultAzureCredential", async () => {
  await startTelemetry(CONNECTION, { AZURE_CLIENT_ID: " " });
  expect(mockUseAzureMonitor.mock.calls[0][0].azureMonitorExporterOptions.credential).toBeInstanceOf(DefaultAzureCredential);
});

test("if telemetry cannot start, the bot starts without it and a warning says so, without the error's message", async () => {
  mockUseAzureMonitor.mockImplementation(() => {
    throw new TypeError("Invalid connection string: InstrumentationKey=secret-ish");
  });
  expect(await startTelemetry(CONNECTION, { AZURE_CLIENT_ID: CLIENT_ID, LOG_LEVEL: "not-a-level" })).toBeUndefined();
  expect(mockWarn).toHaveBeenCalledTimes(1);
  const [fields, message] = mockWarn.mock.calls[0];
  expect(message).toMatch(/telemetry could not start/);
  expect(fields.err).toBe("TypeError");
  expect(JSON.stringify(fields)).not.toContain("secret-ish");
});

test("span URLs lose entity keys and query strings", () => {
  expect(scrubUrl("https://acct.table.core.windows.net/People(PartitionKey='email',RowKey='a%40b.org')?$select=x")).toBe(
    "https://acct.table.core.windows.net/People(…)",
  );
  expect(scrubUrl("/Grants()?$filter=PartitionKey%20eq%20'h%7Ca%40b.org'")).toBe("/Grants(…)");
});
