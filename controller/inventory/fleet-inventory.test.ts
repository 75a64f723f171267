/**
 * The fleet inventory against the emulator: what it answers is what AWS holds, one batched read per
 * kind serves many services, a snapshot never outlives its max age or this daemon's last write, and a
 * resource changed behind its back (a listener deleted, a service gone) reads as AWS has it.
 * Calls are counted from the emulator's call log (the controller's access key only).
 */
import {
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  DeleteListenerCommand,
  DescribeListenersCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../emulator/index.ts";
import {
  CLUSTER,
  createWebStack,
  registerWeb,
  webService,
} from "../../emulator/services/ecs/test-fixtures.ts";
import { startTestEmulator, type TestClients } from "../../emulator/test-clients.ts";
import { parseSpec, type ServiceSpec } from "../../specs/index.ts";
import { specYaml } from "../../specs/test-builders.ts";
import {
  type AwsClients,
  createAwsClients,
  destroyAwsClients,
  EMULATOR_ACCESS_KEY_ID,
} from "../aws/clients.ts";
import { AwsRateLimiter } from "../aws/rate-limiter.ts";
import { FleetInventory } from "./fleet-inventory.ts";

let emulator: Emulator;
let operator: TestClients;
let controller: AwsClients;

beforeAll(async () => {
  ({ emulator, clients: operator } = await startTestEmulator());
  controller = createAwsClients({ region: "us-east-1", endpoint: emulator.url });
});
afterAll(async () => {
  destroyAwsClients(controller);
  await emulator?.close();
});
beforeEach(() => {
  emulator.reset();
});

/** The controller's calls since the last reset, by operation. */
function callsSince(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const call of emulator.calls.calls())
    if (call.accessKeyId === EMULATOR_ACCESS_KEY_ID)
      counts[call.operation] = (counts[call.operation] ?? 0) + 1;
  emulator.calls.reset();
  return counts;
}

const SERVICES = [
  "web-01",
  "web-02",
  "web-03",
  "web-04",
  "web-05",
  "web-06",
  "web-07",
  "web-08",
  "web-09",
  "web-10",
  "web-11",
  "web-12",
];

async function fleetOf(names: readonly string[]) {
  const stack = await createWebStack(operator);
  await registerWeb(operator.ecs);
  for (const serviceName of names)
    await operator.ecs.send(new CreateServiceCommand(webService(stack, { serviceName, desiredCount: 1 })));
  emulator.calls.reset();
  return stack;
}

/** Someone else moves a service's desired count (autoscaling, an operator). */
const setDesiredCount = (service: string, desiredCount: number) =>
  operator.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service, desiredCount }));

/** Registers (or re-registers) a service's scalable target with bounds [1, max]. */
const registerScalableTarget = (resourceId: string, maxCapacity: number) =>
  operator.autoscaling.send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: "ecs",
      ResourceId: resourceId,
      ScalableDimension: "ecs:service:DesiredCount",
      MinCapacity: 1,
      MaxCapacity: maxCapacity,
    }),
  );

/** The sample spec, its service in `cluster`. */
const specIn = (cluster: string): ServiceSpec =>
  parseSpec(specYaml({ spec: { cluster } }), "service.yaml").spec;

/** An inventory on a clock the test moves. */
function inventoryAt(clock: { now: number }, maxAgeMs = 10_000) {
  return new FleetInventory(controller, { maxAgeMs, now: () => clock.now });
}

