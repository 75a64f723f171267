/**
 * Runs every benchmark and ends with one table of their figures (`npm run bench`, about 10 minutes on
 * two cores). Each benchmark prints its own detail as it goes and records its figures in
 * bench/results.json; the table is read from there (bench/summary.ts). Nothing here passes or fails
 * on time.
 */
import { benchCriticalPath } from "./critical-path.ts";
import { benchDaemonReaction } from "./daemon-reaction.ts";
import { benchEmulatorFleet } from "./emulator-fleet.ts";
import { benchFleetCalls } from "./fleet-calls.ts";
import { benchLeaseFailover } from "./lease-failover.ts";
import { benchPlanCalls } from "./plan-calls.ts";
import { readResults } from "./results-file.ts";
import { stopChildrenOnSignal } from "./stop-on-signal.ts";
import { printSummary } from "./summary.ts";
import { benchZeroDowntime } from "./zero-downtime.ts";

stopChildrenOnSignal();

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
// A thousand services take half an hour or more: after convergence, the restarted daemon's first round
// is paced by ELB's rate limits (see the README). `node bench/fleet-calls.ts --fleet 1000 --record`.
await benchFleetCalls([1, 100]);
console.log();
printSummary(await readResults());
