/**
 * Kill and rerun: for every point of a from-scratch apply (after its k-th mutating call), AWS stops
 * answering as if the controller died there; a second apply must then reach exactly what a clean
 * run reaches. Deterministic names, tags in create calls and idempotent creates make this hold.
 * A change that takes several passes (a replaced target group) is killed after every mutating call
 * of any of its passes, and the passes that follow must finish it.
 */
import {
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";
import {
  DescribeServicesCommand,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPlan, planService } from "../controller/engine/reconcile.ts";
import type { Fault, FaultPolicy } from "../emulator/index.ts";
import { parseSpec, type ServiceSpec } from "../specs/index.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import { convergeThroughPasses } from "./support/converge.ts";
import { type EmulatedAws, startEmulatedAws } from "./support/emulated-aws.ts";

const READ_ONLY = /^(Describe|List|Get)/;

/** Lets `budget` mutating calls through, then drops every call: the controller died mid-apply. */
class DiesAfter implements FaultPolicy {
  #mutations = 0;
  readonly #budget: number;

  constructor(budget: number) {
    this.#budget = budget;
  }

  decide(_service: string, operation: string): Fault | undefined {
    if (this.#mutations >= this.#budget) return { kind: "drop" };
    if (!READ_ONLY.test(operation)) this.#mutations += 1;
    return undefined;
  }

  get exhausted(): boolean {
    return this.#mutations >= this.#budget;
  }
}

let aws: EmulatedAws;
beforeAll(async () => {
  aws = await startEmulatedAws();
});
afterAll(async () => {
  await aws?.close();
});

const specOf = (patch: Parameters<typeof merge>[1]) =>
  parseSpec(
    specYaml(
      merge({ metadata: { name: "web" }, spec: { autoscaling: { minTasks: 2, maxTasks: 4 } } }, patch),
    ),
    "service.yaml",
  ).spec;

async function apply(document: ServiceSpec): Promise<void> {
  const plan = await planService(aws.clients, document);
  await applyPlan(plan, () => {});
}

/** Every pass a change takes, until nothing is left (several for a replaced target group). */
async function converge(document: ServiceSpec): Promise<void> {
  await convergeThroughPasses(aws.clients, document, { deadlineMs: 60_000 });
}

/** What exists, by name and count: duplicates or orphans would show here. */
async function inventory() {
  const { operator } = aws;
  const groups = await operator.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: "tag-key", Values: ["ecs-converge.io/service"] }],
    }),
  );
  const balancers = await operator.elbv2.send(new DescribeLoadBalancersCommand({}));
  const targetGroups = await operator.elbv2.send(new DescribeTargetGroupsCommand({}));
  const groupName = (arn: string | undefined) =>
    (targetGroups.TargetGroups ?? []).find((group) => group.TargetGroupArn === arn)?.TargetGroupName ?? arn;
  const listeners = await Promise.all(
    (balancers.LoadBalancers ?? []).map((balancer) =>
      operator.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: balancer.LoadBalancerArn })),
    ),
  );
  const clusters = await operator.ecs.send(new ListClustersCommand({}));
  const services = await Promise.all(
    (clusters.clusterArns ?? []).map((cluster) => operator.ecs.send(new ListServicesCommand({ cluster }))),
  );
  const described = await Promise.all(
    (clusters.clusterArns ?? []).map((cluster) =>
      operator.ecs.send(new DescribeServicesCommand({ cluster, services: ["web"] })),
    ),
  );
  const revisions = await operator.ecs.send(
    new ListTaskDefinitionsCommand({ familyPrefix: "web", status: "ACTIVE" }),
  );
  const targets = await operator.autoscaling.send(
    new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }),
  );
  const policies = await operator.autoscaling.send(
    new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }),
  );
  const logGroups = await operator.logs.send(new DescribeLogGroupsCommand({}));
  return {
    securityGroups: (groups.SecurityGroups ?? [])
      .map(
        (group) =>
          `${group.GroupName} in:${JSON.stringify(group.IpPermissions?.length)} out:${group.IpPermissionsEgress?.length}`,
      )
      .sort(),
    loadBalancers: (balancers.LoadBalancers ?? []).map((balancer) => balancer.LoadBalancerName),
    targetGroups: (targetGroups.TargetGroups ?? []).map((group) => group.TargetGroupName).sort(),
    listeners: listeners.flatMap((page) =>
      (page.Listeners ?? []).map((listener) => {
        const forward = listener.DefaultActions?.[0];
        const tuples = forward?.ForwardConfig?.TargetGroups ?? [];
        return `${listener.Port} → ${tuples.map((tuple) => `${groupName(tuple.TargetGroupArn)}=${tuple.Weight}`).join(",")}`;
      }),
    ),
    serviceTargets: described
      .flatMap((page) => page.services ?? [])
      .filter((service) => service.status === "ACTIVE")
      .map((service) =>
        (service.loadBalancers ?? [])
          .map((binding) => `${groupName(binding.targetGroupArn)}:${binding.containerPort}`)
          .join(","),
      ),
    clusters: (clusters.clusterArns ?? []).length,
    services: services.flatMap((page) => page.serviceArns ?? []).sort(),
    revisions: (revisions.taskDefinitionArns ?? []).length,
    scalableTargets: (targets.ScalableTargets ?? []).map(
      (target) => `${target.ResourceId} ${target.MinCapacity}-${target.MaxCapacity}`,
    ),
    policies: (policies.ScalingPolicies ?? []).map((policy) => policy.PolicyName),
    logGroups: (logGroups.logGroups ?? []).map((group) => `${group.logGroupName} ${group.retentionInDays}`),
  };
}

