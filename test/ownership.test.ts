/**
 * Ownership without exceptions: for every kind, a resource holding our derived name (or identity) but
 * not our ownership tags is never modified or deleted, by apply, by destroy or by the daemon's drift
 * repair. Each case converges the stack, takes one resource away from us (its ownership tags removed,
 * or one made by someone else), changes it the way its owner might, and then checks, in the
 * emulator's state, that the operation left it exactly as its owner left it.
 */
import {
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  ListTagsForResourceCommand as ListScalableTargetTagsCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  UntagResourceCommand as UntagScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import {
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand as ListLogGroupTagsCommand,
  PutRetentionPolicyCommand,
  UntagResourceCommand as UntagLogGroupCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  AuthorizeSecurityGroupIngressCommand,
  DeleteTagsCommand,
  DescribeSecurityGroupsCommand,
} from "@aws-sdk/client-ec2";
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  UntagResourceCommand as UntagEcsResourceCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupCommand,
  RemoveTagsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createAwsClients } from "../controller/aws/clients.ts";
import { ConcurrencyLimiter } from "../controller/daemon/limiter.ts";
import { ServiceWorker } from "../controller/daemon/service-worker.ts";
import { OwnershipConflictError } from "../controller/engine/ownership-check.ts";
import { type Change, type LeftInPlace, NOT_OURS, type ResourceKind } from "../controller/engine/plan.ts";
import { applyPlan, planDestroy, planService } from "../controller/engine/reconcile.ts";
import { MANAGED_BY_TAG, RESOURCE_TAG, SERVICE_TAG } from "../controller/ownership.ts";
import { parseSpec, type ServiceSpec } from "../specs/index.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import { useEmulatedAws } from "./support/emulated-aws.ts";
import { waitFor } from "./support/wait-for.ts";
import { PASSES_ON_DEMAND } from "./support/worker-settings.ts";

type Patch = Parameters<typeof merge>[1];

const aws = useEmulatedAws();

const OWNERSHIP_KEYS = [MANAGED_BY_TAG, SERVICE_TAG, RESOURCE_TAG];
const RESOURCE_ID = "service/web/web";
const DIMENSION = {
  ServiceNamespace: "ecs" as const,
  ScalableDimension: "ecs:service:DesiredCount" as const,
};
const WITH_AUTOSCALING: Patch = { spec: { autoscaling: { minTasks: 2, maxTasks: 4 } } };

const loaded = (patch: Patch = {}) =>
  parseSpec(
    specYaml(merge({ metadata: { name: "web", tags: { team: "platform" } } }, patch)),
    "service.yaml",
  );
const specWith = (patch: Patch = {}): ServiceSpec => loaded(patch).spec;

async function converge(document: ServiceSpec): Promise<void> {
  await applyPlan(await planService(aws.clients, document), () => {});
}

const actions = (changes: Change[]) =>
  changes.filter((change) => change.action !== "noop").map((change) => `${change.action} ${change.resource}`);

// What someone else sees of each resource, read with their own clients.

const tagMap = (tags: readonly { Key?: string; Value?: string }[] = []) =>
  Object.fromEntries(tags.map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
const ecsTagMap = (tags: readonly { key?: string; value?: string }[] = []) =>
  Object.fromEntries(tags.map((tag) => [tag.key ?? "", tag.value ?? ""]));

async function securityGroup(name: string) {
  const { SecurityGroups = [] } = await aws.operator.ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [name] }] }),
  );
  const group = SecurityGroups[0];
  return (
    group && {
      id: group.GroupId,
      ingress: group.IpPermissions,
      egress: group.IpPermissionsEgress,
      tags: tagMap(group.Tags),
    }
  );
}

async function logGroup() {
  const { logGroups = [] } = await aws.operator.logs.send(
    new DescribeLogGroupsCommand({ logGroupNamePrefix: "/ecs/web" }),
  );
  const group = logGroups.find((candidate) => candidate.logGroupName === "/ecs/web");
  if (!group?.logGroupArn) return undefined;
  const { tags } = await aws.operator.logs.send(
    new ListLogGroupTagsCommand({ resourceArn: group.logGroupArn }),
  );
  return { arn: group.logGroupArn, retention: group.retentionInDays, tags };
}

