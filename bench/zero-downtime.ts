/**
 * Zero downtime in figures: the sample service's tasks as real processes behind the emulator's load
 * balancer, a steady request stream through its listener while the controller converges each kind of
 * change to service.yaml (requests served and failed per change, and for a new version the time from
 * the edit until every answer comes from it), then CPU load (`/burn`, as `npm run load` sends) and how
 * fast target tracking scales the service out, and back in once the load stops. Real time on this
 * machine; printed, never asserted.
 *
 *   node bench/zero-downtime.ts
 */
import { Writable } from "node:stream";
import { type Outcome, startRequestStream } from "../test/support/request-stream.ts";
import {
  CHANGE_KINDS,
  type ChangeKind,
  FAILING_ROLLOUT,
  failuresIn,
  SampleService,
  versionOf,
} from "../test/support/sample-service.ts";
import { waitFor } from "../test/support/wait-for.ts";
import { runLoad } from "./load.ts";

/** The zero-downtime test's clock: the deregistration delay and stop timeout leave real time to drain. */
const CHANGES_SPEED = 20;
/** `npm start`'s clock, where the scale-out is watched. */
const LOAD_SPEED = 60;
const LOAD_MS = 30_000;
const LOAD_CONNECTIONS = 16;
const DEADLINE_MS = 120_000;

interface ChangeFigures {
  name: string;
  served: number;
  failed: number;
  /** From the edit to the first of the answers from which on every one is the new version. */
  switchMs?: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function benchChanges(): Promise<ChangeFigures[]> {
  const service = await SampleService.start(CHANGES_SPEED);
  const seen: { outcome: Outcome; at: number }[] = [];
  try {
    await service.apply({});
    await service.stableWith(2);
    const stream = startRequestStream({
      url: service.url(),
      concurrency: 4,
      pace: { everyMs: 15 },
      onOutcome: (outcome) => seen.push({ outcome, at: performance.now() }),
    });
    const figures: ChangeFigures[] = [];
    const measure = async (kind: Pick<ChangeKind, "name" | "version">, play: () => Promise<void>) => {
      const from = seen.length;
      const editedAt = performance.now();
      await play();
      if (kind.version) {
        const version = kind.version;
        await waitFor(
          `answers from ${version}`,
          () => (seen.slice(-40).every((entry) => versionOf(entry.outcome) === version) ? true : undefined),
          DEADLINE_MS,
        );
      }
      const outcomes = seen.slice(from);
      // The last answer of another version: everything after it is the new one.
      const lastOld = outcomes.findLastIndex((entry) => versionOf(entry.outcome) !== kind.version);
      const switchedAt = outcomes[lastOld + 1]?.at;
      figures.push({
        name: kind.name,
        served: outcomes.length,
        failed: failuresIn(outcomes.map((entry) => entry.outcome)).length,
        ...(kind.version && switchedAt !== undefined ? { switchMs: switchedAt - editedAt } : {}),
      });
    };
    for (const kind of CHANGE_KINDS) {
      await measure(kind, async () => {
        await service.apply(kind.patch);
        await service.stableWith(kind.tasks);
      });
    }
    const before = (await service.ecsService())?.taskDefinition;
    await measure({ name: "rollout rolled back (containers exit)" }, async () => {
      await service.apply(FAILING_ROLLOUT);
      await service.rolledBackTo(before);
      await service.stableWith(2);
    });
    await stream.stop();
    return figures;
  } finally {
    await service.close();
  }
}

interface ScalingFigures {
  /** Load start → the first scale-out (desired count above the minimum). */
  firstScaleOutMs: number | undefined;
  peakDesired: number;
  /** Load start → as many healthy targets as the peak desired count. */
  peakServingMs: number | undefined;
  load: { requests: number; errors: number; p50Ms: number; p99Ms: number };
  /** Load end → back at the minimum. */
  scaleInMs: number | undefined;
}

async function benchScaling(): Promise<ScalingFigures> {
  const service = await SampleService.start(LOAD_SPEED);
  try {
    await service.apply({});
    await service.stableWith(2);
    const url = new URL("/burn?ms=20", service.url()).toString();
    const startedAt = performance.now();
    let firstScaleOutMs: number | undefined;
    let peakServingMs: number | undefined;
    let peakDesired = 2;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const desired = (await service.ecsService())?.desiredCount ?? 0;
        if (desired > 2) firstScaleOutMs ??= performance.now() - startedAt;
        if (desired > peakDesired) {
          peakDesired = desired;
          peakServingMs = undefined;
        }
        if (peakServingMs === undefined && desired === peakDesired && peakDesired > 2) {
          if ((await service.healthyTargets()) >= peakDesired) peakServingMs = performance.now() - startedAt;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const silent = Object.assign(new Writable({ write: (_chunk, _encoding, done) => done() }), {
      isTTY: false,
    });
    const load = await runLoad({ url, durationMs: LOAD_MS, connections: LOAD_CONNECTIONS, out: silent });
    watching = false;
    await watch;
    const endedAt = performance.now();
    let scaleInMs: number | undefined;
    try {
      await waitFor(
        "the service back at its minimum",
        async () => ((await service.ecsService())?.desiredCount === 2 ? true : undefined),
        DEADLINE_MS,
      );
      scaleInMs = performance.now() - endedAt;
    } catch {
      scaleInMs = undefined;
    }
    return { firstScaleOutMs, peakDesired, peakServingMs, load, scaleInMs };
  } finally {
    await service.close();
  }
}

export async function benchZeroDowntime(): Promise<void> {
  console.log(
    `Zero downtime: a request stream (4 keep-alive loops) through the load balancer while service.yaml changes (clock ×${CHANGES_SPEED}):`,
  );
  for (const figure of await benchChanges()) {
    const switched =
      figure.switchMs === undefined ? "" : `; edit → all answers new: ${seconds(figure.switchMs)}`;
    console.log(
      `  ${figure.name.padEnd(40)} ${String(figure.served).padStart(5)} served, ${figure.failed} failed${switched}`,
    );
  }
  console.log();
  console.log(
    `Scale-out under load: ${LOAD_CONNECTIONS} connections on /burn?ms=20 for ${seconds(LOAD_MS)} (clock ×${LOAD_SPEED}, as npm start), target 60 % CPU of 256 units, [2, 6] tasks:`,
  );
  const scaling = await benchScaling();
  const at = (ms: number | undefined) =>
    ms === undefined ? "not seen" : `${seconds(ms)} (${seconds(ms * LOAD_SPEED)} simulated)`;
  const row = (label: string, ms: number | undefined) => console.log(`  ${label.padEnd(40)} ${at(ms)}`);
  row("load start → first scale-out:", scaling.firstScaleOutMs);
  row(`load start → ${scaling.peakDesired} tasks serving (the peak):`, scaling.peakServingMs);
  row("load end → back to 2 tasks:", scaling.scaleInMs);
  console.log(
    `  the load: ${scaling.load.requests} requests, ${scaling.load.errors} errors, p50 ${scaling.load.p50Ms} ms, p99 ${scaling.load.p99Ms} ms`,
  );
}

if (import.meta.main) await benchZeroDowntime();
