/** The critical path of a from-scratch convergence, against the emulator's default timings and the repo's service.yaml. */
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AwsClients, createAwsClients, destroyAwsClients } from "../controller/aws/clients.ts";
import { applyPlan, planService } from "../controller/engine/reconcile.ts";
import { readRollout } from "../controller/engine/rollout.ts";
import type { Emulator } from "../emulator/index.ts";
import { startTestEmulator } from "../emulator/test-clients.ts";
import { DEFAULT_TIMINGS } from "../emulator/timings.ts";
import { loadSpecFile, type ServiceSpec } from "../specs/index.ts";
import { type ChainTimings, criticalPath } from "./critical-path-chain.ts";

const SERVICE_YAML = fileURLToPath(new URL("../service.yaml", import.meta.url));

let sample: ServiceSpec;
beforeAll(async () => {
  sample = (await loadSpecFile(SERVICE_YAML)).spec;
});

/** service.yaml with its health check or service settings changed. */
function specWith(changes: {
  healthCheck?: Partial<ServiceSpec["spec"]["loadBalancer"]["healthCheck"]>;
  service?: Partial<ServiceSpec["spec"]["service"]>;
}): ServiceSpec {
  const spec = structuredClone(sample);
  Object.assign(spec.spec.loadBalancer.healthCheck, changes.healthCheck);
  Object.assign(spec.spec.service, changes.service);
  return spec;
}

const timings = (changes: Partial<ChainTimings> = {}): ChainTimings => ({ ...DEFAULT_TIMINGS, ...changes });
const sum = (steps: { ms: number }[]) => steps.reduce((total, step) => total + step.ms, 0);

describe("criticalPath", () => {
  it("is the load balancer's provisioning, then the healthy threshold, under the defaults", () => {
    const path = criticalPath(timings(), sample);
    // 120 s provisioning; checks from then on pass at once (the app answered at 31 s): 3 passes 10 s apart.
    expect(path.totalMs).toBe(140_000);
    expect(path.steps.map((step) => step.ms)).toEqual([120_000, 20_000]);
    expect(path.steps[0]?.name).toBe("load balancer provisioning");
    // The tasks' branch: 1 s tick + 10 s provisioning + 10 s pull, checkable a tick later.
    expect(path.parallel).toMatchObject({ doneAtMs: 22_000, slackMs: 98_000 });
  });

  it("moves with the load balancer's provisioning one for one while that branch is the longer", () => {
    const base = criticalPath(timings(), sample).totalMs;
    const slower = criticalPath(timings({ loadBalancerProvisioningMs: 150_000 }), sample).totalMs;
    expect(slower - base).toBe(30_000);
  });

  it("ignores the shorter branch: a slower image pull within the slack changes nothing", () => {
    expect(criticalPath(timings({ ecsImagePullMs: 60_000 }), sample).totalMs).toBe(140_000);
  });

  it("follows the tasks once they take longer than the load balancer", () => {
    const path = criticalPath(timings({ loadBalancerProvisioningMs: 10_000 }), sample);
    // Registered at 21 s, first check at 22 s fails (the app answers at 31 s), passes at 32, 42, 52 s.
    expect(path.totalMs).toBe(52_000);
    expect(sum(path.steps)).toBe(path.totalMs);
    expect(path.steps[0]?.name).toMatch(/scheduler/);
    expect(path.parallel).toMatchObject({ name: "load balancer provisioning", slackMs: 12_000 });
    // Now the pull is on the path: 10 s more pull, 10 s later.
    expect(
      criticalPath(timings({ loadBalancerProvisioningMs: 10_000, ecsImagePullMs: 20_000 }), sample).totalMs,
    ).toBe(62_000);
  });

  it("takes the health check's interval and healthy threshold from the spec", () => {
    const path = criticalPath(
      timings(),
      specWith({ healthCheck: { intervalSeconds: 30, healthyThreshold: 5 } }),
    );
    expect(path.totalMs).toBe(120_000 + 4 * 30_000);
  });

  it("refuses a chain in which ECS stops the first tasks for failing past their grace period", () => {
    const slowBoot = timings({ loadBalancerProvisioningMs: 10_000, ecsContainerBootMs: 60_000 });
    expect(() => criticalPath(slowBoot, specWith({ service: { healthCheckGracePeriodSeconds: 0 } }))).toThrow(
      /grace period/,
    );
    // A grace period that covers the boot: unhealthy for a while, never stopped. The app answers at
    // 81 s: the checks at 22 to 72 s fail, those at 82, 92 and 102 s pass.
    const covered = criticalPath(slowBoot, specWith({ service: { healthCheckGracePeriodSeconds: 120 } }));
    expect(covered.totalMs).toBe(22_000 + 8 * 10_000);
  });

  it("settles on the scheduler's first tick when no task is asked for", () => {
    expect(criticalPath(timings(), specWith({ service: { desiredCount: 0 } })).totalMs).toBe(1000);
  });
});

describe("criticalPath against the emulator", () => {
  let emulator: Emulator | undefined;
  let clients: AwsClients | undefined;
  afterEach(async () => {
    destroyAwsClients(clients);
    await emulator?.close();
    clients = undefined;
    emulator = undefined;
  });

  /**
   * Simulated ms from applying the whole plan at one instant (calls take no simulated time on a manual
   * clock) until the rollout reads stable the way the daemon reads it, stepping one tick at a time.
   */
  async function convergedAfterMs(changed: Partial<ChainTimings>, spec: ServiceSpec): Promise<number> {
    ({ emulator } = await startTestEmulator({ timings: changed }));
    clients = createAwsClients({ region: spec.spec.region ?? "us-east-1", endpoint: emulator.url });
    const refs = await applyPlan(await planService(clients, spec), () => {});
    const startedAt = emulator.world.time;
    for (let ticks = 0; ticks < 600; ticks++) {
      emulator.advance(1000);
      const rollout = await readRollout(clients, spec.spec.cluster, spec.metadata.name, refs.targetGroupArn);
      if (rollout?.stable) return emulator.world.time - startedAt;
    }
    throw new Error("not stable after 600 simulated seconds");
  }

  it.each([
    ["the defaults: the load balancer's branch", {}, {}],
    ["a quick load balancer: the tasks' branch", { loadBalancerProvisioningMs: 10_000 }, {}],
    [
      "a slow app covered by its grace period",
      { loadBalancerProvisioningMs: 10_000, ecsContainerBootMs: 60_000 },
      { service: { healthCheckGracePeriodSeconds: 120 } },
    ],
    ["a sparser health check", {}, { healthCheck: { intervalSeconds: 30, healthyThreshold: 5 } }],
  ] as const)("is when the emulator converges: %s", async (_case, changed, specChanges) => {
    const spec = specWith(specChanges);
    expect(await convergedAfterMs(changed, spec)).toBe(criticalPath(timings(changed), spec).totalMs);
  });
});
