/**
 * The reconciler end to end against the built-in emulator, through the real SDK: from nothing to
 * converged, every kind of spec change, out-of-band drift, ownership, destroy. Assertions are on the
 * plan and on what AWS (the emulator) holds, never on the calls that got there.
 */

import { DeleteScalingPolicyCommand } from "@aws-sdk/client-application-auto-scaling";
import { PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
} from "@aws-sdk/client-ec2";
import {
  DescribeServicesCommand,
  ListTaskDefinitionsCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  DeleteListenerCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EMULATOR_ACCESS_KEY_ID } from "../controller/aws/clients.ts";
import { controllerActions } from "../controller/aws/iam-policy.ts";
import { OwnershipConflictError } from "../controller/engine/ownership-check.ts";
import type { Change } from "../controller/engine/plan.ts";
import { applyPlan, createPassCaches, planDestroy, planService } from "../controller/engine/reconcile.ts";
import { KEPT_REVISIONS } from "../controller/resources/task-definition/task-definition.ts";
import { parseSpec, type ServiceSpec } from "../specs/index.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import { convergeThroughPasses } from "./support/converge.ts";
import { type EmulatedAws, startEmulatedAws } from "./support/emulated-aws.ts";

type Patch = Parameters<typeof merge>[1];

let aws: EmulatedAws;
beforeAll(async () => {
  aws = await startEmulatedAws();
});
afterAll(async () => {
  await aws?.close();
});
/** Every action the controller called during this file, for the IAM policy check at the end. */
const controllerActionsCalled = new Set<string>();
beforeEach(() => {
  for (const call of aws.emulator.calls.calls())
    if (call.accessKeyId === EMULATOR_ACCESS_KEY_ID) controllerActionsCalled.add(call.action);
  aws.emulator.reset();
});

const BASE: Patch = { metadata: { name: "web", tags: { team: "platform" } } };

function specWith(patch: Patch = {}): ServiceSpec {
  return parseSpec(specYaml(merge(BASE, patch)), "service.yaml").spec;
}

/** The changes that are not no-ops, as `action Resource` strings. */
const actions = (changes: Change[]) =>
  changes.filter((change) => change.action !== "noop").map((change) => `${change.action} ${change.resource}`);
const paths = (changes: Change[], resource: string) =>
  changes
    .filter((change) => change.resource === resource)
    .flatMap((change) => change.diff.map((field) => field.path));

/** Passes until nothing is left to do (a replaced target group takes several); the first pass's changes. */
async function converge(document: ServiceSpec): Promise<Change[]> {
  const [first] = await convergeThroughPasses(aws.clients, document);
  return first?.changes ?? [];
}

async function expectConverged(document: ServiceSpec): Promise<void> {
  const { changes } = await planService(aws.clients, document);
  expect(
    actions(changes),
    JSON.stringify(
      changes.filter((change) => change.action !== "noop"),
      null,
      2,
    ),
  ).toEqual([]);
}

describe("from nothing", () => {
  it("creates the whole stack in dependency order and then plans no changes", async () => {
    const document = specWith({ spec: { autoscaling: { minTasks: 2, maxTasks: 4 } } });
    const created = await converge(document);
    expect(actions(created).sort()).toEqual(
      [
        "create Cluster",
        "create Listener",
        "create LoadBalancer",
        "create LogGroup",
        "create ScalableTarget",
        "create ScalingPolicy",
        "create SecurityGroup",
        "create SecurityGroup",
        "create Service",
        "create TargetGroup",
        "create TaskDefinition",
      ].sort(),
    );
    await expectConverged(document);
    await expectConverged(document);

    const { LoadBalancers = [] } = await aws.operator.elbv2.send(
      new DescribeLoadBalancersCommand({ Names: ["web"] }),
    );
    expect(LoadBalancers[0]?.Scheme).toBe("internet-facing");
    const { services = [] } = await aws.operator.ecs.send(
      new DescribeServicesCommand({ cluster: "web", services: ["web"] }),
    );
    expect(services[0]).toMatchObject({ status: "ACTIVE", desiredCount: 2, launchType: "FARGATE" });
  });

  it("plans a converged service with about ten reads and no writes once the caches are warm", async () => {
    const document = specWith({ spec: { autoscaling: { minTasks: 2, maxTasks: 4 } } });
    await converge(document);
    const caches = createPassCaches();
    await planService(aws.clients, document, caches);
    aws.emulator.calls.reset();
    const { changes } = await planService(aws.clients, document, caches);
    expect(actions(changes)).toEqual([]);
    const calls = aws.emulator.calls.calls();
    expect(calls.filter((call) => !/^(Describe|List|Get)/.test(call.operation))).toEqual([]);
    expect(calls.length).toBeLessThanOrEqual(10);
  });

  it("keeps secrets out of the plan", async () => {
    const secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-password-AbCdEf";
    const { changes } = await planService(
      aws.clients,
      specWith({ spec: { task: { container: { secrets: { DB_PASSWORD: secret } } } } }),
    );
    expect(JSON.stringify(changes)).not.toContain("db-password");
  });
});