describe("FleetInventory", () => {
  it("serves a fleet's services from DescribeServices calls of 10, each as AWS has it", async () => {
    await fleetOf(SERVICES);
    const clock = { now: 0 };
    const inventory = inventoryAt(clock);
    // The first asks are read alone; a snapshot taken once they are known batches them all.
    for (const name of SERVICES) await inventory.service(CLUSTER, name);
    clock.now = 10_001;
    callsSince();
    const services = await Promise.all(SERVICES.map((name) => inventory.service(CLUSTER, name)));
    expect(services.map((service) => service?.serviceName)).toEqual(SERVICES);
    expect(services.every((service) => service?.desiredCount === 1)).toBe(true);
    expect(callsSince()).toEqual({ DescribeServices: 2 });
    // Within the max age, the snapshot serves again: no call.
    clock.now = 15_000;
    await Promise.all(SERVICES.map((name) => inventory.service(CLUSTER, name)));
    expect(callsSince()).toEqual({});
  });

  it("never serves a snapshot older than its max age, or taken before this daemon wrote", async () => {
    await fleetOf(["web-01"]);
    const clock = { now: 0 };
    const inventory = inventoryAt(clock);
    expect((await inventory.service(CLUSTER, "web-01"))?.desiredCount).toBe(1);
    await setDesiredCount("web-01", 3);
    clock.now = 5_000;
    // Still fresh: the snapshot (1) is served; that is the tier's documented staleness.
    expect((await inventory.service(CLUSTER, "web-01"))?.desiredCount).toBe(1);
    clock.now = 10_001;
    expect((await inventory.service(CLUSTER, "web-01"))?.desiredCount).toBe(3);

    await setDesiredCount("web-01", 2);
    clock.now = 10_002;
    inventory.wrote();
    clock.now = 10_003;
    expect((await inventory.service(CLUSTER, "web-01"))?.desiredCount).toBe(2);
  });

  it("refreshes ahead: late in a snapshot's life a read is served at once and the next snapshot is read meanwhile", async () => {
    await fleetOf(["web-01"]);
    const clock = { now: 0 };
    const inventory = inventoryAt(clock);
    expect((await inventory.service(CLUSTER, "web-01"))?.desiredCount).toBe(1);
    await setDesiredCount("web-01", 3);
    callsSince();
    // Past 80 % of its max age: the current snapshot answers, and one read of the next starts.
    clock.now = 8_500;
    expect((await inventory.service(CLUSTER, "web-01"))?.desiredCount).toBe(1);
    expect((await inventory.service(CLUSTER, "web-01"))?.desiredCount).toBe(1);
    await expect.poll(() => emulator.calls.calls().length).toBe(1);
    // Once it has landed, it answers.
    await expect.poll(async () => (await inventory.service(CLUSTER, "web-01"))?.desiredCount).toBe(3);
    expect(callsSince()).toEqual({ DescribeServices: 1 });
  });

  it("reads a deleted service as draining, and one never created or in a missing cluster as missing", async () => {
    await fleetOf(["web-01", "web-02"]);
    await setDesiredCount("web-02", 0);
    await operator.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web-02" }));
    const clock = { now: 0 };
    const inventory = inventoryAt(clock);
    for (const name of ["web-01", "web-02", "never-created"]) await inventory.service(CLUSTER, name);
    await inventory.service("no-such-cluster", "web-01");
    clock.now = 10_001;
    expect((await inventory.service(CLUSTER, "web-01"))?.serviceName).toBe("web-01");
    // As a direct read has it: a deleted service drains before it is INACTIVE (and then missing).
    expect((await inventory.service(CLUSTER, "web-02"))?.status).toBe("DRAINING");
    expect(await inventory.service(CLUSTER, "never-created")).toBeUndefined();
    expect(await inventory.service("no-such-cluster", "web-01")).toBeUndefined();
  });

  it("batches listeners by ARN once known, and lists the load balancer again when one was deleted behind its back", async () => {
    const stack = await fleetOf([]);
    const { Listeners: created = [] } = await operator.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: stack.loadBalancerArn,
        Protocol: "HTTP",
        Port: 8081,
        DefaultActions: [{ Type: "forward", TargetGroupArn: stack.targetGroupArn }],
      }),
    );
    const clock = { now: 0 };
    const inventory = inventoryAt(clock);
    const ports = async () =>
      (await inventory.listenersOf(stack.loadBalancerArn)).map((listener) => listener.Port).sort();
    expect(await ports()).toEqual([80, 8081]);
    clock.now = 10_001;
    callsSince();
    expect(await ports()).toEqual([80, 8081]);
    expect(callsSince()).toEqual({ DescribeListeners: 1 });
    const { Listeners: byArn = [] } = await operator.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: stack.loadBalancerArn }),
    );
    expect(byArn).toHaveLength(2);

    await operator.elbv2.send(new DeleteListenerCommand({ ListenerArn: created[0]?.ListenerArn ?? "" }));
    clock.now = 20_002;
    expect(await ports()).toEqual([80]);
  });

  it("puts off a due re-list of a load balancer's listeners while the slow tier is at its pace", async () => {
    const stack = await fleetOf(["web-01"]);
    const clock = { now: 0 };
    // ELB's reads in one bucket of 2 that barely refills: the slow tier's share is one refresh.
    const limiterClock = { now: 0 };
    const limiter = new AwsRateLimiter({
      settings: { scale: 1 },
      // Its calls' waits pass at once, on a clock of their own.
      clock: {
        now: () => limiterClock.now,
        sleep: (ms) => {
          limiterClock.now += ms;
          return Promise.resolve();
        },
      },
      maxWaitMs: Number.POSITIVE_INFINITY,
      bucketsFor: () => [{ name: "reads", burst: 2, perSecond: 0.001, source: "test", verified: false }],
    });
    const limited = createAwsClients({ region: "us-east-1", endpoint: emulator.url, rateLimiter: limiter });
    try {
      const deferred: string[] = [];
      const inventory = new FleetInventory(limited, {
        maxAgeMs: 1_000,
        slowMaxAgeMs: 60_000,
        now: () => clock.now,
        onSlowReadDeferred: (service, operation) => deferred.push(`${service}:${operation}`),
      });
      const ports = async () =>
        (await inventory.listenersOf(stack.loadBalancerArn)).map((listener) => listener.Port).sort();
      const addListener = (Port: number) =>
        operator.elbv2.send(
          new CreateListenerCommand({
            LoadBalancerArn: stack.loadBalancerArn,
            Protocol: "HTTP",
            Port,
            DefaultActions: [{ Type: "forward", TargetGroupArn: stack.targetGroupArn }],
          }),
        );
      expect(await ports()).toEqual([80]);
      await addListener(8081);
      // Due, and within the pace: listed again, the listener added behind our back is seen.
      clock.now = 60_001;
      expect(await ports()).toEqual([80, 8081]);
      await addListener(8082);
      // Due again, the pace spent: the known listeners are read by ARN meanwhile.
      clock.now = 120_002;
      expect(await ports()).toEqual([80, 8081]);
      expect(deferred).toEqual(["elbv2:DescribeListeners"]);
      // Once the share has refilled (a token per 2,000 s at half of 0.001 a second), listed again.
      clock.now = 2_200_000;
      expect(await ports()).toEqual([80, 8081, 8082]);
    } finally {
      destroyAwsClients(limited);
    }
  });

  it("serves scaling policies on the slow tier, scalable targets every snapshot, and neither after a write", async () => {
    await fleetOf(["web-01"]);
    const resourceId = `service/${CLUSTER}/web-01`;
    await registerScalableTarget(resourceId, 4);
    const clock = { now: 0 };
    const inventory = new FleetInventory(controller, {
      maxAgeMs: 1_000,
      slowMaxAgeMs: 60_000,
      now: () => clock.now,
    });
    expect(await inventory.scalingPolicies(resourceId)).toEqual([]);
    expect((await inventory.scalableTarget(resourceId))?.MaxCapacity).toBe(4);
    await operator.autoscaling.send(
      new PutScalingPolicyCommand({
        PolicyName: "cpu",
        ServiceNamespace: "ecs",
        ResourceId: resourceId,
        ScalableDimension: "ecs:service:DesiredCount",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 50,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
        },
      }),
    );
    await registerScalableTarget(resourceId, 6);
    clock.now = 1_001;
    expect((await inventory.scalableTarget(resourceId))?.MaxCapacity).toBe(6);
    expect(await inventory.scalingPolicies(resourceId)).toEqual([]);
    clock.now = 60_002;
    expect((await inventory.scalingPolicies(resourceId)).map((policy) => policy.PolicyName)).toEqual(["cpu"]);
  });

  it("reads a fleet's clusters in one DescribeClusters call on the slow tier, a deleted one as missing", async () => {
    await fleetOf(["web-01"]);
    const names = [CLUSTER, "batch", "jobs"];
    for (const clusterName of names.slice(1))
      await operator.ecs.send(new CreateClusterCommand({ clusterName, tags: [{ key: "team", value: "a" }] }));
    const clock = { now: 0 };
    const inventory = new FleetInventory(controller, {
      maxAgeMs: 1_000,
      slowMaxAgeMs: 60_000,
      now: () => clock.now,
    });
    for (const name of names) inventory.expect(specIn(name));
    const found = await Promise.all(names.map((name) => inventory.cluster(name)));
    expect(found.map((cluster) => cluster?.clusterName)).toEqual(names);
    expect(found[1]?.tags).toEqual([{ key: "team", value: "a" }]);
    expect(callsSince().DescribeClusters).toBe(1);
    await operator.ecs.send(new DeleteClusterCommand({ cluster: "jobs" }));
    // Past the resync tier, within the slow tier: served again, no call.
    clock.now = 30_000;
    expect((await inventory.cluster("jobs"))?.clusterName).toBe("jobs");
    expect(callsSince().DescribeClusters).toBeUndefined();
    clock.now = 60_001;
    expect(await inventory.cluster("jobs")).toBeUndefined();
    expect((await inventory.cluster("batch"))?.status).toBe("ACTIVE");
    expect(callsSince().DescribeClusters).toBe(1);
  });

  it("answers security groups, load balancers, target groups, scaling and log groups as AWS holds them", async () => {
    const stack = await fleetOf(["web-01"]);
    const clock = { now: 0 };
    const inventory = inventoryAt(clock);
    expect((await inventory.loadBalancerNamed("web"))?.LoadBalancerArn).toBe(stack.loadBalancerArn);
    expect(await inventory.loadBalancerNamed("other")).toBeUndefined();
    expect((await inventory.targetGroups()).map((group) => group.TargetGroupArn)).toEqual([
      stack.targetGroupArn,
    ]);
    // The fixture's groups carry no managed-by tag: not ours to list.
    expect(await inventory.ownedSecurityGroups("web")).toEqual([]);
    expect((await inventory.logGroupNamed("/ecs/web"))?.logGroupName).toBe("/ecs/web");
    expect(await inventory.logGroupNamed("/ecs/none")).toBeUndefined();
    expect(await inventory.scalableTarget(`service/${CLUSTER}/web-01`)).toBeUndefined();
    expect(await inventory.scalingPolicies(`service/${CLUSTER}/web-01`)).toEqual([]);
  });

  it("lets direct passes share a target-group listing under way only if it was issued after they began", async () => {
    const stack = await fleetOf(["web-01"]);
    const clock = { now: 0 };
    const inventory = inventoryAt(clock);
    // Two passes begin, then both read: one listing between them.
    const first = inventory.directReads(controller);
    const second = inventory.directReads(controller);
    const [a, b] = await Promise.all([first.targetGroups(), second.targetGroups()]);
    expect(a.map((group) => group.TargetGroupArn)).toEqual([stack.targetGroupArn]);
    expect(b).toEqual(a);
    expect(callsSince()).toEqual({ DescribeTargetGroups: 1 });

    // A pass that begins while an older listing is under way does not take it: it reads AWS itself.
    const early = inventory.directReads(controller);
    const underWay = early.targetGroups();
    clock.now = 1;
    const late = inventory.directReads(controller);
    await Promise.all([underWay, late.targetGroups()]);
    expect(callsSince()).toEqual({ DescribeTargetGroups: 2 });

    // A settled listing is never served again, however recent.
    await early.targetGroups();
    expect(callsSince()).toEqual({ DescribeTargetGroups: 1 });
  });
});
