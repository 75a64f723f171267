/**
 * One service's stack as a graph of nodes, one per resource (or cleanup). Each node plans its
 * change from the observation and the references known so far, and applies it once its
 * dependencies are done: `plan` and `apply` share this code, the dry-run stops after planning.
 */
import { createHash } from "node:crypto";
import { addElbTags } from "../aws/elb-tags.ts";
import { CLUSTER_TAG, ownershipOf } from "../ownership.ts";
import { createCluster, desiredCluster, diffCluster, updateCluster } from "../resources/cluster/cluster.ts";
import {
  createListener,
  deleteListener,
  desiredListener,
  diffListener,
  listenerServingSpec,
  type ObservedListener,
  updateListener,
} from "../resources/listener/listener.ts";
import { foreignRules, ruleName } from "../resources/listener/rules.ts";
import {
  createLoadBalancer,
  desiredLoadBalancer,
  diffLoadBalancer,
  updateLoadBalancer,
} from "../resources/load-balancer/load-balancer.ts";
import {
  createLogGroup,
  desiredLogGroup,
  diffLogGroup,
  updateLogGroup,
} from "../resources/log-group/log-group.ts";
import {
  deleteScalingPolicy,
  deregisterScalableTarget,
  desiredScaling,
  diffScalableTarget,
  diffScalingPolicy,
  type ObservedScaling,
  putScalingPolicy,
  registerScalableTarget,
  scalingResourceId,
  updateScalableTarget,
} from "../resources/scaling/scaling.ts";
import {
  createSecurityGroup,
  type DesiredSecurityGroup,
  desiredLoadBalancerGroup,
  desiredTaskGroup,
  diffSecurityGroup,
  type ObservedSecurityGroup,
  updateSecurityGroup,
} from "../resources/security-groups/security-groups.ts";
import {
  createService,
  type DesiredService,
  deleteService,
  desiredService,
  diffService,
  isServiceStable,
  type ObservedService,
  updateService,
} from "../resources/service/service.ts";
import {
  createTargetGroup,
  deleteTargetGroup,
  desiredTargetGroup,
  diffReplacement,
  diffTargetGroup,
  replacedBecause,
  updateTargetGroup,
} from "../resources/target-group/target-group.ts";
import { planTargetGroupTransition } from "../resources/target-group/transition.ts";
import {
  clearFailedMark,
  deregisterTaskDefinition,
  desiredTaskDefinition,
  diffTaskDefinition,
  FAILED_ROLLOUT_TAG,
  isFailedRevision,
  KEPT_REVISIONS,
  type ObservedRevision,
  registerTaskDefinition,
  revisionName,
} from "../resources/task-definition/task-definition.ts";
import type { StackContext } from "./context.ts";
import type { Observation } from "./observe.ts";
import { notOursReason, OwnershipClaims } from "./ownership-check.ts";
import {
  type Change,
  type HeldBack,
  KNOWN_AFTER_APPLY,
  type LeftInPlace,
  type PlanOptions,
  type ResourceKind,
  type Waiting,
} from "./plan.ts";
import { type Refs, unknownRefs } from "./refs.ts";
import { changeFor } from "./resource-diff.ts";
import { retryExpected } from "./retry.ts";

/** How long apply waits for an expected condition (ENIs draining, a listener settling) per call. */
const EXPECTED_WAIT_MS = 10 * 60_000;

export type NodeId =
  | "albSecurityGroup"
  | "taskSecurityGroup"
  | "logGroup"
  | "targetGroup"
  | "loadBalancer"
  | "listener"
  | "cluster"
  | "taskDefinition"
  | "service"
  | "scaling"
  | "cleanup";

/** What apply reports as it goes: each mutation before and after it happens. */
export type ApplyEvent =
  | { phase: "start" | "done"; change: Change }
  | { phase: "waiting"; change: Change; reason: string };

export interface StackNode {
  id: NodeId;
  dependsOn: readonly NodeId[];
  /**
   * The changes this node would make, the references it provides to later nodes while planning, what
   * it leaves alone on purpose, and what of the spec it holds back.
   */
  plan(refs: Refs): {
    changes: Change[];
    provides: Partial<Refs>;
    skipped?: LeftInPlace[];
    heldBack?: HeldBack[];
    /** Steps a later pass takes, once AWS is ready for them. */
    waiting?: Waiting[];
  };
  /** Makes the changes; returns the references now known. */
  apply(refs: Refs, emit: (event: ApplyEvent) => void): Promise<Partial<Refs>>;
}