describe("each kind of change plans exactly its diff and converges", () => {
  const cases: Array<{
    reason: string;
    /** What is converged first (default: the base spec). */
    base?: Patch;
    patch: Patch;
    expected: string[];
    fields?: Record<string, string[]>;
  }> = [
    {
      reason: "a new image registers a revision and rolls the service",
      patch: { spec: { task: { container: { image: "registry.example.com/web:1.1.0" } } } },
      expected: ["update TaskDefinition", "update Service"],
      fields: { TaskDefinition: ["container.image"], Service: ["taskDefinition"] },
    },
    {
      reason: "an environment variable",
      patch: { spec: { task: { container: { environment: { LOG_LEVEL: "debug" } } } } },
      expected: ["update TaskDefinition", "update Service"],
      fields: { TaskDefinition: ["container.environment"] },
    },
    {
      reason: "cpu and memory",
      patch: { spec: { task: { cpu: 512, memory: 1024 } } },
      expected: ["update TaskDefinition", "update Service"],
      fields: { TaskDefinition: ["cpu", "memory"] },
    },
    {
      reason: "the health check path",
      patch: { spec: { loadBalancer: { healthCheck: { path: "/ready" } } } },
      expected: ["update TargetGroup"],
      fields: { TargetGroup: ["healthCheck.path"] },
    },
    {
      reason: "the deregistration delay",
      patch: { spec: { loadBalancer: { deregistrationDelaySeconds: 5 } } },
      expected: ["update TargetGroup"],
      fields: { TargetGroup: ["attributes.deregistration_delay.timeout_seconds"] },
    },
    {
      reason: "the desired count without autoscaling",
      patch: { spec: { service: { desiredCount: 3 } } },
      expected: ["update Service"],
      fields: { Service: ["desiredCount"] },
    },
    {
      reason: "the log retention",
      patch: { spec: { logging: { retentionDays: 90 } } },
      expected: ["update LogGroup"],
      fields: { LogGroup: ["retentionInDays"] },
    },
    {
      reason: "the listener port",
      patch: { spec: { loadBalancer: { listenerPort: 8080 } } },
      expected: ["update SecurityGroup", "update Listener"],
      fields: { Listener: ["port"], SecurityGroup: ["ingress"] },
    },
    {
      reason: "the container port replaces the target group beside the old one",
      patch: { spec: { task: { container: { port: 8080 } } } },
      expected: [
        "update SecurityGroup",
        "replace TargetGroup",
        "update Listener",
        "update TaskDefinition",
        "update Service",
      ],
      // The new group is attached without traffic; the listener moves in a later pass.
      fields: { Listener: ["attached"], Service: ["taskDefinition", "loadBalancers"] },
    },
    {
      reason: "autoscaling bounds and target",
      base: { spec: { autoscaling: { minTasks: 2, maxTasks: 4 } } },
      patch: { spec: { autoscaling: { minTasks: 2, maxTasks: 8, targetCpuPercent: 40 } } },
      expected: ["update ScalableTarget", "update ScalingPolicy"],
      fields: { ScalableTarget: ["maxCapacity"], ScalingPolicy: ["targetValue"] },
    },
    {
      reason: "adding autoscaling",
      patch: { spec: { autoscaling: { minTasks: 2, maxTasks: 6 } } },
      expected: ["create ScalableTarget", "create ScalingPolicy"],
    },
  ];

  it.each(cases)("$reason", async ({ base = {}, patch, expected, fields }) => {
    await converge(specWith(base));
    const changed = specWith(merge(base, patch));
    const { changes } = await planService(aws.clients, changed);
    expect(actions(changes).sort()).toEqual([...expected].sort());
    for (const [resource, expectedPaths] of Object.entries(fields ?? {})) {
      expect(paths(changes, resource)).toEqual(expect.arrayContaining(expectedPaths));
    }
    await converge(changed);
    await expectConverged(changed);
  });

  it("moving the service to another cluster replaces it there and deletes the old one", async () => {
    await converge(specWith());
    const moved = specWith({ spec: { cluster: "blue" } });
    const { changes } = await planService(aws.clients, moved);
    // The old service and the cluster tag go in a later pass, once the new service is stable.
    expect(actions(changes).sort()).toEqual(["create Cluster", "replace Service"].sort());
    expect(changes.find((change) => change.resource === "Service")?.reason).toBe(
      "cluster is immutable; replaces the service in cluster web",
    );
    await converge(moved);
    await expectConverged(moved);
    const inCluster = async (cluster: string) => {
      const { services = [] } = await aws.operator.ecs.send(
        new DescribeServicesCommand({ cluster, services: ["web"] }),
      );
      return services[0]?.status;
    };
    expect(await inCluster("blue")).toBe("ACTIVE");
    expect(["DRAINING", "INACTIVE"]).toContain(await inCluster("web"));
  });

  it("keeps the newest revisions of the family and deregisters older ones", async () => {
    for (let version = 1; version <= KEPT_REVISIONS + 3; version++) {
      await converge(
        specWith({ spec: { task: { container: { image: `registry.example.com/web:1.0.${version}` } } } }),
      );
    }
    const { taskDefinitionArns = [] } = await aws.operator.ecs.send(
      new ListTaskDefinitionsCommand({ familyPrefix: "web", status: "ACTIVE" }),
    );
    expect(taskDefinitionArns.length).toBeLessThanOrEqual(KEPT_REVISIONS + 1);
    expect(taskDefinitionArns.at(-1)).toMatch(/web:8$/);
  });

  it("replacing the target group deletes the old one once nothing uses it", async () => {
    await converge(specWith());
    await converge(specWith({ spec: { task: { container: { port: 8080 } } } }));
    const { TargetGroups = [] } = await aws.operator.elbv2.send(new DescribeTargetGroupsCommand({}));
    expect(TargetGroups.map((group) => group.Port)).toEqual([8080]);
  });

  it("autoscaling owns desiredCount: a count moved within bounds is not drift; removing autoscaling returns to the spec's count", async () => {
    const scaled = specWith({
      spec: { service: { desiredCount: 2 }, autoscaling: { minTasks: 2, maxTasks: 6 } },
    });
    await converge(scaled);
    await aws.operator.ecs.send(
      new UpdateServiceCommand({ cluster: "web", service: "web", desiredCount: 5 }),
    );
    await expectConverged(scaled);

    await aws.operator.ecs.send(
      new UpdateServiceCommand({ cluster: "web", service: "web", desiredCount: 9 }),
    );
    const { changes } = await planService(aws.clients, scaled);
    expect(changes.find((change) => change.resource === "Service")?.diff).toEqual([
      { path: "desiredCount", observed: 9, desired: 6 },
    ]);

    const fixed = specWith({ spec: { service: { desiredCount: 3 } } });
    const removal = await planService(aws.clients, fixed);
    expect(actions(removal.changes).sort()).toEqual(
      ["delete ScalableTarget", "delete ScalingPolicy", "update Service"].sort(),
    );
    await applyPlan(removal, () => {});
    await expectConverged(fixed);
  });
});