const scenarios: Array<{ reason: string; before?: ServiceSpec; after: ServiceSpec }> = [
  { reason: "a from-scratch apply", after: specOf({}) },
  {
    reason:
      "an apply that moves the service to another cluster, replaces its target group and rolls a new image",
    before: specOf({}),
    after: specOf({
      spec: { cluster: "blue", task: { container: { port: 8080, image: "registry.example.com/web:2.0.0" } } },
    }),
  },
];

describe("a crash at any point of a change that takes several passes", () => {
  it("a container port change, killed after any mutating call of any pass, is finished by the passes that follow", async () => {
    const before = specOf({});
    const after = specOf({ spec: { task: { container: { port: 8080 } } } });
    aws.emulator.reset();
    await converge(before);
    aws.emulator.calls.reset();
    await converge(after);
    const clean = await inventory();
    expect(clean.targetGroups).toHaveLength(1);
    const mutations = aws.emulator.calls.calls().filter((call) => !READ_ONLY.test(call.operation)).length;
    expect(mutations).toBeGreaterThan(8);

    for (let budget = 0; budget < mutations; budget++) {
      aws.emulator.reset();
      await converge(before);
      const killSwitch = new DiesAfter(budget);
      aws.emulator.faults = killSwitch;
      const outcome = await converge(after).then(
        () => "finished",
        () => "died",
      );
      aws.emulator.clearFaults();
      // A rollout's timing can make a run take a call fewer than the clean one: it then simply finishes.
      if (!killSwitch.exhausted) {
        expect(outcome).toBe("finished");
        continue;
      }
      expect(outcome, `the run cut after ${budget} mutations should fail`).toBe("died");

      await converge(after);
      expect(await inventory(), `after a crash following mutation ${budget}`).toEqual(clean);
    }
  }, 240_000);
});

describe("a crash at any point of an apply", () => {
  it.each(scenarios)(
    "is repaired by the next apply into exactly what a clean run makes: $reason",
    async ({ before, after }) => {
      aws.emulator.reset();
      if (before) await converge(before);
      aws.emulator.calls.reset();
      // The mutations of the first pass are the points to cut at; a change that takes several passes
      // (a replaced target group) is finished by the ones after it, whatever their timing.
      await apply(after);
      const mutations = aws.emulator.calls.calls().filter((call) => !READ_ONLY.test(call.operation)).length;
      expect(mutations).toBeGreaterThan(3);
      await converge(after);
      const clean = await inventory();

      for (let budget = 0; budget < mutations; budget++) {
        aws.emulator.reset();
        if (before) await converge(before);
        const killSwitch = new DiesAfter(budget);
        aws.emulator.faults = killSwitch;
        await expect(apply(after), `the run cut after ${budget} mutations should fail`).rejects.toBeDefined();
        expect(killSwitch.exhausted).toBe(true);
        aws.emulator.clearFaults();

        await converge(after);
        expect(await inventory(), `after a crash following mutation ${budget}`).toEqual(clean);
      }
    },
  );
});
