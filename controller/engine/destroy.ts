/**
 * Removes everything a service owns, in reverse dependency order: scaling, the service (scaled to
 * zero and drained), listener, target groups, load balancer, the task group once its ENIs are gone,
 * the load balancer's group, the log group (unless kept), task definition revisions, and the cluster
 * if it is ours and empty.
 *
 * Nothing that is not ours is deleted, directly or as a side effect: a resource without our tags is
 * left in place, and so is one of ours whose deletion would take something not ours with it (a load
 * balancer deletes its listeners, a listener its rules, a service its scalable target, a target its
 * policies), or that something left in place still uses (a listener or rule forwarding to a target
 * group). Each is listed with why.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { loadBalancerSecurityGroupName, scalingPolicyName } from "../../specs/index.ts";
import { ownershipOf } from "../ownership.ts";
import { deleteCluster } from "../resources/cluster/cluster.ts";
import type { ApplyEvent } from "../resources/kind-contract.ts";
import { deleteListener, type ObservedListener } from "../resources/listener/listener.ts";
import { foreignRules, type ObservedRule, observeRulesOf, ruleName } from "../resources/listener/rules.ts";
import { deleteLoadBalancer } from "../resources/load-balancer/load-balancer.ts";
import { deleteLogGroup } from "../resources/log-group/log-group.ts";
import {
  deleteScalingPolicy,
  deregisterScalableTarget,
  scalingResourceId,
} from "../resources/scaling/scaling.ts";
import {
  deleteSecurityGroup,
  type ObservedSecurityGroup,
} from "../resources/security-groups/security-groups.ts";
import { deleteService, describeServiceNamed } from "../resources/service/service.ts";
import { deleteTargetGroup, type ObservedTargetGroup } from "../resources/target-group/target-group.ts";
import {
  deregisterTaskDefinition,
  listActiveRevisions,
  revisionName,
} from "../resources/task-definition/task-definition.ts";
import type { StackContext } from "./context.ts";
import type { StackNode } from "./kind-graph.ts";
import type { Observation } from "./observe.ts";
import { notOursReason } from "./ownership-check.ts";
import type { Change, LeftInPlace, ResourceKind } from "./plan.ts";
import { retryExpected } from "./retry.ts";

export interface DestroyOptions {
  keepLogs: boolean;
  /** How long to wait for a draining service or lingering ENIs before giving up. */
  timeoutMs: number;
}

const deletion = (resource: ResourceKind, name: string, reason?: string): Change => ({
  action: "delete",
  resource,
  name,
  ...(reason ? { reason } : {}),
  diff: [],
});

/** Destroy's nodes, one per kind of what it deletes. */
type NodeId =
  | "scaling"
  | "service"
  | "listener"
  | "targetGroup"
  | "loadBalancer"
  | "taskSecurityGroup"
  | "albSecurityGroup"
  | "logGroup"
  | "taskDefinition"
  | "cluster";

interface Step {
  change: Change;
  run: (emit: (event: ApplyEvent) => void) => Promise<unknown>;
}

