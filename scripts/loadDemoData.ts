/**
 * npm run demo-data [-- --port <azurite port>] [-- --no-playground]
 *
 * Loads a whole demo partnership (one open cycle, 57 agencies plus your own demo agency, returns
 * in every state, and a year of training: 29 sessions, 450 delegates, their evaluations) into the
 * storage the bot uses, and makes the Agents Playground user an admin and the lead and senior
 * officer of "Demo: Westmere Community Health". Safe to run again: existing data is kept and
 * nothing is duplicated. The playground user can be changed with PLAYGROUND_TENANT_ID,
 * PLAYGROUND_AAD_OBJECT_ID, PLAYGROUND_USER_NAME and PLAYGROUND_USER_EMAIL.
 */
import { loadConfig } from "../src/config";
import { createLogger } from "../src/log";
import { loadDemoData, type PlaygroundUser } from "./demoData";
import { loadTrainingDemoData } from "./trainingDemoData";
import { openScriptStorage, runScript } from "./storage";

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const config = loadConfig();
  const storage = await openScriptStorage(config, args);
  try {
    console.log(`Storage: ${storage.description}${config.TABLE_PREFIX ? `, table prefix ${config.TABLE_PREFIX}` : ""}`);
    await storage.store.ensureTables();
    const playgroundUser: PlaygroundUser | undefined = args.includes("--no-playground")
      ? undefined
      : {
          tenantId: process.env.PLAYGROUND_TENANT_ID || "00000000-0000-0000-0000-000000000001",
          aadObjectId: process.env.PLAYGROUND_AAD_OBJECT_ID || "00000000-0000-0000-0000-0000000000aa",
          name: process.env.PLAYGROUND_USER_NAME || "Alex Playground",
          email: process.env.PLAYGROUND_USER_EMAIL || "alex@playground.example",
        };
    const summary = await loadDemoData({ config, store: storage.store, log: createLogger("warn"), now: () => new Date() }, {
      playgroundUser,
      onProgress: (done, total, name) => {
        console.log(`  [${String(done).padStart(2)}/${total}] ${name}`);
      },
    });
    const s = summary.states;
    console.log("");
    console.log(`Cycle "${summary.cycleName}" (${summary.cycleId}): ${summary.cycleCreated ? "created" : "already there"}`);
    console.log(`Agencies: ${summary.agenciesCreated} created, ${summary.agenciesExisting} already there`);
    console.log(`Returns: ${s.submitted + s.updated + s.resubmitted} submitted (${s.updated} updated since, ${s.resubmitted} updates signed off), ${s.awaiting_signoff} awaiting sign-off, ${s.draft + s.sent_back} in draft (${s.sent_back} sent back), ${s.not_started} not started`);
    console.log(`Written this run: ${summary.answersWritten} answers, ${summary.headerChanges} status changes, ${summary.grantsWritten} grants (${(summary.elapsedMs / 1000).toFixed(1)} s)`);
    console.log("");
    console.log("Training: a year of sessions and evaluations…");
    const training = await loadTrainingDemoData({ config, store: storage.store, log: createLogger("warn"), now: () => new Date() }, { playgroundUser, onProgress: (done, total, what) => console.log(`  [${String(done).padStart(2)}/${total}] ${what}`) });
    const rate = (n: number) => `${Math.round((n / Math.max(1, training.attended)) * 100)}%`;
    console.log(`Training: ${training.courses} courses, ${training.sessions} sessions, ${training.delegates} delegates (${training.attended} attended); ${training.answeredEnd} answered at session end (${rate(training.answeredEnd)}), ${training.answeredFollow} at follow-up (${rate(training.answeredFollow)}) (${(training.elapsedMs / 1000).toFixed(1)} s)`);
    if (summary.playground && playgroundUser) {
      console.log(`Playground user ${playgroundUser.name} <${playgroundUser.email}>: partnership admin, lead and senior officer of ${summary.playground.agencyName}.`);
      console.log('Open the playground and type "audit" to carry on with its draft, or "admin" and "status" for the whole partnership.');
      console.log(`${playgroundUser.name} is also a training officer: type "training" for the demo year's courses and results.`);
    }
    return 0;
  } finally {
    await storage.close();
  }
}

runScript(main, "Demo data not loaded");