describe("out-of-band drift is found by plan and fixed by apply", () => {
  const drifts: Array<{
    reason: string;
    drift: () => Promise<unknown>;
    expected: string[];
    autoscaling?: boolean;
  }> = [
    {
      reason: "a rule opening the tasks to the internet is revoked",
      drift: async () => {
        const { SecurityGroups = [] } = await aws.operator.ec2.send(
          new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["web-tasks"] }] }),
        );
        await aws.operator.ec2.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: SecurityGroups[0]?.GroupId,
            IpPermissions: [
              { IpProtocol: "tcp", FromPort: 3000, ToPort: 3000, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
            ],
          }),
        );
      },
      expected: ["update SecurityGroup"],
    },
    {
      reason: "a modified health check",
      drift: async () => {
        const { TargetGroups = [] } = await aws.operator.elbv2.send(new DescribeTargetGroupsCommand({}));
        await aws.operator.elbv2.send(
          new ModifyTargetGroupCommand({
            TargetGroupArn: TargetGroups[0]?.TargetGroupArn,
            HealthCheckPath: "/",
          }),
        );
      },
      expected: ["update TargetGroup"],
    },
    {
      reason: "a deleted listener",
      drift: async () => {
        const { LoadBalancers = [] } = await aws.operator.elbv2.send(
          new DescribeLoadBalancersCommand({ Names: ["web"] }),
        );
        const { Listeners = [] } = await aws.operator.elbv2.send(
          new DescribeListenersCommand({ LoadBalancerArn: LoadBalancers[0]?.LoadBalancerArn }),
        );
        await aws.operator.elbv2.send(new DeleteListenerCommand({ ListenerArn: Listeners[0]?.ListenerArn }));
      },
      expected: ["create Listener"],
    },
    {
      reason: "a desired count changed by hand without autoscaling",
      drift: () =>
        aws.operator.ecs.send(new UpdateServiceCommand({ cluster: "web", service: "web", desiredCount: 7 })),
      expected: ["update Service"],
    },
    {
      reason: "a changed log retention",
      drift: () =>
        aws.operator.logs.send(
          new PutRetentionPolicyCommand({ logGroupName: "/ecs/web", retentionInDays: 1 }),
        ),
      expected: ["update LogGroup"],
    },
    {
      reason: "a deleted scaling policy",
      autoscaling: true,
      drift: () =>
        aws.operator.autoscaling.send(
          new DeleteScalingPolicyCommand({
            PolicyName: "web-cpu",
            ServiceNamespace: "ecs",
            ResourceId: "service/web/web",
            ScalableDimension: "ecs:service:DesiredCount",
          }),
        ),
      expected: ["create ScalingPolicy"],
    },
  ];

  it.each(drifts)("$reason", async ({ drift, expected, autoscaling }) => {
    const document = specWith(autoscaling ? { spec: { autoscaling: { minTasks: 2, maxTasks: 4 } } } : {});
    await converge(document);
    await drift();
    const { changes } = await planService(aws.clients, document);
    expect(actions(changes)).toEqual(expected);
    await converge(document);
    await expectConverged(document);
  });
});

