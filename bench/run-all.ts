/** Runs every benchmark and prints its figures (`npm run bench`). Nothing here passes or fails on time. */
import { benchCriticalPath } from "./critical-path.ts";
import { benchDaemonReaction } from "./daemon-reaction.ts";
import { benchEmulatorFleet } from "./emulator-fleet.ts";
import { benchFleetCalls } from "./fleet-calls.ts";
import { benchLeaseFailover } from "./lease-failover.ts";
import { benchPlanCalls } from "./plan-calls.ts";
import { benchZeroDowntime } from "./zero-downtime.ts";

await benchPlanCalls();
console.log();
await benchDaemonReaction();
console.log();
await benchLeaseFailover();
console.log();
await benchZeroDowntime();
console.log();
// The thousand-service fleet takes about ten minutes: `node bench/fleet-calls.ts` measures it too.
await benchFleetCalls([1, 100]);
console.log();
await benchEmulatorFleet({ services: 200 });
console.log();
await benchCriticalPath();
