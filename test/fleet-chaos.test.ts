/**
 * A fleet under trouble, seeded. Short by default (it runs in CI); `ECS_CONVERGE_LONG_TESTS=1` runs the
 * long form the figures in the README quote: a fleet of 50 under faults, and 10,000 resyncs.
 *
 * - Throttling, server errors and dropped connections while the daemon converges a fleet from nothing,
 *   holds it steady and destroys it: no duplicate, nothing orphaned, no write at steady state.
 * - Resyncs of a converged fleet read through the shared inventory while "autoscaling" moves desired
 *   counts within their bounds: no change planned that did not happen, no write, a flat heap, no
 *   timer or socket left behind.
 * - SIGKILL of the daemon at seeded moments of a fleet rollout, restarted each time: it converges on
 *   the new revision, with one of everything.
 *
 * Assertions read the emulator's state and call log, and the daemon's /status.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServicesCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterEach, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import {
  type AwsClients,
  createAwsClients,
  destroyAwsClients,
  EMULATOR_ACCESS_KEY_ID,
} from "../controller/aws/clients.ts";
import { hasChanges } from "../controller/engine/plan.ts";
import { createPassCaches, planService } from "../controller/engine/reconcile.ts";
import { FleetInventory } from "../controller/inventory/fleet-inventory.ts";
import { MANAGED_BY_TAG, MANAGED_BY_VALUE } from "../controller/ownership.ts";
import { type Emulator, ScaledClock, startEmulator } from "../emulator/index.ts";
import { Random } from "../emulator/random.ts";
import { loadSpecFile, type ServiceSpec } from "../specs/index.ts";
import { runCliWithEnvironment } from "./support/cli-session.ts";
import { killDaemons, startDaemonProcess } from "./support/daemon-process.ts";
import { allConverged, FLEET_CLUSTER, isWrite, startFleetDaemon, writeFleetSpecs } from "./support/fleet.ts";
import { waitFor } from "./support/wait-for.ts";

const LONG = process.env.ECS_CONVERGE_LONG_TESTS === "1";
const CHAOS_FLEET = LONG ? 50 : 6;
const SOAK_FLEET = LONG ? 50 : 5;
const SOAK_ROUNDS = 200;
const KILLED_FLEET = 4;
const SEED = 11;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await killDaemons();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulatorAndDirectory(speed: number) {
  const emulator: Emulator = await startEmulator({ port: 0, clock: new ScaledClock(speed) });
  const directory = await mkdtemp(join(tmpdir(), "ecs-converge-fleet-chaos-"));
  const operator = createAwsClients({
    region: "us-east-1",
    endpoint: emulator.url,
    // The faults meet the operator's inspection too: enough attempts to see through them.
    maxAttempts: 8,
    accessKeyId: "operator",
  });
  cleanups.push(async () => {
    destroyAwsClients(operator);
    await emulator.close();
    await rm(directory, { recursive: true, force: true });
  });
  return { emulator, directory, operator };
}

/** Every managed resource in the account, by kind: names, so a duplicate shows as a repeated name. */
async function managedResources(operator: AwsClients) {
  const { SecurityGroups = [] } = await operator.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: `tag:${MANAGED_BY_TAG}`, Values: [MANAGED_BY_VALUE] }],
    }),
  );
  const { LoadBalancers = [] } = await operator.elbv2.send(new DescribeLoadBalancersCommand({}));
  const { TargetGroups = [] } = await operator.elbv2.send(new DescribeTargetGroupsCommand({}));
  const { logGroups = [] } = await operator.logs.send(new DescribeLogGroupsCommand({}));
  const { ScalableTargets = [] } = await operator.autoscaling.send(
    new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }),
  );
  const services = await operator.ecs
    .send(new ListServicesCommand({ cluster: FLEET_CLUSTER, maxResults: 100 }))
    .then(async ({ serviceArns = [] }) => {
      const active: string[] = [];
      for (let start = 0; start < serviceArns.length; start += 10) {
        const { services: batch = [] } = await operator.ecs.send(
          new DescribeServicesCommand({
            cluster: FLEET_CLUSTER,
            services: serviceArns.slice(start, start + 10),
          }),
        );
        for (const service of batch) if (service.status === "ACTIVE") active.push(service.serviceName ?? "");
      }
      return active;
    })
    .catch(() => [] as string[]);
  const sorted = (names: (string | undefined)[]) => names.map((name) => name ?? "").sort();
  return {
    securityGroups: sorted(SecurityGroups.map((group) => group.GroupName)),
    loadBalancers: sorted(LoadBalancers.map((balancer) => balancer.LoadBalancerName)),
    targetGroups: sorted(TargetGroups.map((group) => group.TargetGroupName)),
    logGroups: sorted(logGroups.map((group) => group.logGroupName)),
    scalableTargets: sorted(ScalableTargets.map((target) => target.ResourceId)),
    services: sorted(services),
  };
}