const provide = <K extends keyof Refs>(
  key: K,
  value: string | undefined,
  willChange: boolean,
): Partial<Refs> => ({
  [key]: willChange || value === undefined ? KNOWN_AFTER_APPLY : value,
});

/** Runs one mutation between its start and done events. */
async function mutate<T>(
  change: Change,
  emit: (event: ApplyEvent) => void,
  action: () => Promise<T>,
): Promise<T> {
  emit({ phase: "start", change });
  const result = await action();
  emit({ phase: "done", change });
  return result;
}

/** Builds the nodes of a service's stack; throws OwnershipConflictError when a name is taken by someone else. */
export function buildStack(
  context: StackContext,
  observation: Observation,
  options: PlanOptions = {},
): StackNode[] {
  const { clients, document, network } = context;
  const service = document.metadata.name;
  const claims = new OwnershipClaims(document.metadata.adopt);
  const waitOptions = (change: Change, emit: (event: ApplyEvent) => void) => ({
    timeoutMs: EXPECTED_WAIT_MS,
    onWait: (error: unknown) => emit({ phase: "waiting", change, reason: (error as Error).message }),
  });

  // Claim what was found: ours, adoptable, or a conflict.
  const groupFor = (desired: DesiredSecurityGroup): ObservedSecurityGroup | undefined => {
    const candidates = observation.securityGroups.filter(
      (group) => group.vpcId === network.vpcId && group.name === desired.name,
    );
    const found = candidates.find((group) => group.ownership === "ours") ?? candidates[0];
    return claims.claim(found, "SecurityGroup", desired.name, (group) => group.groupId);
  };
  const albGroup = groupFor(desiredLoadBalancerGroup(document, network));
  const taskGroup = groupFor(desiredTaskGroup(document, network, KNOWN_AFTER_APPLY));
  const logGroup = claims.claim(
    observation.logGroup,
    "LogGroup",
    document.spec.logging.logGroup,
    (group) => group.arn,
  );
  const loadBalancer = claims.claim(
    observation.loadBalancer,
    "LoadBalancer",
    service,
    (balancer) => balancer.arn,
  );
  const targetGroupName = desiredTargetGroup(document, network).name;
  const currentTargetGroup = claims.claim(
    observation.targetGroups.find((group) => group.name === targetGroupName),
    "TargetGroup",
    targetGroupName,
    (group) => group.arn,
  );
  const previousTargetGroups = observation.targetGroups.filter(
    (group) => group.name !== targetGroupName && group.ownership === "ours",
  );
  const ecsService = claims.claim(observation.service, "Service", service, (found) => found.arn);
  const listenerPort = document.spec.loadBalancer.listenerPort;
  const ownedListeners = observation.listeners.filter((listener) => listener.ownership === "ours");
  const listener: ObservedListener | undefined =
    listenerServingSpec(ownedListeners, listenerPort) ??
    claims.claim(
      observation.listeners.find((candidate) => candidate.port === listenerPort),
      "Listener",
      `${service}:${listenerPort}`,
      (found) => found.arn,
    );
  const scaling = desiredScaling(document);
  const scalingId = scalingResourceId(document.spec.cluster, service);
  // Claimed only while the spec wants autoscaling: without it, a target that is not ours is just left alone.
  const scalableTarget = scaling
    ? claims.claim(observation.scaling.target, "ScalableTarget", scalingId, (target) => target.arn)
    : undefined;
  claims.assertNone();

  const securityGroupNode = (
    id: "albSecurityGroup" | "taskSecurityGroup",
    dependsOn: NodeId[],
    observed: ObservedSecurityGroup | undefined,
    desiredFor: (refs: Refs) => DesiredSecurityGroup,
    ref: "albSecurityGroupId" | "taskSecurityGroupId",
  ): StackNode => ({
    id,
    dependsOn,
    plan(refs) {
      const desired = desiredFor(refs);
      const change = changeFor("SecurityGroup", desired.name, diffSecurityGroup(desired, observed));
      return { changes: [change], provides: provide(ref, observed?.groupId, change.action === "create") };
    },
    async apply(refs, emit) {
      const desired = desiredFor(refs);
      const change = changeFor("SecurityGroup", desired.name, diffSecurityGroup(desired, observed));
      if (change.action === "create")
        return { [ref]: await mutate(change, emit, () => createSecurityGroup(clients, desired)) };
      if (observed && change.action !== "noop")
        await mutate(change, emit, () => updateSecurityGroup(clients, desired, observed));
      return { [ref]: observed?.groupId };
    },
  });

  const taskDefinitionPlan = (): {
    desired: ReturnType<typeof desiredTaskDefinition>;
    /** The revision the service runs after apply, when it exists already. */
    reusable: ObservedRevision | undefined;
    change: Change;
    heldBack?: HeldBack;
    /** A held-back revision rolled out again: its failed mark is cleared first. */
    retried?: ObservedRevision;
  } => {
    const desired = desiredTaskDefinition(document, clients.region);
    const { current, latest } = observation.taskDefinitions;
    const currentDiff = diffTaskDefinition(desired, current);
    const ours = (revision: typeof current) => revision && ownershipOf(revision.tags, service) === "ours";
    // A newer revision that already matches (a retry after a crash) is reused, not registered again.
    // Only revisions we registered are reused: one someone else registered is never taken as ours.
    const reusable =
      current && ours(current) && currentDiff.length === 0
        ? current
        : latest &&
            ownershipOf(latest.tags, service) === "ours" &&
            diffTaskDefinition(desired, latest).length === 0
          ? latest
          : undefined;
    // ...unless its rollout failed: then the service stays where the circuit breaker put it until the
    // spec changes, or an operator asks for the revision again (--retry-failed).
    // A rollout ECS reports FAILED counts before the revision is tagged: the tag comes after this pass.
    const failedNow = (arn: string) =>
      (ecsService?.deployments ?? []).some(
        (deployment) => deployment.taskDefinition === arn && deployment.rolloutState === "FAILED",
      );
    if (
      reusable &&
      current &&
      reusable !== current &&
      (isFailedRevision(reusable) || failedNow(reusable.arn))
    ) {
      if (!options.retryFailed) {
        const heldBack: HeldBack = {
          resource: "TaskDefinition",
          name: revisionName(reusable.arn),
          arn: reusable.arn,
          running: revisionName(current.arn),
          reason: `its last rollout failed; ${revisionName(current.arn)} keeps running until the spec changes (or apply --retry-failed, once the cause is fixed)`,
        };
        const change: Change = {
          action: "noop",
          resource: "TaskDefinition",
          name: heldBack.running,
          diff: [],
        };
        return { desired, reusable: current, change, heldBack };
      }
      if (isFailedRevision(reusable)) {
        const change: Change = {
          action: "update",
          resource: "TaskDefinition",
          name: revisionName(reusable.arn),
          reason: "rolled out again (--retry-failed): its failed mark is cleared",
          diff: [{ path: `tags.${FAILED_ROLLOUT_TAG}`, desired: "retried", observed: "failed" }],
        };
        return { desired, reusable, change, retried: reusable };
      }
    }
    const baseline = current ?? latest;
    const change: Change = reusable
      ? { action: "noop", resource: "TaskDefinition", name: revisionName(reusable.arn), diff: [] }
      : {
          action: baseline ? "update" : "create",
          resource: "TaskDefinition",
          name: desired.content.family,
          ...(baseline ? { reason: "registers a new revision" } : {}),
          diff: diffTaskDefinition(desired, baseline),
        };
    return { desired, reusable, change };
  };

  const desiredServiceFor = (refs: Refs) =>
    desiredService(document, network, {
      taskDefinitionArn: refs.taskDefinitionArn,
      // While the listener still forwards to a group being replaced, new tasks register there too.
      targetGroupArns: transition.stillServing
        ? [transition.stillServing.arn, refs.targetGroupArn]
        : [refs.targetGroupArn],
      taskSecurityGroupId: refs.taskSecurityGroupId,
      // A held-back revision keeps the service on what it runs, bindings included: the running
      // revision may not even have the spec's container port.
      ...(heldBackNow && ecsService ? { keepLoadBalancers: ecsService.settings.loadBalancers } : {}),
    });

  /** A service moved to another cluster is replaced: created in the new one, then the old one is deleted. */
  const previousService = observation.previousService;
  const recordedCluster = loadBalancer?.tags[CLUSTER_TAG];
  const serviceChange = (desired: DesiredService): Change => {
    if (!previousService || ecsService) {
      const change = changeFor("Service", desired.name, diffService(desired, ecsService));
      // An operator's explicit ask: a new deployment even when nothing differs (fresh tasks, a re-pulled tag).
      if (
        options.forceNewDeployment &&
        ecsService &&
        (change.action === "noop" || change.action === "update")
      )
        return { ...change, action: "update", reason: "starts a new deployment (--force-new-deployment)" };
      return change;
    }
    return {
      action: "replace",
      resource: "Service",
      name: desired.name,
      reason: `cluster is immutable; replaces the service in cluster ${previousService.cluster}`,
      diff: [
        { path: "cluster", desired: desired.cluster, observed: previousService.cluster },
        ...diffService(desired, previousService).fields,
      ],
    };
  };

  const previousServiceDeletion = (previous: ObservedService): Change => ({
    action: "delete",
    resource: "Service",
    name: `${previous.cluster}/${previous.name}`,
    reason: "replaced in another cluster",
    diff: [],
  });
  const clusterTagUpdate = (recorded: string | undefined): Change => ({
    action: "update",
    resource: "LoadBalancer",
    name: service,
    reason: "records the service's cluster",
    diff: [{ path: `tags.${CLUSTER_TAG}`, desired: document.spec.cluster, observed: recorded }],
  });

  /** Right after a listener moves, ECS may not see it yet ("does not have an associated load balancer"). */
  const listenerNotSettled = (error: unknown) => /associated load balancer/.test((error as Error).message);

  /**
   * With autoscaling gone from the spec: our policy is deleted, and our target with it unless it holds
   * policies someone else made (deregistering would delete them). A target that is not ours stays.
   */
  const scalingRemoval = ({ target, policy, otherPolicies }: ObservedScaling) => {
    const changes: Change[] = [];
    const skipped: LeftInPlace[] = [];
    if (!target) return { changes, skipped };
    if (target.ownership !== "ours") {
      skipped.push({ resource: "ScalableTarget", name: scalingId, reason: notOursReason(target) });
      return { changes, skipped };
    }
    const removed = "autoscaling removed from the spec";
    if (policy)
      changes.push({
        action: "delete",
        resource: "ScalingPolicy",
        name: policy.name,
        reason: removed,
        diff: [],
      });
    if (otherPolicies.length === 0)
      changes.push({
        action: "delete",
        resource: "ScalableTarget",
        name: scalingId,
        reason: removed,
        diff: [],
      });
    else
      skipped.push({
        resource: "ScalableTarget",
        name: scalingId,
        reason: `holds scaling policies ecs-converge did not create (${otherPolicies.join(", ")}): left in place`,
      });
    return { changes, skipped };
  };

  /**
   * Our listeners the spec does not need are deleted, unless one holds a rule that is not ours:
   * deleting the listener would delete the rule, so both stay.
   */
  const listenerName = (found: ObservedListener) => `${service}:${found.port}`;
  const extraListeners = { deleted: [] as ObservedListener[], skipped: [] as LeftInPlace[] };
  for (const extra of ownedListeners.filter((candidate) => candidate !== listener)) {
    const held = foreignRules(new Map([[extra.arn, observation.rules.get(extra.arn) ?? []]]));
    if (held.length === 0) {
      extraListeners.deleted.push(extra);
      continue;
    }
    const names = held.map((rule) => ruleName(listenerName(extra), rule));
    extraListeners.skipped.push(
      ...held.map(
        (rule, index): LeftInPlace => ({
          resource: "ListenerRule",
          name: names[index] ?? rule.arn,
          reason: notOursReason(rule),
        }),
      ),
      {
        resource: "Listener",
        name: listenerName(extra),
        reason: `holds rules ecs-converge did not create (${names.join(", ")}); deleting the listener would delete them: left in place`,
      },
    );
  }
  const extraListenerDeletion = (extra: ObservedListener): Change => ({
    action: "delete",
    resource: "Listener",
    name: listenerName(extra),
    reason: "not in the spec",
    diff: [],
  });

  /**
   * Replaced target groups are deleted once nothing of ours uses them; one a rule that is not ours
   * forwards to stays (deleting it would only fail with ResourceInUse until its owner moves the rule).
   */
  const listenerNamed = (arn: string) => {
    const found = observation.listeners.find((candidate) => candidate.arn === arn);
    return found ? listenerName(found) : arn;
  };
  // A replaced group goes only once nothing needs it: see target-group-transition.ts.
  const heldBackNow = taskDefinitionPlan().heldBack !== undefined;
  const transition = planTargetGroupTransition({
    listenerName: `${service}:${listenerPort}`,
    desiredName: targetGroupName,
    desiredGroup: currentTargetGroup,
    oldGroups: previousTargetGroups,
    listener,
    service: ecsService,
    previousService,
    desiredGroupHealth: observation.desiredGroupHealth,
    heldBack: heldBackNow,
  });
  const [listenerWaits, targetGroupWaits] = [
    transition.waiting.filter((step) => step.resource === "Listener"),
    transition.waiting.filter((step) => step.resource !== "Listener"),
  ];
  /** Groups the listener names at weight 0 after this pass: the spec's while it takes no traffic yet, and old ones still needed. */
  const attachedGroups = (refs: Refs) => [
    ...(transition.stillServing ? [refs.targetGroupArn] : []),
    ...transition.kept.filter((group) => group !== transition.stillServing).map((group) => group.arn),
  ];
  const listenerReason = (change: Change): Change => {
    if (change.action !== "update") return change;
    if (transition.moves)
      return {
        ...change,
        reason: `traffic moves to ${targetGroupName}: the service's rollout onto it is complete and its targets are healthy`,
      };
    if (transition.retired.length > 0 && change.diff.some((field) => field.path === "attached"))
      return {
        ...change,
        reason: `detaches ${transition.retired.map((group) => group.name).join(", ")}: the service is stable without it`,
      };
    if (transition.stillServing && !currentTargetGroup)
      return {
        ...change,
        reason: `attaches ${targetGroupName} at weight 0 (no traffic yet), so the service can register tasks in it`,
      };
    return change;
  };

  /** A service moved to another cluster: the old one goes once the new one is stable, so traffic never lacks a task. */
  const previousServiceGoes = previousService !== undefined && isServiceStable(ecsService);
  const previousServiceWait: Waiting[] =
    previousService && !previousServiceGoes
      ? [
          {
            resource: "Service",
            name: `${previousService.cluster}/${previousService.name}`,
            reason: `deleted once the service in cluster ${document.spec.cluster} is stable`,
          },
        ]
      : [];

  const oldTargetGroups = { deleted: [] as typeof previousTargetGroups, skipped: [] as LeftInPlace[] };
  for (const old of transition.retired) {
    const forwarding = foreignRules(observation.rules).find((rule) => rule.forwardTo.includes(old.arn));
    if (!forwarding) oldTargetGroups.deleted.push(old);
    else
      oldTargetGroups.skipped.push({
        resource: "TargetGroup",
        name: old.name,
        reason: `rule ${ruleName(listenerNamed(forwarding.listenerArn), forwarding)}, which is not ours, forwards to it: left in place`,
      });
  }

  const targetGroupDeletion = (name: string): Change => ({
    action: "delete",
    resource: "TargetGroup",
    name,
    reason: "replaced; nothing uses it any more",
    diff: [],
  });

  const desiredListenerFor = (refs: Refs) =>
    desiredListener(
      document,
      refs.loadBalancerArn,
      transition.stillServing?.arn ?? refs.targetGroupArn,
      attachedGroups(refs),
    );

  const nodes: StackNode[] = [
    securityGroupNode(
      "albSecurityGroup",
      [],
      albGroup,
      () => desiredLoadBalancerGroup(document, network),
      "albSecurityGroupId",
    ),
    securityGroupNode(
      "taskSecurityGroup",
      ["albSecurityGroup"],
      taskGroup,
      (refs) =>
        desiredTaskGroup(
          document,
          network,
          refs.albSecurityGroupId,
          // Open until the group is gone: a group deleted this pass closes its port in the next.
          [...transition.kept, ...oldTargetGroups.deleted].map((group) => group.port),
        ),
      "taskSecurityGroupId",
    ),
    {
      id: "logGroup",
      dependsOn: [],
      plan() {
        const desired = desiredLogGroup(document);
        return {
          changes: [changeFor("LogGroup", desired.name, diffLogGroup(desired, logGroup))],
          provides: {},
        };
      },
      async apply(_refs, emit) {
        const desired = desiredLogGroup(document);
        const change = changeFor("LogGroup", desired.name, diffLogGroup(desired, logGroup));
        if (change.action === "create") await mutate(change, emit, () => createLogGroup(clients, desired));
        else if (logGroup && change.action === "update")
          await mutate(change, emit, () => updateLogGroup(clients, desired, logGroup));
        return {};
      },
    },
    {
      id: "targetGroup",
      dependsOn: [],
      plan() {
        const desired = desiredTargetGroup(document, network);
        const diff = diffTargetGroup(desired, currentTargetGroup);
        const replaced = !currentTargetGroup ? previousTargetGroups[0] : undefined;
        const change: Change = replaced
          ? {
              action: "replace",
              resource: "TargetGroup",
              name: desired.name,
              reason: `${replacedBecause(desired, replaced)} is immutable; replaces ${replaced.name}`,
              diff: diffReplacement(desired, replaced),
            }
          : changeFor("TargetGroup", desired.name, diff);
        return {
          changes: [change],
          provides: provide("targetGroupArn", currentTargetGroup?.arn, !currentTargetGroup),
        };
      },
      async apply(_refs, emit) {
        const desired = desiredTargetGroup(document, network);
        const [change] = this.plan(_refs).changes;
        if (!change) return {};
        if (!currentTargetGroup)
          return { targetGroupArn: await mutate(change, emit, () => createTargetGroup(clients, desired)) };
        if (change.action === "update")
          await mutate(change, emit, () => updateTargetGroup(clients, desired, currentTargetGroup));
        return { targetGroupArn: currentTargetGroup.arn };
      },
    },
    {
      id: "loadBalancer",
      dependsOn: ["albSecurityGroup"],
      plan(refs) {
        const desired = desiredLoadBalancer(document, network, refs.albSecurityGroupId);
        const change = changeFor("LoadBalancer", desired.name, diffLoadBalancer(desired, loadBalancer));
        return {
          changes: [change],
          provides: provide("loadBalancerArn", loadBalancer?.arn, change.action === "create"),
        };
      },
      async apply(refs, emit) {
        const desired = desiredLoadBalancer(document, network, refs.albSecurityGroupId);
        const change = changeFor("LoadBalancer", desired.name, diffLoadBalancer(desired, loadBalancer));
        if (change.action === "replace") {
          throw new Error(
            `load balancer ${desired.name}: ${change.reason}; delete it by hand or choose another service name`,
          );
        }
        if (!loadBalancer)
          return { loadBalancerArn: await mutate(change, emit, () => createLoadBalancer(clients, desired)) };
        if (change.action === "update")
          await mutate(change, emit, () => updateLoadBalancer(clients, desired, loadBalancer));
        return { loadBalancerArn: loadBalancer.arn };
      },
    },
    {
      id: "listener",
      dependsOn: ["loadBalancer", "targetGroup"],
      plan(refs) {
        const desired = desiredListenerFor(refs);
        const changes = [
          listenerReason(
            changeFor("Listener", `${service}:${desired.port}`, diffListener(desired, listener)),
          ),
        ];
        for (const extra of extraListeners.deleted) changes.push(extraListenerDeletion(extra));
        return { changes, provides: {}, skipped: extraListeners.skipped, waiting: listenerWaits };
      },
      async apply(refs, emit) {
        const desired = desiredListenerFor(refs);
        const [change] = this.plan(refs).changes;
        if (change?.action === "create") await mutate(change, emit, () => createListener(clients, desired));
        else if (change?.action === "update" && listener)
          await mutate(change, emit, () => updateListener(clients, desired, listener));
        for (const extra of extraListeners.deleted)
          await mutate(extraListenerDeletion(extra), emit, () => deleteListener(clients, extra.arn));
        return {};
      },
    },
    {
      id: "cluster",
      dependsOn: [],
      plan() {
        const desired = desiredCluster(document);
        return {
          changes: [changeFor("Cluster", desired.name, diffCluster(desired, observation.cluster))],
          provides: {},
        };
      },
      async apply(_refs, emit) {
        const desired = desiredCluster(document);
        const change = changeFor("Cluster", desired.name, diffCluster(desired, observation.cluster));
        if (change.action === "create") await mutate(change, emit, () => createCluster(clients, desired));
        else if (change.action === "update" && observation.cluster) {
          const cluster = observation.cluster;
          await mutate(change, emit, () => updateCluster(clients, desired, cluster));
        }
        return {};
      },
    },
    {
      id: "taskDefinition",
      dependsOn: ["logGroup"],
      plan() {
        const { change, reusable, heldBack } = taskDefinitionPlan();
        return {
          changes: [change],
          provides: provide("taskDefinitionArn", reusable?.arn, !reusable),
          ...(heldBack ? { heldBack: [heldBack] } : {}),
        };
      },
      async apply(_refs, emit) {
        const { change, reusable, desired, retried } = taskDefinitionPlan();
        if (retried) {
          await mutate(change, emit, () => clearFailedMark(clients, context.taskDefinitions, retried.arn));
          return { taskDefinitionArn: retried.arn };
        }
        if (reusable) return { taskDefinitionArn: reusable.arn };
        return {
          taskDefinitionArn: await mutate(change, emit, () => registerTaskDefinition(clients, desired)),
        };
      },
    },
    {
      id: "service",
      dependsOn: ["cluster", "taskDefinition", "listener", "taskSecurityGroup", "targetGroup"],
      plan(refs) {
        return { changes: [serviceChange(desiredServiceFor(refs))], provides: {} };
      },
      async apply(refs, emit) {
        const desired = desiredServiceFor(refs);
        const change = serviceChange(desired);
        if (change.action === "create" || change.action === "replace") {
          // Same service, cluster and revision → same token: a create retried after a crash is not a second service.
          const token = createHash("sha256")
            .update(`${desired.cluster}/${desired.name}/${desired.settings.taskDefinition}`)
            .digest("hex")
            .slice(0, 32);
          await mutate(change, emit, () =>
            retryExpected(() => createService(clients, desired, token), {
              ...waitOptions(change, emit),
              isExpected: listenerNotSettled,
            }),
          );
        } else if (change.action === "update" && ecsService) {
          await mutate(change, emit, () =>
            retryExpected(
              () =>
                updateService(clients, desired, ecsService, {
                  forceNewDeployment: options.forceNewDeployment === true,
                }),
              {
                ...waitOptions(change, emit),
                isExpected: listenerNotSettled,
              },
            ),
          );
        }
        return {};
      },
    },
    {
      id: "scaling",
      dependsOn: ["service"],
      plan() {
        if (!scaling) return { ...scalingRemoval(observation.scaling), provides: {} };
        // The policy with our name belongs to the target: ours when the target is ours (or adopted).
        const policy = scalableTarget ? observation.scaling.policy : undefined;
        return {
          changes: [
            changeFor("ScalableTarget", scalingId, diffScalableTarget(scaling.target, scalableTarget)),
            changeFor("ScalingPolicy", scaling.policy.name, diffScalingPolicy(scaling.policy, policy)),
          ],
          provides: {},
        };
      },
      async apply(refs, emit) {
        for (const change of this.plan(refs).changes) {
          if (change.action === "noop") continue;
          if (change.resource === "ScalingPolicy") {
            await mutate(change, emit, () =>
              scaling
                ? putScalingPolicy(clients, scaling.policy)
                : deleteScalingPolicy(clients, scalingId, change.name),
            );
          } else if (!scaling) {
            await mutate(change, emit, () => deregisterScalableTarget(clients, scalingId));
          } else if (scalableTarget) {
            await mutate(change, emit, () => updateScalableTarget(clients, scaling.target, scalableTarget));
          } else {
            await mutate(change, emit, () => registerScalableTarget(clients, scaling.target));
          }
        }
        return {};
      },
    },
    {
      id: "cleanup",
      dependsOn: ["service", "listener", "scaling"],
      plan(refs) {
        const keep = new Set([observation.taskDefinitions.current?.arn, refs.taskDefinitionArn]);
        // Only revisions we registered: a family may hold revisions someone else made.
        const stale = observation.taskDefinitions.stale
          .filter((revision) => !keep.has(revision.arn) && ownershipOf(revision.tags, service) === "ours")
          .map((revision) => revision.arn);
        const changes: Change[] = stale.map((arn) => ({
          action: "delete",
          resource: "TaskDefinition" as ResourceKind,
          name: revisionName(arn),
          reason: `older than the newest ${KEPT_REVISIONS} revisions`,
          diff: [],
        }));
        // A group replaced in this very pass goes with its replacement's line; a later pass lists it.
        const namedByReplacement = currentTargetGroup ? undefined : previousTargetGroups[0];
        changes.unshift(
          ...oldTargetGroups.deleted
            .filter((old) => old !== namedByReplacement)
            .map((old) => targetGroupDeletion(old.name)),
        );
        if (previousService && previousServiceGoes) changes.unshift(previousServiceDeletion(previousService));
        if (
          loadBalancer &&
          recordedCluster !== document.spec.cluster &&
          (!previousService || previousServiceGoes)
        )
          changes.push(clusterTagUpdate(recordedCluster));
        return {
          changes,
          provides: {},
          skipped: oldTargetGroups.skipped,
          waiting: [...previousServiceWait, ...targetGroupWaits],
        };
      },
      async apply(refs, emit) {
        if (previousService && !previousServiceGoes) return {};
        if (previousService) {
          await mutate(previousServiceDeletion(previousService), emit, () =>
            deleteService(clients, previousService.cluster, previousService.name),
          );
        }
        // Only now does the load balancer say the service runs in the new cluster: until then a rerun
        // still finds the old service to delete.
        if (loadBalancer && recordedCluster !== document.spec.cluster) {
          await mutate(clusterTagUpdate(recordedCluster), emit, () =>
            addElbTags(clients, loadBalancer.arn, { [CLUSTER_TAG]: document.spec.cluster }),
          );
        }
        for (const old of oldTargetGroups.deleted) {
          const change = targetGroupDeletion(old.name);
          await mutate(change, emit, () =>
            retryExpected(() => deleteTargetGroup(clients, old.arn), waitOptions(change, emit)),
          );
        }
        const changes = this.plan(refs).changes.filter((change) => change.resource === "TaskDefinition");
        for (const change of changes) {
          const arn = observation.taskDefinitions.activeArns.find((candidate) =>
            candidate.endsWith(`/${change.name}`),
          );
          if (arn) await mutate(change, emit, () => deregisterTaskDefinition(clients, arn));
        }
        return {};
      },
    },
  ];
  return nodes;
}

