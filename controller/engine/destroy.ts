/**
 * Removes everything a service owns, in reverse dependency order: scaling, the service (scaled to
 * zero and drained), listener, target groups, load balancer, the task group once its ENIs are gone,
 * the load balancer's group, the log group (unless kept), task definition revisions, and the cluster
 * if it is ours and empty. Resources without our tags are left alone.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { scalingPolicyName } from "../../specs/index.ts";
import { deleteCluster } from "../resources/cluster/cluster.ts";
import { deleteListener } from "../resources/listener/listener.ts";
import { deleteLoadBalancer } from "../resources/load-balancer/load-balancer.ts";
import { deleteLogGroup } from "../resources/log-group/log-group.ts";
import {
  deleteScalingPolicy,
  deregisterScalableTarget,
  scalingResourceId,
} from "../resources/scaling/scaling.ts";
import { deleteSecurityGroup } from "../resources/security-groups/security-groups.ts";
import { deleteService, observeService } from "../resources/service/service.ts";
import { deleteTargetGroup } from "../resources/target-group/target-group.ts";
import {
  deregisterTaskDefinition,
  listActiveRevisions,
  revisionName,
} from "../resources/task-definition/task-definition.ts";
import type { StackContext } from "./context.ts";
import type { Observation } from "./observe.ts";
import type { Change, ResourceKind } from "./plan.ts";
import { retryExpected } from "./retry.ts";
import type { ApplyEvent, NodeId, StackNode } from "./stack.ts";

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

/** Polls until ECS reports the service INACTIVE (or gone). */
async function waitUntilInactive(context: StackContext, timeoutMs: number): Promise<void> {
  const { clients, document } = context;
  const deadline = Date.now() + timeoutMs;
  while (
    await observeService(clients, document.metadata.name, document.spec.cluster, document.metadata.name)
  ) {
    if (Date.now() > deadline)
      throw new Error(`service ${document.metadata.name} is still draining after ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

/** The delete nodes for what the observation shows we own. */
export async function buildDestroyNodes(
  context: StackContext,
  observation: Observation,
  options: DestroyOptions,
): Promise<StackNode[]> {
  const { clients, document } = context;
  const service = document.metadata.name;
  const ours = <T extends { ownership: string }>(found: T | undefined): T | undefined =>
    found?.ownership === "ours" ? found : undefined;
  const scalingId = scalingResourceId(document.spec.cluster, service);
  const groups = observation.securityGroups.filter((group) => group.ownership === "ours");
  const activeArns = await listActiveRevisions(clients, document.metadata.name);
  const revisions = await Promise.all(
    activeArns.map((arn) => context.taskDefinitions.revision(clients, arn)),
  );
  const ownedRevisions = revisions.filter((revision) => revision.tags["ecs-converge.io/service"] === service);
  const ecsService = ours(observation.service);
  const cluster = ours(observation.cluster);
  const loadBalancer = ours(observation.loadBalancer);
  const retrying = (change: Change, emit: (event: ApplyEvent) => void) => ({
    timeoutMs: options.timeoutMs,
    onWait: (error: unknown) => emit({ phase: "waiting", change, reason: (error as Error).message }),
  });

  const node = (
    id: NodeId,
    dependsOn: NodeId[],
    steps: Array<{ change: Change; run: (emit: (event: ApplyEvent) => void) => Promise<unknown> }>,
  ): StackNode => ({
    id,
    dependsOn,
    plan: () => ({ changes: steps.map((step) => step.change), provides: {} }),
    async apply(_refs, emit) {
      for (const step of steps) {
        emit({ phase: "start", change: step.change });
        await step.run(emit);
        emit({ phase: "done", change: step.change });
      }
      return {};
    },
  });

  const albGroup = groups.find((group) => group.role === "alb-security-group");
  const taskGroups = groups.filter((group) => group.role !== "alb-security-group");
  return [
    node(
      "scaling",
      [],
      [
        // The scaling of a service we do not own is that service's owner's business.
        ...(ecsService && observation.scaling.policy
          ? [
              {
                change: deletion("ScalingPolicy", scalingPolicyName(service)),
                run: () => deleteScalingPolicy(clients, scalingId, scalingPolicyName(service)),
              },
            ]
          : []),
        ...(ecsService && observation.scaling.target
          ? [
              {
                change: deletion("ScalableTarget", scalingId),
                run: () => deregisterScalableTarget(clients, scalingId),
              },
            ]
          : []),
      ],
    ),
    node(
      "service",
      ["scaling"],
      ecsService
        ? [
            {
              change: deletion("Service", service, "scaled to 0, deleted and drained"),
              run: async () => {
                await deleteService(clients, ecsService.cluster, service);
                await waitUntilInactive(context, options.timeoutMs);
              },
            },
          ]
        : [],
    ),
    node(
      "listener",
      ["service"],
      observation.listeners
        .filter((listener) => listener.ownership === "ours")
        .map((listener) => ({
          change: deletion("Listener", `${service}:${listener.port}`),
          run: () => deleteListener(clients, listener.arn),
        })),
    ),
    node(
      "targetGroup",
      ["listener", "service"],
      observation.targetGroups
        .filter((group) => group.ownership === "ours")
        .map((group) => {
          const change = deletion("TargetGroup", group.name);
          return {
            change,
            run: (emit) => retryExpected(() => deleteTargetGroup(clients, group.arn), retrying(change, emit)),
          };
        }),
    ),
    node(
      "loadBalancer",
      ["listener"],
      loadBalancer
        ? [
            {
              change: deletion("LoadBalancer", loadBalancer.name),
              run: () => deleteLoadBalancer(clients, loadBalancer.arn),
            },
          ]
        : [],
    ),
    node(
      "taskSecurityGroup",
      ["service"],
      taskGroups.map((group) => {
        const change = deletion(
          "SecurityGroup",
          group.name,
          "once the tasks' network interfaces are released",
        );
        return {
          change,
          run: (emit) =>
            retryExpected(() => deleteSecurityGroup(clients, group.groupId), retrying(change, emit)),
        };
      }),
    ),
    node(
      "albSecurityGroup",
      ["loadBalancer", "taskSecurityGroup"],
      albGroup
        ? [
            {
              change: deletion(
                "SecurityGroup",
                albGroup.name,
                "once the load balancer's network interfaces are released",
              ),
              run: (emit) =>
                retryExpected(
                  () => deleteSecurityGroup(clients, albGroup.groupId),
                  retrying(deletion("SecurityGroup", albGroup.name), emit),
                ),
            },
          ]
        : [],
    ),
    node(
      "logGroup",
      ["service"],
      !options.keepLogs && ours(observation.logGroup)
        ? [
            {
              change: deletion("LogGroup", document.spec.logging.logGroup),
              run: () => deleteLogGroup(clients, document.spec.logging.logGroup),
            },
          ]
        : [],
    ),
    node(
      "taskDefinition",
      ["service"],
      ownedRevisions.map((revision) => ({
        change: deletion("TaskDefinition", revisionName(revision.arn), "deregistered"),
        run: () => deregisterTaskDefinition(clients, revision.arn),
      })),
    ),
    node(
      "cluster",
      ["service"],
      cluster
        ? [
            {
              change: deletion("Cluster", cluster.name, "if no other service uses it"),
              run: (emit) =>
                retryExpected(
                  () => deleteCluster(clients, cluster.name),
                  retrying(deletion("Cluster", cluster.name), emit),
                ),
            },
          ]
        : [],
    ),
  ];
}