async function elbTags(arn: string | undefined) {
  const { TagDescriptions = [] } = await aws.operator.elbv2.send(
    new DescribeTagsCommand({ ResourceArns: [arn ?? ""] }),
  );
  return tagMap(TagDescriptions[0]?.Tags);
}

async function loadBalancer() {
  const found = await aws.operator.elbv2
    .send(new DescribeLoadBalancersCommand({ Names: ["web"] }))
    .catch(() => ({ LoadBalancers: [] }));
  const balancer = found.LoadBalancers?.[0];
  return (
    balancer && {
      arn: balancer.LoadBalancerArn,
      securityGroups: balancer.SecurityGroups,
      subnets: balancer.AvailabilityZones?.map((zone) => zone.SubnetId).sort(),
      tags: await elbTags(balancer.LoadBalancerArn),
    }
  );
}

async function targetGroup() {
  const { TargetGroups = [] } = await aws.operator.elbv2.send(new DescribeTargetGroupsCommand({}));
  const group = TargetGroups.find((candidate) => candidate.TargetGroupName?.startsWith("web-"));
  return (
    group && {
      arn: group.TargetGroupArn,
      path: group.HealthCheckPath,
      tags: await elbTags(group.TargetGroupArn),
    }
  );
}

async function listener() {
  const balancer = await loadBalancer();
  if (!balancer) return undefined;
  const { Listeners = [] } = await aws.operator.elbv2.send(
    new DescribeListenersCommand({ LoadBalancerArn: balancer.arn }),
  );
  const found = Listeners.find((candidate) => candidate.Port === 80);
  return (
    found && {
      arn: found.ListenerArn,
      forwardTo: found.DefaultActions?.[0]?.TargetGroupArn,
      tags: await elbTags(found.ListenerArn),
    }
  );
}

async function cluster() {
  const { clusters = [] } = await aws.operator.ecs.send(
    new DescribeClustersCommand({ clusters: ["web"], include: ["TAGS"] }),
  );
  const found = clusters.find((candidate) => candidate.status === "ACTIVE");
  return found && { arn: found.clusterArn, tags: ecsTagMap(found.tags) };
}

async function ecsService() {
  const { services = [] } = await aws.operator.ecs
    .send(new DescribeServicesCommand({ cluster: "web", services: ["web"], include: ["TAGS"] }))
    .catch(() => ({ services: [] }));
  const found = services.find((candidate) => candidate.status === "ACTIVE");
  return (
    found && {
      arn: found.serviceArn,
      desiredCount: found.desiredCount,
      taskDefinition: found.taskDefinition,
      tags: ecsTagMap(found.tags),
    }
  );
}

async function revision(name: string) {
  const { taskDefinition, tags } = await aws.operator.ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: name, include: ["TAGS"] }),
  );
  return taskDefinition && { status: taskDefinition.status, tags: ecsTagMap(tags) };
}

async function scalableTarget() {
  const { ScalableTargets = [] } = await aws.operator.autoscaling.send(
    new DescribeScalableTargetsCommand({ ...DIMENSION, ResourceIds: [RESOURCE_ID] }),
  );
  const target = ScalableTargets[0];
  if (!target?.ScalableTargetARN) return undefined;
  const [{ Tags }, { ScalingPolicies = [] }] = await Promise.all([
    aws.operator.autoscaling.send(
      new ListScalableTargetTagsCommand({ ResourceARN: target.ScalableTargetARN }),
    ),
    aws.operator.autoscaling.send(
      new DescribeScalingPoliciesCommand({ ...DIMENSION, ResourceId: RESOURCE_ID }),
    ),
  ]);
  return {
    min: target.MinCapacity,
    max: target.MaxCapacity,
    tags: Tags,
    policies: ScalingPolicies.map((policy) => ({
      name: policy.PolicyName,
      target: policy.TargetTrackingScalingPolicyConfiguration?.TargetValue,
    })),
  };
}