/** The CLI in this process, with the SDK's standard environment pointed at the emulator. */
const noDuplicates = (names: string[]) => expect(new Set(names).size).toBe(names.length);

describe("a fleet under throttling, server errors and dropped connections", () => {
  it(`converges ${CHAOS_FLEET} services from nothing, holds them with no write, and destroys them leaving nothing`, {
    timeout: LONG ? 900_000 : 240_000,
  }, async () => {
    const { emulator, directory, operator } = await emulatorAndDirectory(60);
    const names = await writeFleetSpecs(directory, CHAOS_FLEET);
    emulator.injectFaults({
      seed: SEED,
      rules: [{ throttleRate: 0.1, errorRate: 0.02, dropRate: 0.02 }],
    });
    const daemon = await startFleetDaemon(emulator, directory, { resyncMs: 1_000 });
    cleanups.push(() => daemon.stop());
    await waitFor(
      `${CHAOS_FLEET} services Ready and Synced under faults`,
      () => allConverged(daemon, CHAOS_FLEET) || undefined,
      LONG ? 600_000 : 150_000,
    );
    const converged = await managedResources(operator);
    expect(converged.services).toEqual([...names].sort());
    expect(converged.loadBalancers).toHaveLength(CHAOS_FLEET);
    expect(converged.scalableTargets).toHaveLength(CHAOS_FLEET);
    for (const names of Object.values(converged)) noDuplicates(names);

    // Steady state, faults still on: passes fail and retry, but none writes.
    emulator.calls.reset();
    await waitFor(
      "a few resyncs of the whole fleet",
      async () => {
        const reads = emulator.calls.calls().filter((call) => call.accessKeyId === EMULATOR_ACCESS_KEY_ID);
        return reads.length >= 4 * CHAOS_FLEET ? reads : undefined;
      },
      60_000,
    );
    const steadyWrites = emulator.calls
      .calls()
      .filter(
        (call) => call.accessKeyId === EMULATOR_ACCESS_KEY_ID && isWrite(call) && call.error === undefined,
      );
    expect(steadyWrites.map((call) => call.operation)).toEqual([]);

    await daemon.stop();
    const destroyed = await runCliWithEnvironment(["destroy", "-f", directory, "--yes", "--timeout", "10m"], {
      AWS_ENDPOINT_URL: emulator.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "destroy",
      AWS_SECRET_ACCESS_KEY: "x",
    });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    emulator.clearFaults();
    expect(await managedResources(operator)).toEqual({
      securityGroups: [],
      loadBalancers: [],
      targetGroups: [],
      logGroups: [],
      scalableTargets: [],
      services: [],
    });
  });
});

/** `gc()` in this worker (vitest does not start it with --expose-gc). */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

