/**
 * Reaction time of the daemon: from writing service.yaml to the first AWS call it causes, and to the
 * change reaching AWS (UpdateService). In-process daemon and emulator, on this machine: figures vary
 * with load; they are printed, never asserted.
 *
 *   node bench/daemon-reaction.ts
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { startDaemon } from "../controller/daemon/daemon.ts";
import { ScaledClock, startEmulator } from "../emulator/index.ts";
import { merge, specYaml } from "../specs/test-builders.ts";

const EDITS = 5;

async function until(condition: () => boolean, deadlineMs = 30_000): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > deadlineMs) throw new Error("timed out");
    await sleep(2);
  }
  return performance.now() - started;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function benchDaemonReaction(): Promise<{ firstCallMs: number; appliedMs: number }> {
  const emulator = await startEmulator({ port: 0, clock: new ScaledClock(600) });
  const directory = await mkdtemp(join(tmpdir(), "ecs-converge-bench-"));
  const file = join(directory, "service.yaml");
  const spec = (desiredCount: number) =>
    specYaml(merge({ metadata: { name: "web" } }, { spec: { service: { desiredCount } } }));
  await writeFile(file, spec(2));
  const daemon = await startDaemon({
    path: file,
    log: pino({ level: "silent" }),
    endpoint: emulator.url,
    listen: { host: "127.0.0.1", port: 0 },
    concurrency: 1,
    prune: false,
    settings: {
      resyncMs: 10 * 60_000,
      rolloutPollMs: 200,
      initialBackoffMs: 200,
      maxBackoffMs: 2000,
      dryRun: false,
      passTimeoutMs: 60_000,
      stuckAfterMs: 120_000,
      slowResyncMs: 10 * 60_000,
    },
  });
  const stable = () => JSON.stringify(daemon.status()).includes('"reason":"Available"');
  try {
    await until(stable);
    const firstCall: number[] = [];
    const applied: number[] = [];
    for (let edit = 1; edit <= EDITS; edit++) {
      // Let the rollout of the previous edit settle, so the only calls that follow the write are its own.
      await until(stable);
      await sleep(300);
      const baseline = emulator.calls.calls().length;
      const updatesBefore = emulator.calls.counts()["ecs:UpdateService"] ?? 0;
      const written = performance.now();
      await writeFile(file, spec(2 + edit));
      await until(() => emulator.calls.calls().length > baseline);
      firstCall.push(performance.now() - written);
      await until(() => (emulator.calls.counts()["ecs:UpdateService"] ?? 0) > updatesBefore);
      applied.push(performance.now() - written);
    }
    const result = { firstCallMs: Math.round(median(firstCall)), appliedMs: Math.round(median(applied)) };
    console.log(
      `Daemon reaction to an edit of service.yaml, median of ${EDITS} edits (desiredCount changes):`,
    );
    console.log(
      `  write → first AWS call:    ${result.firstCallMs} ms   (each: ${firstCall.map(Math.round).join(", ")})`,
    );
    console.log(
      `  write → UpdateService:     ${result.appliedMs} ms   (each: ${applied.map(Math.round).join(", ")})`,
    );
    return result;
  } finally {
    await daemon.stop();
    await emulator.close();
    await rm(directory, { recursive: true, force: true });
  }
}

if (import.meta.main) await benchDaemonReaction();
