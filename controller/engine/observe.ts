/**
 * Reads everything one service owns (or collides with), in two parallel waves: first what can be
 * found by name or tag alone, then what needs an ARN from the first wave. About a dozen read calls.
 */
import {
  loadBalancerSecurityGroupName,
  scalingPolicyName,
  taskSecurityGroupName,
} from "../../specs/index.ts";
import { CLUSTER_TAG } from "../ownership.ts";
import { type ObservedCluster, observeCluster } from "../resources/cluster/cluster.ts";
import {
  listenerServingSpec,
  type ObservedListener,
  observeListeners,
} from "../resources/listener/listener.ts";
import { observeRulesOf, type RulesByListener } from "../resources/listener/rules.ts";
import { type ObservedLoadBalancer, observeLoadBalancer } from "../resources/load-balancer/load-balancer.ts";
import { type ObservedLogGroup, observeLogGroup } from "../resources/log-group/log-group.ts";
import { type ObservedScaling, observeScaling, scalingResourceId } from "../resources/scaling/scaling.ts";
import {
  type ObservedSecurityGroup,
  observeOwnedSecurityGroups,
  observeSecurityGroupsNamed,
} from "../resources/security-groups/security-groups.ts";
import { type ObservedService, observeService } from "../resources/service/service.ts";
import {
  desiredTargetGroup,
  type ObservedTargetGroup,
  observeTargetGroups,
  observeTargetHealth,
} from "../resources/target-group/target-group.ts";
import {
  desiredTaskDefinition,
  diffTaskDefinition,
  KEPT_REVISIONS,
  listActiveRevisions,
  type ObservedRevision,
  PRUNED_PER_PASS,
} from "../resources/task-definition/task-definition.ts";
import type { StackContext } from "./context.ts";

export interface Observation {
  /** Ours by tag (any VPC), plus any group holding our names in the VPC when ours is missing. */
  securityGroups: ObservedSecurityGroup[];
  logGroup: ObservedLogGroup | undefined;
  loadBalancer: ObservedLoadBalancer | undefined;
  targetGroups: ObservedTargetGroup[];
  listeners: ObservedListener[];
  /**
   * The rules of the listeners whose rules decide a deletion apply plans: a listener of ours it would
   * delete, or, when an old target group of ours would be deleted, every listener of the load balancer.
   * Destroy reads the rest itself.
   */
  rules: RulesByListener;
  cluster: ObservedCluster | undefined;
  service: ObservedService | undefined;
  /** Ours (not yet INACTIVE) in the cluster the load balancer says the service ran in, when the spec names another. */
  previousService: ObservedService | undefined;
  taskDefinitions: {
    /** ACTIVE revisions of the family, newest first; only listed when the service's revision is not the desired one. */
    activeArns: string[];
    /** The revision the service runs. */
    current: ObservedRevision | undefined;
    /** The family's newest ACTIVE revision (may be newer than the service's after a crash or a rollback). */
    latest: ObservedRevision | undefined;
    /** Revisions past the newest KEPT_REVISIONS (a bounded number per pass), with their tags. */
    stale: ObservedRevision[];
  };
  scaling: ObservedScaling;
  /**
   * The spec's target group's targets by state, read only while the listener forwards elsewhere (a
   * replacement in progress: the listener moves once they are healthy). Undefined otherwise.
   */
  desiredGroupHealth: Record<string, number> | undefined;
}

/**
 * Listeners whose rules apply must know before deleting something: a listener of ours it would delete
 * (its rules go with it), and every listener when an old target group of ours would be deleted (a
 * rule forwarding to it keeps it). Otherwise none: a converged pass reads no rules.
 */
function listenersWhoseRulesDecide(
  context: StackContext,
  listeners: readonly ObservedListener[],
  targetGroups: readonly ObservedTargetGroup[],
): ObservedListener[] {
  const desiredGroup = desiredTargetGroup(context.document, context.network).name;
  if (targetGroups.some((group) => group.ownership === "ours" && group.name !== desiredGroup))
    return [...listeners];
  const owned = listeners.filter((listener) => listener.ownership === "ours");
  const serving = listenerServingSpec(owned, context.document.spec.loadBalancer.listenerPort);
  return owned.filter((listener) => listener !== serving);
}