async function scalingPolicy(name: string) {
  const { ScalingPolicies = [] } = await aws.operator.autoscaling.send(
    new DescribeScalingPoliciesCommand({ ...DIMENSION, ResourceId: RESOURCE_ID, PolicyNames: [name] }),
  );
  const policy = ScalingPolicies[0];
  return policy && { arn: policy.PolicyARN, configuration: policy.TargetTrackingScalingPolicyConfiguration };
}

/** Someone else's rule on our load balancer's listener on `port`, as they see it (undefined once gone). */
async function theirRule(port = 80) {
  const balancer = await loadBalancer();
  if (!balancer) return undefined;
  const { Listeners = [] } = await aws.operator.elbv2.send(
    new DescribeListenersCommand({ LoadBalancerArn: balancer.arn }),
  );
  const found = Listeners.find((candidate) => candidate.Port === port);
  if (!found) return undefined;
  const { Rules = [] } = await aws.operator.elbv2.send(
    new DescribeRulesCommand({ ListenerArn: found.ListenerArn }),
  );
  const rule = Rules.find((candidate) => !candidate.IsDefault);
  return (
    rule && {
      arn: rule.RuleArn,
      priority: rule.Priority,
      conditions: rule.Conditions,
      actions: rule.Actions,
      tags: await elbTags(rule.RuleArn),
    }
  );
}

/** A target group by ARN as its users see it: it exists, and whom it serves. */
async function targetGroupByArn(arn: string | undefined) {
  const { TargetGroups = [] } = await aws.operator.elbv2
    .send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn ?? ""] }))
    .catch(() => ({ TargetGroups: [] }));
  const group = TargetGroups[0];
  return group && { arn: group.TargetGroupArn, loadBalancers: group.LoadBalancerArns };
}

/** Someone's own target group beside ours (same VPC), to route their rule to. */
async function createTheirTargetGroup() {
  const ours = await aws.operator.elbv2.send(new DescribeTargetGroupsCommand({}));
  const { TargetGroups } = await aws.operator.elbv2.send(
    new CreateTargetGroupCommand({
      Name: "their-search",
      Protocol: "HTTP",
      Port: 9000,
      VpcId: ours.TargetGroups?.[0]?.VpcId,
      TargetType: "ip",
    }),
  );
  return TargetGroups?.[0]?.TargetGroupArn;
}

/** Someone's rule on our listener on `port`, routing `/search/*` to `targetGroupArn`. */
async function addTheirRule(targetGroupArn: string | undefined, port = 80) {
  const balancer = await loadBalancer();
  const { Listeners = [] } = await aws.operator.elbv2.send(
    new DescribeListenersCommand({ LoadBalancerArn: balancer?.arn }),
  );
  await aws.operator.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: Listeners.find((candidate) => candidate.Port === port)?.ListenerArn,
      Priority: 10,
      Conditions: [{ Field: "path-pattern", Values: ["/search/*"] }],
      Actions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
      Tags: [{ Key: "team", Value: "search" }],
    }),
  );
}