/** Polls until ECS reports the service INACTIVE (or gone). */
async function waitUntilInactive(context: StackContext, timeoutMs: number): Promise<void> {
  const { clients, document } = context;
  const deadline = Date.now() + timeoutMs;
  while (await describeServiceNamed(clients, document.spec.cluster, document.metadata.name)) {
    if (Date.now() > deadline)
      throw new Error(`service ${document.metadata.name} is still draining after ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

/** Whether any rule of `group` (ingress or egress) names `groupId` as its source. */
const references = (group: ObservedSecurityGroup, groupId: string) =>
  [...group.ingress, ...group.egress].some(
    (permission) => "groupId" in permission.source && permission.source.groupId === groupId,
  );

/** The delete nodes for what the observation shows we own; what stays is in each node's `skipped`. */
export async function buildDestroyNodes(
  context: StackContext,
  observation: Observation,
  options: DestroyOptions,
): Promise<StackNode[]> {
  const { clients, document } = context;
  const service = document.metadata.name;
  const scalingId = scalingResourceId(document.spec.cluster, service);
  const activeArns = await listActiveRevisions(clients, service);
  const revisions = await Promise.all(
    activeArns.map((arn) => context.taskDefinitions.revision(clients, arn)),
  );
  const retrying = (change: Change, emit: (event: ApplyEvent) => void) => ({
    timeoutMs: options.timeoutMs,
    onWait: (error: unknown) => emit({ phase: "waiting", change, reason: (error as Error).message }),
  });
  const skipped = new Map<NodeId, LeftInPlace[]>();
  const leave = (node: NodeId, resource: ResourceKind, name: string, reason: string) =>
    skipped.set(node, [...(skipped.get(node) ?? []), { resource, name, reason }]);

  // Scaling: our policy goes; the target only if it is ours and holds no one else's policy.
  const scalingSteps: Step[] = [];
  const { target, policy, otherPolicies } = observation.scaling;
  let targetKept = false;
  if (target && target.ownership !== "ours") {
    targetKept = true;
    leave("scaling", "ScalableTarget", scalingId, notOursReason(target));
  } else if (target) {
    if (policy)
      scalingSteps.push({
        change: deletion("ScalingPolicy", scalingPolicyName(service)),
        run: () => deleteScalingPolicy(clients, scalingId, scalingPolicyName(service)),
      });
    for (const name of otherPolicies)
      leave("scaling", "ScalingPolicy", name, "not created by ecs-converge: left in place");
    if (otherPolicies.length > 0) {
      targetKept = true;
      leave(
        "scaling",
        "ScalableTarget",
        scalingId,
        `holds scaling policies ecs-converge did not create (${otherPolicies.join(", ")}): left in place`,
      );
    } else
      scalingSteps.push({
        change: deletion("ScalableTarget", scalingId),
        run: () => deregisterScalableTarget(clients, scalingId),
      });
  }

  // The service: deleting it would also remove its scalable target, so a target that stays keeps it.
  const ecsService = observation.service;
  const serviceSteps: Step[] = [];
  let serviceKept = false;
  if (ecsService && ecsService.ownership !== "ours") {
    serviceKept = true;
    leave("service", "Service", service, notOursReason(ecsService));
  } else if (ecsService && targetKept) {
    serviceKept = true;
    leave(
      "service",
      "Service",
      service,
      `deleting it would remove scalable target ${scalingId}, which is left in place`,
    );
  } else if (ecsService) {
    serviceSteps.push({
      change: deletion("Service", service, "scaled to 0, deleted and drained"),
      run: async () => {
        await deleteService(clients, ecsService.cluster, service);
        await waitUntilInactive(context, options.timeoutMs);
      },
    });
  }
  // A service left in place keeps everything of ours it runs on.
  const usedByService = `used by service ${service}, which is left in place`;

  const loadBalancer = observation.loadBalancer;
  const listenerName = (listener: ObservedListener) => `${loadBalancer?.name ?? service}:${listener.port}`;
  // Every listener's rules: a rule that is not ours keeps its listener, and the group it forwards to.
  const unread = observation.listeners.filter((listener) => !observation.rules.has(listener.arn));
  const rules = new Map([
    ...observation.rules,
    ...(await observeRulesOf(
      clients,
      context.elbTags,
      service,
      unread.map((listener) => listener.arn),
    )),
  ]);
  const listenerOf = (rule: ObservedRule) =>
    observation.listeners.find((listener) => listener.arn === rule.listenerArn);
  const nameOf = (rule: ObservedRule) => {
    const listener = listenerOf(rule);
    return ruleName(listener ? listenerName(listener) : rule.listenerArn, rule);
  };
  const keptRules = foreignRules(rules);
  const keptListeners: ObservedListener[] = [];
  const listenerSteps: Step[] = [];
  for (const listener of observation.listeners) {
    const held = keptRules.filter((rule) => rule.listenerArn === listener.arn);
    if (listener.ownership !== "ours") {
      keptListeners.push(listener);
      leave("listener", "Listener", listenerName(listener), notOursReason(listener));
      continue;
    }
    for (const rule of held) leave("listener", "ListenerRule", nameOf(rule), notOursReason(rule));
    if (serviceKept) {
      keptListeners.push(listener);
      leave("listener", "Listener", listenerName(listener), usedByService);
    } else if (held.length > 0) {
      keptListeners.push(listener);
      leave(
        "listener",
        "Listener",
        listenerName(listener),
        `holds rules ecs-converge did not create (${held.map(nameOf).join(", ")}); deleting the listener would delete them: left in place`,
      );
    } else
      listenerSteps.push({
        change: deletion("Listener", listenerName(listener)),
        run: () => deleteListener(clients, listener.arn),
      });
  }

  const targetGroupSteps: Step[] = [];
  const targetGroupKeptBecause = (group: ObservedTargetGroup): string | undefined => {
    if (group.ownership !== "ours") return notOursReason(group);
    if (serviceKept) return usedByService;
    const forwarding = keptListeners.find(
      (listener) => listener.forwardTo === group.arn || listener.attached.includes(group.arn),
    );
    if (forwarding) return `listener ${listenerName(forwarding)}, which is left in place, forwards to it`;
    // Waiting would not help: DeleteTargetGroup fails with ResourceInUse until the rule's owner moves it.
    const rule = keptRules.find((candidate) => candidate.forwardTo.includes(group.arn));
    if (rule) return `rule ${nameOf(rule)}, which is left in place, forwards to it`;
    return undefined;
  };
  for (const group of observation.targetGroups) {
    const kept = targetGroupKeptBecause(group);
    if (kept) {
      leave("targetGroup", "TargetGroup", group.name, kept);
      continue;
    }
    const change = deletion("TargetGroup", group.name);
    targetGroupSteps.push({
      change,
      run: (emit) => retryExpected(() => deleteTargetGroup(clients, group.arn), retrying(change, emit)),
    });
  }

  // Deleting a load balancer deletes its listeners: one holding a listener that stays, stays.
  const loadBalancerSteps: Step[] = [];
  let loadBalancerKept = false;
  if (loadBalancer) {
    const heldListener = keptListeners[0];
    const kept =
      loadBalancer.ownership !== "ours"
        ? notOursReason(loadBalancer)
        : serviceKept
          ? usedByService
          : heldListener
            ? `holds listener ${listenerName(heldListener)}, which is left in place; deleting the load balancer would delete it`
            : undefined;
    loadBalancerKept = kept !== undefined;
    if (kept) leave("loadBalancer", "LoadBalancer", loadBalancer.name, kept);
    else
      loadBalancerSteps.push({
        change: deletion("LoadBalancer", loadBalancer.name),
        run: () => deleteLoadBalancer(clients, loadBalancer.arn),
      });
  }

  // Security groups: the tasks' first, then the load balancer's, which the tasks' rules reference.
  const keptGroups: ObservedSecurityGroup[] = [];
  const groupSteps = (
    groups: ObservedSecurityGroup[],
    keptBecause: (group: ObservedSecurityGroup) => string | undefined,
    waitReason: string,
    node: NodeId,
  ): Step[] =>
    groups.flatMap((group) => {
      const kept = keptBecause(group);
      if (kept) {
        keptGroups.push(group);
        leave(node, "SecurityGroup", group.name, kept);
        return [];
      }
      const change = deletion("SecurityGroup", group.name, waitReason);
      return [
        {
          change,
          run: (emit: (event: ApplyEvent) => void) =>
            retryExpected(() => deleteSecurityGroup(clients, group.groupId), retrying(change, emit)),
        },
      ];
    });
  const isAlbGroup = (group: ObservedSecurityGroup) =>
    group.ownership === "ours"
      ? group.role === "alb-security-group"
      : group.name === loadBalancerSecurityGroupName(service);
  const taskGroupSteps = groupSteps(
    observation.securityGroups.filter((group) => !isAlbGroup(group)),
    (group) => (group.ownership !== "ours" ? notOursReason(group) : serviceKept ? usedByService : undefined),
    "once the tasks' network interfaces are released",
    "taskSecurityGroup",
  );
  const albGroupSteps = groupSteps(
    observation.securityGroups.filter(isAlbGroup),
    (group) => {
      if (group.ownership !== "ours") return notOursReason(group);
      if (serviceKept) return usedByService;
      if (loadBalancerKept && loadBalancer?.securityGroups.includes(group.groupId))
        return `used by load balancer ${loadBalancer.name}, which is left in place`;
      const referencing = keptGroups.find((other) => references(other, group.groupId));
      if (referencing)
        return `referenced by a rule of security group ${referencing.name}, which is left in place`;
      return undefined;
    },
    "once the load balancer's network interfaces are released",
    "albSecurityGroup",
  );

  const logGroupSteps: Step[] = [];
  const logGroup = observation.logGroup;
  if (logGroup && logGroup.ownership !== "ours")
    leave("logGroup", "LogGroup", logGroup.name, notOursReason(logGroup));
  else if (logGroup && serviceKept) leave("logGroup", "LogGroup", logGroup.name, usedByService);
  else if (logGroup && !options.keepLogs)
    logGroupSteps.push({
      change: deletion("LogGroup", logGroup.name),
      run: () => deleteLogGroup(clients, logGroup.name),
    });

  const revisionSteps: Step[] = [];
  for (const revision of revisions) {
    const name = revisionName(revision.arn);
    if (ownershipOf(revision.tags, service) !== "ours")
      leave(
        "taskDefinition",
        "TaskDefinition",
        name,
        notOursReason({ ownership: ownershipOf(revision.tags, service), tags: revision.tags }),
      );
    else if (serviceKept && ecsService?.settings.taskDefinition === revision.arn)
      leave("taskDefinition", "TaskDefinition", name, usedByService);
    else
      revisionSteps.push({
        change: deletion("TaskDefinition", name, "deregistered"),
        run: () => deregisterTaskDefinition(clients, revision.arn),
      });
  }

  const clusterSteps: Step[] = [];
  const cluster = observation.cluster;
  if (cluster && cluster.ownership !== "ours")
    leave("cluster", "Cluster", cluster.name, notOursReason(cluster));
  else if (cluster && serviceKept)
    leave("cluster", "Cluster", cluster.name, `holds service ${service}, which is left in place`);
  else if (cluster) {
    const change = deletion("Cluster", cluster.name, "if no other service uses it");
    clusterSteps.push({
      change,
      run: (emit) => retryExpected(() => deleteCluster(clients, cluster.name), retrying(change, emit)),
    });
  }

  const node = (id: NodeId, dependsOn: NodeId[], steps: Step[]): StackNode => ({
    id,
    dependsOn,
    plan: () => ({ changes: steps.map((step) => step.change), skipped: skipped.get(id) ?? [] }),
    async apply(_refs, emit) {
      for (const step of steps) {
        emit({ phase: "start", change: step.change });
        await step.run(emit);
        emit({ phase: "done", change: step.change });
      }
      return {};
    },
  });

  return [
    node("scaling", [], scalingSteps),
    node("service", ["scaling"], serviceSteps),
    node("listener", ["service"], listenerSteps),
    node("targetGroup", ["listener", "service"], targetGroupSteps),
    node("loadBalancer", ["listener"], loadBalancerSteps),
    node("taskSecurityGroup", ["service"], taskGroupSteps),
    node("albSecurityGroup", ["loadBalancer", "taskSecurityGroup"], albGroupSteps),
    node("logGroup", ["service"], logGroupSteps),
    node("taskDefinition", ["service"], revisionSteps),
    node("cluster", ["service"], clusterSteps),
  ];
}