describe("resyncs of a converged fleet through the shared inventory", () => {
  it(`${SOAK_FLEET * SOAK_ROUNDS} resyncs while autoscaling moves desired counts: no false change, no write, flat heap, nothing left open`, {
    timeout: LONG ? 900_000 : 240_000,
  }, async () => {
    const { emulator, directory, operator } = await emulatorAndDirectory(600);
    const names = await writeFleetSpecs(directory, SOAK_FLEET);
    const daemon = await startFleetDaemon(emulator, directory, { resyncMs: 1_000 });
    await waitFor(
      `${SOAK_FLEET} services converged`,
      () => allConverged(daemon, SOAK_FLEET) || undefined,
      120_000,
    );
    await daemon.stop();
    const specs: ServiceSpec[] = [];
    for (const name of names) specs.push((await loadSpecFile(join(directory, `${name}.yaml`))).spec);
    const { min, max } = {
      min: specs[0]?.spec.autoscaling?.minTasks ?? 2,
      max: specs[0]?.spec.autoscaling?.maxTasks ?? 6,
    };

    const clients = createAwsClients({ region: "us-east-1", endpoint: emulator.url });
    cleanups.push(() => {
      destroyAwsClients(clients);
    });
    // Each round is a resync of the whole fleet: the inventory's clock moves past its max age.
    const clock = { now: 0 };
    const inventory = new FleetInventory(clients, { maxAgeMs: 1, now: () => clock.now });
    const caches = specs.map(() => createPassCaches(60_000));
    const random = new Random(SEED);
    const gc = collector();
    const resources = () => process.getActiveResourcesInfo().filter((kind) => kind !== "TTYWrap").length;

    const falseChanges: string[] = [];
    let writes = 0;
    let heapAfterWarmUp = 0;
    let resourcesAfterWarmUp = 0;
    emulator.calls.reset();
    for (let round = 0; round < SOAK_ROUNDS; round++) {
      clock.now += 2;
      if (round % 5 === 0) {
        const service = names[Math.floor(random.next() * names.length)] ?? "";
        const desiredCount = min + Math.floor(random.next() * (max - min + 1));
        await operator.ecs.send(new UpdateServiceCommand({ cluster: FLEET_CLUSTER, service, desiredCount }));
      }
      for (const [index, spec] of specs.entries()) {
        const plan = await planService(clients, spec, caches[index], {}, inventory);
        if (hasChanges(plan.changes) || plan.heldBack.length > 0)
          falseChanges.push(
            `${spec.metadata.name} round ${round}: ${JSON.stringify(plan.changes.filter((c) => c.action !== "noop"))}`,
          );
      }
      // The call log is the emulator's memory, not the controller's: tally and let it go.
      writes += emulator.calls
        .calls()
        .filter((call) => call.accessKeyId === EMULATOR_ACCESS_KEY_ID && isWrite(call)).length;
      emulator.calls.reset();
      if (round === 19) {
        gc();
        heapAfterWarmUp = process.memoryUsage().heapUsed;
        resourcesAfterWarmUp = resources();
      }
      if (falseChanges.length > 3) break;
    }
    gc();
    const heapGrowthMB = (process.memoryUsage().heapUsed - heapAfterWarmUp) / 2 ** 20;

    expect(falseChanges).toEqual([]);
    expect(writes).toBe(0);
    // The emulator shares this heap and keeps every task it ever started: a generous bound, far
    // below what keeping anything per resync would cost over this many.
    expect(heapGrowthMB).toBeLessThan(LONG ? 40 : 20);
    expect(resources()).toBeLessThanOrEqual(resourcesAfterWarmUp + 2);
  });
});

describe("SIGKILL of the daemon during a fleet rollout", () => {
  it("restarted after each of several seeded kills, it converges every service on the new revision with one of everything", {
    timeout: 240_000,
  }, async () => {
    const { emulator, directory, operator } = await emulatorAndDirectory(60);
    const names = await writeFleetSpecs(directory, KILLED_FLEET);
    const environment = {
      AWS_ENDPOINT_URL: emulator.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: EMULATOR_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: "daemon",
    };
    const start = () => startDaemonProcess(["-f", directory, "--resync", "2s"], environment);
    let daemon = await start();
    const everyServiceReady = async (what: string) =>
      waitFor(
        what,
        async () => {
          const status = await daemon.status();
          const ok = (name: string, type: string) =>
            status.services
              .find((service) => service.service === name)
              ?.conditions.some((condition) => condition.type === type && condition.status === "True");
          return names.every((name) => ok(name, "Ready") && ok(name, "Synced")) ? true : undefined;
        },
        120_000,
      );
    await everyServiceReady("the fleet to converge");

    // A rollout of every service: a new image tag in each spec.
    for (const name of names) {
      const file = join(directory, `${name}.yaml`);
      const document = parse(await readFile(file, "utf8")) as {
        spec: { task: { container: { image: string } } };
      };
      document.spec.task.container.image = document.spec.task.container.image.replace(/:[^:]*$/, ":2.0.0");
      await writeFile(file, stringify(document));
    }
    const random = new Random(SEED);
    for (let kill = 0; kill < 3; kill++) {
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.floor(random.next() * 1_500)));
      const gone = daemon.exited;
      daemon.child.kill("SIGKILL");
      await gone;
      daemon = await start();
    }
    await everyServiceReady("the fleet to converge after the kills");

    const { services = [] } = await operator.ecs.send(
      new DescribeServicesCommand({ cluster: FLEET_CLUSTER, services: names }),
    );
    for (const service of services) {
      expect(service.deployments).toHaveLength(1);
      expect(service.runningCount).toBe(service.desiredCount);
    }
    const images = await Promise.all(
      services.map(async (service) => {
        const { taskDefinition } = await operator.ecs.send(
          new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition ?? "" }),
        );
        return taskDefinition?.containerDefinitions?.[0]?.image ?? "";
      }),
    );
    expect(images.every((image) => image.endsWith(":2.0.0"))).toBe(true);
    const world = await managedResources(operator);
    expect(world.services).toEqual([...names].sort());
    for (const list of Object.values(world)) noDuplicates(list);
    expect(await daemon.stop()).toBe(0);
  });
});