/** A second listener carrying our ownership tags (one the spec no longer has), forwarding to our group. */
async function addOurExtraListener(port: number) {
  const [balancer, group, ours] = await Promise.all([loadBalancer(), targetGroup(), listener()]);
  await aws.operator.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: balancer?.arn,
      Protocol: "HTTP",
      Port: port,
      DefaultActions: [{ Type: "forward", TargetGroupArn: group?.arn }],
      Tags: Object.entries(ours?.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

// How a resource stops being ours: its ownership tags removed, the way its new owner would.

async function untagSecurityGroup(name: string) {
  const group = await securityGroup(name);
  await aws.operator.ec2.send(
    new DeleteTagsCommand({ Resources: [group?.id ?? ""], Tags: OWNERSHIP_KEYS.map((Key) => ({ Key })) }),
  );
  return group?.id ?? "";
}
const untagElb = (arn: string | undefined) =>
  aws.operator.elbv2.send(new RemoveTagsCommand({ ResourceArns: [arn ?? ""], TagKeys: OWNERSHIP_KEYS }));
const untagEcs = (arn: string | undefined) =>
  aws.operator.ecs.send(new UntagEcsResourceCommand({ resourceArn: arn, tagKeys: OWNERSHIP_KEYS }));

async function untagScalableTarget() {
  const { ScalableTargets = [] } = await aws.operator.autoscaling.send(
    new DescribeScalableTargetsCommand({ ...DIMENSION, ResourceIds: [RESOURCE_ID] }),
  );
  await aws.operator.autoscaling.send(
    new UntagScalableTargetCommand({
      ResourceARN: ScalableTargets[0]?.ScalableTargetARN,
      TagKeys: OWNERSHIP_KEYS,
    }),
  );
}

/** Someone's own target tracking policy on the service's scalable target. */
const putTheirPolicy = (name: string, targetValue: number) =>
  aws.operator.autoscaling.send(
    new PutScalingPolicyCommand({
      ...DIMENSION,
      ResourceId: RESOURCE_ID,
      PolicyName: name,
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: targetValue,
        PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageMemoryUtilization" },
      },
    }),
  );

interface Case {
  reason: string;
  resource: ResourceKind;
  /** Its name in plans. */
  name: string;
  /** The spec the stack is converged with first. */
  converged?: Patch;
  /** The spec apply, destroy and the daemon then work with (default: `converged`). */
  spec?: Patch;
  /** Takes the resource away from us and changes it as its owner might. */
  disown: () => Promise<unknown>;
  /** What its owner sees of it; must not change. */
  state: () => Promise<unknown>;
  /** What apply does: stop with an ownership conflict, or converge everything else around it. */
  apply: "conflict" | "converges";
}

const cases: Case[] = [
  {
    reason: "the load balancer's security group: its rules and tags are its owner's",
    resource: "SecurityGroup",
    name: "web-alb",
    disown: async () => {
      const id = await untagSecurityGroup("web-alb");
      await aws.operator.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "10.0.0.0/8" }] },
          ],
        }),
      );
    },
    state: () => securityGroup("web-alb"),
    apply: "conflict",
  },
  {
    reason: "the tasks' security group: a rule its owner opened is not revoked",
    resource: "SecurityGroup",
    name: "web-tasks",
    disown: async () => {
      const id = await untagSecurityGroup("web-tasks");
      await aws.operator.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: id,
          IpPermissions: [
            { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          ],
        }),
      );
    },
    state: () => securityGroup("web-tasks"),
    apply: "conflict",
  },
  {
    reason: "the log group: its retention is its owner's",
    resource: "LogGroup",
    name: "/ecs/web",
    disown: async () => {
      const group = await logGroup();
      await aws.operator.logs.send(
        new UntagLogGroupCommand({ resourceArn: group?.arn, tagKeys: OWNERSHIP_KEYS }),
      );
      await aws.operator.logs.send(
        new PutRetentionPolicyCommand({ logGroupName: "/ecs/web", retentionInDays: 1 }),
      );
    },
    state: logGroup,
    apply: "conflict",
  },
  {
    reason: "the load balancer: not re-tagged, not deleted",
    resource: "LoadBalancer",
    name: "web",
    disown: async () => untagElb((await loadBalancer())?.arn),
    state: loadBalancer,
    apply: "conflict",
  },
  {
    reason: "the target group: its health check is its owner's",
    resource: "TargetGroup",
    name: "web-",
    disown: async () => {
      const group = await targetGroup();
      await untagElb(group?.arn);
      await aws.operator.elbv2.send(
        new ModifyTargetGroupCommand({ TargetGroupArn: group?.arn, HealthCheckPath: "/theirs" }),
      );
    },
    state: targetGroup,
    apply: "conflict",
  },
  {
    reason: "the listener on our port: not re-pointed, not deleted (nor with its load balancer)",
    resource: "Listener",
    name: "web:80",
    disown: async () => untagElb((await listener())?.arn),
    state: listener,
    apply: "conflict",
  },
  {
    reason:
      "a rule someone added to our listener: never changed; deleting the listener or the load balancer would delete it, so both stay",
    resource: "ListenerRule",
    name: "web:80",
    disown: async () => addTheirRule(await createTheirTargetGroup()),
    state: () => theirRule(),
    apply: "converges",
  },
  {
    reason: "a rule someone added that forwards to our target group: the group stays too, without waiting",
    resource: "ListenerRule",
    name: "web:80",
    disown: async () => addTheirRule((await targetGroup())?.arn),
    state: async () => ({
      rule: await theirRule(),
      group: await targetGroupByArn((await targetGroup())?.arn),
    }),
    apply: "converges",
  },
  (() => {
    let replacedArn: string | undefined;
    return {
      reason:
        "a rule someone added that forwards to our target group as the spec replaces it: the old group stays",
      resource: "ListenerRule" as const,
      name: "web:80",
      spec: { spec: { task: { container: { port: 9090 } } } },
      disown: async () => {
        replacedArn = (await targetGroup())?.arn;
        await addTheirRule(replacedArn);
      },
      state: async () => ({ rule: await theirRule(), group: await targetGroupByArn(replacedArn) }),
      apply: "converges" as const,
    };
  })(),
  {
    reason:
      "a rule someone added to a listener of ours the spec no longer has: deleting the listener would delete it, so both stay",
    resource: "ListenerRule",
    name: "web:8080",
    disown: async () => {
      await addOurExtraListener(8080);
      await addTheirRule(await createTheirTargetGroup(), 8080);
    },
    state: () => theirRule(8080),
    apply: "converges",
  },
  {
    reason: "the cluster: used as it is, never re-tagged or deleted",
    resource: "Cluster",
    name: "web",
    disown: async () => untagEcs((await cluster())?.arn),
    state: cluster,
    apply: "converges",
  },
  {
    reason: "a revision of our family we did not register: never reused, never deregistered",
    resource: "TaskDefinition",
    name: "web:1",
    disown: async () => {
      const { taskDefinition } = await aws.operator.ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: "web:1" }),
      );
      await untagEcs(taskDefinition?.taskDefinitionArn);
    },
    state: () => revision("web:1"),
    apply: "converges",
  },
  {
    reason: "the ECS service: its desired count is its owner's",
    resource: "Service",
    name: "web",
    disown: async () => {
      await untagEcs((await ecsService())?.arn);
      await aws.operator.ecs.send(
        new UpdateServiceCommand({ cluster: "web", service: "web", desiredCount: 5 }),
      );
    },
    state: ecsService,
    apply: "conflict",
  },
  {
    reason:
      "the scalable target, autoscaling in the spec: its bounds and its policy (even one with our name) are its owner's",
    resource: "ScalableTarget",
    name: RESOURCE_ID,
    converged: WITH_AUTOSCALING,
    disown: async () => {
      await untagScalableTarget();
      await aws.operator.autoscaling.send(
        new RegisterScalableTargetCommand({
          ...DIMENSION,
          ResourceId: RESOURCE_ID,
          MinCapacity: 1,
          MaxCapacity: 9,
        }),
      );
      await putTheirPolicy("web-cpu", 42);
    },
    state: scalableTarget,
    apply: "conflict",
  },
  {
    reason: "the scalable target, autoscaling removed from the spec: neither it nor its policies are deleted",
    resource: "ScalableTarget",
    name: RESOURCE_ID,
    converged: WITH_AUTOSCALING,
    spec: {},
    disown: async () => {
      await untagScalableTarget();
      await putTheirPolicy("their-memory", 70);
    },
    state: scalableTarget,
    apply: "converges",
  },
  {
    reason:
      "a scaling policy someone added to our target: deregistering the target would delete it, so the target stays",
    resource: "ScalableTarget",
    name: RESOURCE_ID,
    converged: WITH_AUTOSCALING,
    spec: {},
    disown: () => putTheirPolicy("their-memory", 70),
    state: () => scalingPolicy("their-memory"),
    apply: "converges",
  },
  {
    reason: "a scaling policy someone added to our target, autoscaling in the spec: left as it is",
    resource: "ScalingPolicy",
    name: "their-memory",
    converged: WITH_AUTOSCALING,
    disown: () => putTheirPolicy("their-memory", 70),
    state: () => scalingPolicy("their-memory"),
    apply: "converges",
  },
];