export async function observeStack(context: StackContext): Promise<Observation> {
  const { clients, document, network, elbTags, reads } = context;
  const service = document.metadata.name;
  const family = service;
  const groupNames = [loadBalancerSecurityGroupName(service), taskSecurityGroupName(service)];

  const [ownedGroups, logGroup, loadBalancer, targetGroups, cluster, ecsService, scaling] = await Promise.all(
    [
      observeOwnedSecurityGroups(reads, service),
      observeLogGroup(clients, reads, service, document.spec.logging.logGroup, context.tags),
      observeLoadBalancer(reads, elbTags, service, service),
      observeTargetGroups(clients, reads, elbTags, service, context.slow),
      // Slow tier: while the service is ACTIVE its cluster exists (ECS refuses to delete a cluster
      // with services), so only the cluster's tags can drift unseen between reads.
      context.slow.read(`cluster:${service}:${document.spec.cluster}`, () =>
        observeCluster(clients, service, document.spec.cluster),
      ),
      observeService(reads, service, document.spec.cluster, service),
      observeScaling(
        clients,
        reads,
        service,
        scalingResourceId(document.spec.cluster, service),
        scalingPolicyName(service),
        context.tags,
      ),
    ],
  );

  const ownedInVpc = ownedGroups.filter(
    (group) => group.vpcId === network.vpcId && groupNames.includes(group.name),
  );
  const needNameCheck = ownedInVpc.length < groupNames.length;
  const currentArn = ecsService?.settings.taskDefinition;
  const previousCluster = loadBalancer?.tags[CLUSTER_TAG];
  // Looked up even when the service already runs in the new cluster: a run that crashed before
  // deleting the old one must still delete it.
  const movedFrom =
    previousCluster && previousCluster !== document.spec.cluster ? previousCluster : undefined;
  const [listeners, namedGroups, current, previousService] = await Promise.all([
    loadBalancer ? observeListeners(reads, elbTags, service, loadBalancer.arn) : Promise.resolve([]),
    needNameCheck
      ? observeSecurityGroupsNamed(clients, service, network.vpcId, groupNames)
      : Promise.resolve([]),
    currentArn ? context.taskDefinitions.revision(clients, currentArn) : Promise.resolve(undefined),
    movedFrom ? observeService(reads, service, movedFrom, service) : Promise.resolve(undefined),
  ]);

  // A converged pass reads no target health: only a replacement in progress needs it.
  const desiredGroup = targetGroups.find(
    (group) => group.name === desiredTargetGroup(document, network).name && group.ownership === "ours",
  );
  const listener = listenerServingSpec(
    listeners.filter((candidate) => candidate.ownership === "ours"),
    document.spec.loadBalancer.listenerPort,
  );
  const replacing =
    desiredGroup !== undefined && listener !== undefined && listener.forwardTo !== desiredGroup.arn;
  const [rules, desiredGroupHealth] = await Promise.all([
    observeRulesOf(
      clients,
      elbTags,
      service,
      listenersWhoseRulesDecide(context, listeners, targetGroups).map((candidate) => candidate.arn),
    ),
    replacing ? observeTargetHealth(clients, desiredGroup.arn) : Promise.resolve(undefined),
  ]);

  // The family's history matters only when the running revision is not the desired one: a newer
  // matching revision may exist (a crash after registering), and a new one will be registered.
  const upToDate =
    current !== undefined &&
    diffTaskDefinition(desiredTaskDefinition(document, clients.region), current).length === 0;
  const activeArns = upToDate ? [] : await listActiveRevisions(clients, family);
  const latest = activeArns[0] ? await context.taskDefinitions.revision(clients, activeArns[0]) : undefined;
  const stale = await Promise.all(
    activeArns
      .slice(KEPT_REVISIONS, KEPT_REVISIONS + PRUNED_PER_PASS)
      .map((arn) => context.taskDefinitions.revision(clients, arn)),
  );

  const known = new Set(ownedGroups.map((group) => group.groupId));
  return {
    securityGroups: [...ownedGroups, ...namedGroups.filter((group) => !known.has(group.groupId))],
    logGroup,
    loadBalancer,
    targetGroups,
    listeners,
    rules,
    cluster,
    service: ecsService,
    previousService: previousService?.ownership === "ours" ? previousService : undefined,
    taskDefinitions: { activeArns, current, latest, stale },
    scaling,
    desiredGroupHealth,
  };
}
