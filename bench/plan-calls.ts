/**
 * AWS calls per pass: applies the repository's service.yaml on the built-in emulator, then counts
 * the calls of a steady-state plan (the daemon's every-resync cost), cold and with the revision
 * cache warm. Counts, not seconds: they do not depend on the machine.
 *
 *   npm run bench            (all benchmarks)
 *   node bench/plan-calls.ts (this one)
 */
import { fileURLToPath } from "node:url";
import { createAwsClients, destroyAwsClients } from "../controller/aws/clients.ts";
import { applyPlan, createPassCaches, planService } from "../controller/engine/reconcile.ts";
import { ScaledClock, startEmulator } from "../emulator/index.ts";
import { loadSpecFile } from "../specs/index.ts";

const specFile = fileURLToPath(new URL("../service.yaml", import.meta.url));

function table(counts: Record<string, number>): string[] {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([call, count]) => `  ${String(count).padStart(3)}  ${call}`);
}

export async function benchPlanCalls(): Promise<{ cold: number; warm: number; writes: number }> {
  const emulator = await startEmulator({ port: 0, clock: new ScaledClock(600) });
  const { spec } = await loadSpecFile(specFile);
  const clients = createAwsClients({ region: spec.spec.region ?? "us-east-1", endpoint: emulator.url });
  try {
    await applyPlan(await planService(clients, spec), () => {});

    const caches = createPassCaches();
    emulator.calls.reset();
    const cold = await planService(clients, spec, caches);
    const coldCounts = emulator.calls.counts();
    emulator.calls.reset();
    await planService(clients, spec, caches);
    const warmCounts = emulator.calls.counts();

    const total = (counts: Record<string, number>) =>
      Object.values(counts).reduce((sum, count) => sum + count, 0);
    const writes = Object.keys({ ...coldCounts, ...warmCounts }).filter(
      (call) => !/:(Describe|List|Get)/.test(call),
    ).length;
    const pending = cold.changes.filter((change) => change.action !== "noop").length;
    console.log(`Steady-state plan of service "${spec.metadata.name}" (${pending} changes pending):`);
    console.log(`cold (fresh process): ${total(coldCounts)} read calls`);
    for (const line of table(coldCounts)) console.log(line);
    console.log(
      `warm (revisions, network and tags cached, as in the daemon): ${total(warmCounts)} read calls, ${writes} writes`,
    );
    return { cold: total(coldCounts), warm: total(warmCounts), writes };
  } finally {
    destroyAwsClients(clients);
    await emulator.close();
  }
}

if (import.meta.main) await benchPlanCalls();