/** Converges, disowns, and returns the owner's view of the resource before the operation under test. */
async function prepare(entry: Case): Promise<{ spec: ServiceSpec; before: unknown }> {
  await converge(specWith(entry.converged));
  await entry.disown();
  const before = await entry.state();
  expect(before, "the resource exists before the operation").toBeDefined();
  return { spec: specWith(entry.spec ?? entry.converged), before };
}

describe("apply never modifies or deletes what is not ours", () => {
  it.each(cases)("$reason", async (entry) => {
    const { spec, before } = await prepare(entry);
    const outcome = await planService(aws.clients, spec)
      .then(async (plan) => {
        await applyPlan(plan, () => {});
        return "converges" as const;
      })
      .catch((error: unknown) => {
        if (error instanceof OwnershipConflictError) return "conflict" as const;
        throw error;
      });
    expect(outcome).toBe(entry.apply);
    expect(await entry.state()).toEqual(before);
  });
});

describe("destroy never deletes what is not ours, and lists it with why", () => {
  it.each(cases)("$reason", async (entry) => {
    const { spec, before } = await prepare(entry);
    const plan = await planDestroy(aws.clients, spec, { keepLogs: false, timeoutMs: 60_000 });
    await applyPlan(plan, () => {});
    expect(await entry.state()).toEqual(before);
    const listed = plan.skipped.find(
      (left: LeftInPlace) => left.resource === entry.resource && left.name.startsWith(entry.name),
    );
    expect(listed?.reason).toMatch(/left in place/);
  });

  it("an untagged security group with our name is listed as not ours, and nothing else of ours stays", async () => {
    await converge(specWith());
    await untagSecurityGroup("web-alb");
    const plan = await planDestroy(aws.clients, specWith(), { keepLogs: false, timeoutMs: 60_000 });
    expect(plan.skipped).toEqual([{ resource: "SecurityGroup", name: "web-alb", reason: NOT_OURS }]);
    await applyPlan(plan, () => {});
    const again = await planDestroy(aws.clients, specWith(), { keepLogs: false, timeoutMs: 60_000 });
    expect(actions(again.changes)).toEqual([]);
    expect(again.skipped).toEqual([{ resource: "SecurityGroup", name: "web-alb", reason: NOT_OURS }]);
  });
});