describe("ownership", () => {
  it("refuses to touch a resource with our name that it does not own", async () => {
    const { Vpcs } = await aws.operator.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
    );
    await aws.operator.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "web-alb",
        Description: "someone elses group",
        VpcId: Vpcs?.[0]?.VpcId,
      }),
    );
    const refused = await planService(aws.clients, specWith()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OwnershipConflictError);
    expect((refused as Error).message).toMatch(
      /SecurityGroup web-alb \(sg-[0-9a-f]+\) exists but is not managed by ecs-converge/,
    );
  });

  it("adopts it when the spec opts in, tagging it", async () => {
    const { Vpcs } = await aws.operator.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
    );
    await aws.operator.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "web-alb",
        Description: "adopt me",
        VpcId: Vpcs?.[0]?.VpcId,
      }),
    );
    const document = specWith({ metadata: { adopt: true } });
    const { changes } = await planService(aws.clients, document);
    expect(
      changes.find((change) => change.resource === "SecurityGroup" && change.name === "web-alb")?.action,
    ).toBe("update");
    await converge(document);
    await expectConverged(document);
  });
});

describe("destroy", () => {
  it("leaves no owned resource and no network interface behind", async () => {
    const document = specWith({ spec: { autoscaling: { minTasks: 2, maxTasks: 4 } } });
    await converge(document);
    const plan = await planDestroy(aws.clients, document, { keepLogs: false, timeoutMs: 60_000 });
    await applyPlan(plan, () => {});

    const { changes } = await planService(aws.clients, document);
    expect(actions(changes).every((action) => action.startsWith("create"))).toBe(true);
    const { NetworkInterfaces = [] } = await aws.operator.ec2.send(new DescribeNetworkInterfacesCommand({}));
    expect(NetworkInterfaces).toEqual([]);
    const again = await planDestroy(aws.clients, document, { keepLogs: false, timeoutMs: 60_000 });
    expect(actions(again.changes)).toEqual([]);
  });
});

describe("destroy --keep-logs", () => {
  it("keeps the log group and deletes everything else", async () => {
    const document = specWith();
    await converge(document);
    await applyPlan(
      await planDestroy(aws.clients, document, { keepLogs: true, timeoutMs: 60_000 }),
      () => {},
    );
    const { changes } = await planService(aws.clients, document);
    expect(
      actions(changes)
        .filter((action) => action !== "create LogGroup")
        .every((action) => action.startsWith("create")),
    ).toBe(true);
    expect(actions(changes)).not.toContain("create LogGroup");
  });
});

describe("the IAM policy (runs last: it reads the calls of every test above)", () => {
  it("allows every action the controller called in this file", () => {
    for (const call of aws.emulator.calls.calls())
      if (call.accessKeyId === EMULATOR_ACCESS_KEY_ID) controllerActionsCalled.add(call.action);
    expect(controllerActionsCalled.size).toBeGreaterThan(30);
    expect([...controllerActionsCalled].filter((action) => !controllerActions().includes(action))).toEqual(
      [],
    );
  });
});
