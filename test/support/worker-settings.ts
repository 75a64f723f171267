import type { WorkerSettings } from "../../controller/daemon/service-worker.ts";

/**
 * A lone worker's settings for tests that drive its passes themselves: nothing falls due on its own
 * within a test (resyncs, rollout polls and backoffs an hour away), and a pass may take a minute.
 */
export const PASSES_ON_DEMAND: WorkerSettings = {
  resyncMs: 3_600_000,
  rolloutPollMs: 3_600_000,
  initialBackoffMs: 3_600_000,
  maxBackoffMs: 3_600_000,
  dryRun: false,
  passTimeoutMs: 60_000,
  stuckAfterMs: 120_000,
  slowResyncMs: 3_600_000,
};