describe("rules that are not ours", () => {
  it("destroy keeps our target group a rule on someone's listener forwards to, deleting our listener", async () => {
    await converge(specWith());
    const group = await targetGroup();
    const balancer = await loadBalancer();
    await aws.operator.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: balancer?.arn,
        Protocol: "HTTP",
        Port: 8443,
        DefaultActions: [{ Type: "forward", TargetGroupArn: await createTheirTargetGroup() }],
      }),
    );
    await addTheirRule(group?.arn, 8443);
    const plan = await planDestroy(aws.clients, specWith(), { keepLogs: false, timeoutMs: 60_000 });
    expect(
      plan.changes
        .filter((change) => ["TargetGroup", "Listener", "LoadBalancer"].includes(change.resource))
        .map((change) => `${change.action} ${change.resource} ${change.name}`),
    ).toEqual(["delete Listener web:80"]);
    expect(plan.skipped).toEqual(
      expect.arrayContaining([
        { resource: "Listener", name: "web:8443", reason: NOT_OURS },
        {
          resource: "TargetGroup",
          name: expect.stringMatching(/^web-/),
          reason: "rule web:8443 priority 10, which is left in place, forwards to it",
        },
        {
          resource: "LoadBalancer",
          name: "web",
          reason:
            "holds listener web:8443, which is left in place; deleting the load balancer would delete it",
        },
      ]),
    );
    await applyPlan(plan, () => {});
    expect(await targetGroupByArn(group?.arn)).toEqual({ arn: group?.arn, loadBalancers: [balancer?.arn] });
    expect(await theirRule(8443)).toMatchObject({ priority: "10", tags: { team: "search" } });
    expect(await listener()).toBeUndefined();
    expect(await ecsService()).toBeUndefined();
  });

  it("apply reads no rules while it deletes nothing", async () => {
    await converge(specWith());
    await addTheirRule(await createTheirTargetGroup());
    aws.emulator.calls.reset();
    const plan = await planService(aws.clients, specWith());
    expect(actions(plan.changes)).toEqual([]);
    expect(aws.emulator.calls.calls().filter((call) => call.operation === "DescribeRules")).toEqual([]);
  });
});