/**
 * The plan: every node's changes, in dependency order, with references flowing from node to node,
 * and what the nodes leave alone on purpose.
 */
export function planStack(nodes: readonly StackNode[]): {
  changes: Change[];
  skipped: LeftInPlace[];
  heldBack: HeldBack[];
  waiting: Waiting[];
} {
  const refs = unknownRefs();
  const changes: Change[] = [];
  const waiting: Waiting[] = [];
  const skipped: LeftInPlace[] = [];
  const heldBack: HeldBack[] = [];
  for (const node of nodes) {
    const planned = node.plan(refs);
    Object.assign(refs, planned.provides);
    changes.push(...planned.changes);
    skipped.push(...(planned.skipped ?? []));
    heldBack.push(...(planned.heldBack ?? []));
    waiting.push(...(planned.waiting ?? []));
  }
  return { changes, skipped, heldBack, waiting };
}

/** The plan's changes alone. */
export function planNodes(nodes: readonly StackNode[]): Change[] {
  return planStack(nodes).changes;
}

/**
 * Applies every node as soon as its dependencies are done, so independent resources converge in
 * parallel and the plan's critical path, not its length, sets the time. A failed node stops its
 * dependents; the others finish before the first error is thrown.
 */
export async function applyNodes(
  nodes: readonly StackNode[],
  emit: (event: ApplyEvent) => void,
): Promise<Refs> {
  const refs = unknownRefs();
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const running = new Map<NodeId, Promise<void>>();
  const run = (node: StackNode): Promise<void> => {
    let done = running.get(node.id);
    if (!done) {
      done = (async () => {
        await Promise.all(node.dependsOn.map((id) => run(byId.get(id) ?? missingNode(id))));
        Object.assign(refs, await node.apply(refs, emit));
      })();
      running.set(node.id, done);
    }
    return done;
  };
  const outcomes = await Promise.allSettled(nodes.map(run));
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === "rejected");
  if (failure) throw failure.reason;
  return refs;
}

function missingNode(id: NodeId): never {
  throw new Error(`stack node ${id} is a dependency but not part of the stack`);
}
