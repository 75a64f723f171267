/**
 * Runs every benchmark and ends with one table of their figures (`npm run bench`, about 15 minutes on
 * two cores, most of it converging the thousand-service fleet). Each benchmark prints its own detail
 * as it goes and records its figures in bench/results.json; the table is read from there
 * (bench/summary.ts). Nothing here passes or fails on time.
 */
import { benchCriticalPath } from "./critical-path.ts";
import { benchDaemonReaction } from "./daemon-reaction.ts";
import { benchEmulatorFleet } from "./emulator-fleet.ts";
import { benchFleetCalls } from "./fleet-calls.ts";
import { benchLeaseFailover } from "./lease-failover.ts";
import { benchPlanCalls } from "./plan-calls.ts";
import { readResults } from "./results-file.ts";
import { printSummary } from "./summary.ts";
import { benchZeroDowntime } from "./zero-downtime.ts";

await benchPlanCalls();
console.log();
await benchDaemonReaction();
console.log();
await benchLeaseFailover();
console.log();
await benchZeroDowntime();
console.log();
await benchCriticalPath();
console.log();
await benchEmulatorFleet({ services: 1000 });
console.log();
await benchFleetCalls([1, 100, 1000]);
console.log();
printSummary(await readResults());