describe("plan says what it leaves alone", () => {
  it("a scalable target that is not ours, with autoscaling removed from the spec: no deletion, one line saying why", async () => {
    await converge(specWith(WITH_AUTOSCALING));
    await untagScalableTarget();
    const plan = await planService(aws.clients, specWith());
    expect(actions(plan.changes)).toEqual([]);
    expect(plan.skipped).toEqual([{ resource: "ScalableTarget", name: RESOURCE_ID, reason: NOT_OURS }]);
  });

  it("autoscaling removed from the spec: our policy is deleted, a target holding someone else's stays", async () => {
    await converge(specWith(WITH_AUTOSCALING));
    await putTheirPolicy("their-memory", 70);
    const plan = await planService(aws.clients, specWith());
    expect(actions(plan.changes)).toEqual(["delete ScalingPolicy"]);
    expect(plan.skipped.map((left) => left.reason)).toEqual([
      "holds scaling policies ecs-converge did not create (their-memory): left in place",
    ]);
    await applyPlan(plan, () => {});
    expect((await scalableTarget())?.policies).toEqual([{ name: "their-memory", target: 70 }]);
  });

  it("adopting a scalable target tags it and takes over its bounds and our policy, leaving other policies", async () => {
    await converge(specWith(WITH_AUTOSCALING));
    await untagScalableTarget();
    await aws.operator.autoscaling.send(
      new RegisterScalableTargetCommand({
        ...DIMENSION,
        ResourceId: RESOURCE_ID,
        MinCapacity: 1,
        MaxCapacity: 9,
      }),
    );
    await putTheirPolicy("their-memory", 70);
    const adopting = specWith({ ...WITH_AUTOSCALING, metadata: { adopt: true } });
    await converge(adopting);
    const target = await scalableTarget();
    expect(target).toMatchObject({
      min: 2,
      max: 4,
      tags: { [MANAGED_BY_TAG]: "ecs-converge", [SERVICE_TAG]: "web" },
    });
    expect(target?.policies.map((policy) => policy.name).sort()).toEqual(["their-memory", "web-cpu"]);
    expect(actions((await planService(aws.clients, adopting)).changes)).toEqual([]);
  });
});

describe("the daemon's drift repair never modifies or deletes what is not ours", () => {
  /** A worker whose caches were warmed while the resource was still ours: stale tags must not decide. */
  it.each(cases)("$reason", async (entry) => {
    await converge(specWith(entry.converged));
    let passes = 0;
    const worker = new ServiceWorker(loaded(entry.converged), {
      log: pino({ level: "silent" }),
      limiter: new ConcurrencyLimiter(1),
      settings: PASSES_ON_DEMAND,
      clientsFor: async () =>
        createAwsClients({ region: "us-east-1", endpoint: aws.emulator.url, maxAttempts: 3 }),
      onReconciled: () => {
        passes += 1;
      },
      onDrift: () => {},
    });
    try {
      worker.trigger("first pass");
      await worker.firstPass;
      await entry.disown();
      // Drift the daemon must repair on our own service, so the pass does set out to change something.
      if (entry.resource !== "Service")
        await aws.operator.ecs.send(
          new UpdateServiceCommand({ cluster: "web", service: "web", desiredCount: 7 }),
        );
      const before = await entry.state();
      const seen = passes;
      if (entry.spec) worker.setSpec(loaded(entry.spec));
      else worker.trigger("drift");
      await waitFor("the drift pass", () => (passes > seen ? true : undefined));
      if (entry.apply === "conflict") expect(worker.status().lastReconcile?.result).toBe("terminal");
      expect(await entry.state()).toEqual(before);
    } finally {
      await worker.stop();
    }
  });
});
