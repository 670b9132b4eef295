/**
 * A dispatcher in its own process, for the crash test: the parent SIGKILLs it mid fan-out.
 *   node --require tsx/cjs test/support/dispatchChild.ts   (settings in the environment)
 */
import { TableStore } from "../../src/storage/tableStore";
import { deliveryStack } from "./deliveryStack";
import type { Connector } from "./connector";

async function main() {
  const env = process.env;
  const store = new TableStore({ connectionString: env.CHILD_TABLES!, prefix: env.CHILD_PREFIX! });
  const d = deliveryStack({
    store,
    connector: { serviceUrl: env.CHILD_SERVICE_URL! } as Connector,
    dispatcher: { owner: "child", leaseMs: Number(env.CHILD_LEASE_MS), claimAhead: 8 },
    limits: { perTenantPerSecond: 500, maxInFlight: 4 },
  });
  process.stdout.write("started\n");
  await d.dispatcher.dispatchBatch(env.CHILD_BATCH!);
  process.stdout.write("finished\n");
}

main().catch((e) => {
  process.stderr.write(String((e as Error)?.name) + "\n");
  process.exit(1);
});
