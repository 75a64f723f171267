/**
 * One pass over one service: resolve the network, observe, plan; apply when asked. The plan is
 * computed the same way for `plan` (which stops there) and `apply` (which executes it).
 */
import type { ServiceSpec } from "../../specs/index.ts";
import type { AwsClients } from "../aws/clients.ts";
import type { TagCache } from "../aws/tag-cache.ts";
import { DirectReads, type ObservationReads } from "../inventory/observation-reads.ts";
import { SlowReads } from "../inventory/slow-reads.ts";
import type { ApplyEvent } from "../resources/kind-contract.ts";
import { TaskDefinitionCache } from "../resources/task-definition/task-definition.ts";
import { createStackContext, type StackContext } from "./context.ts";
import type { DestroyOptions } from "./destroy.ts";
import { plannedInterruptions } from "./interruptions.ts";
import { applyNodes, planStack, type StackNode } from "./kind-graph.ts";
import { NetworkCache, resolveNetwork } from "./network.ts";
import type { Observation } from "./observe.ts";
import {
  type Change,
  type HeldBack,
  hasChanges,
  type Interruption,
  type LeftInPlace,
  type PlanOptions,
  type Waiting,
} from "./plan.ts";
import type { Refs } from "./refs.ts";
import { buildDestroy, buildStack, observeStack } from "./stack.ts";

export interface ServicePlan {
  context: StackContext;
  observation: Observation;
  nodes: StackNode[];
  changes: Change[];
  /** What the plan leaves alone on purpose (not ours, or holding or used by something not ours), and why. */
  skipped: LeftInPlace[];
  /** Revisions of the spec not rolled out because their last rollout failed: while any is, AWS does not run the spec. */
  heldBack: HeldBack[];
  /** Steps a later pass takes once AWS is ready (a replaced target group's): not converged while any is listed. */
  waiting: Waiting[];
  /** Planned changes the load balancer cannot serve through without dropping requests, and why. */
  interruptions: Interruption[];
}

/** What a long-running process keeps between passes: facts that do not change. */
export interface PassCaches {
  taskDefinitions: TaskDefinitionCache;
  networks: NetworkCache;
  tags: TagCache;
  /** The slow tier: rarely drifting attributes, read at most once per its max age. */
  slow: SlowReads;
}

/** `slowMaxAgeMs`: how long the slow tier keeps what it read (0, the default, reads every pass). */
export const createPassCaches = (slowMaxAgeMs = 0): PassCaches => ({
  taskDefinitions: new TaskDefinitionCache(),
  networks: new NetworkCache(),
  tags: new Map(),
  slow: new SlowReads(slowMaxAgeMs),
});

/**
 * Reads AWS and computes the changes; mutates nothing. `reads`: where the observation's reads come
 * from (default: straight from AWS; the daemon's resyncs: its shared fleet inventory).
 */
export async function planService(
  clients: AwsClients,
  document: ServiceSpec,
  caches: PassCaches = createPassCaches(),
  options: PlanOptions = {},
  reads: ObservationReads = new DirectReads(clients),
): Promise<ServicePlan> {
  const network = await caches.networks.resolve(clients, document);
  const context = createStackContext(
    clients,
    document,
    network,
    caches.taskDefinitions,
    caches.tags,
    caches.slow,
    reads,
  );
  const observation = await observeStack(context);
  const nodes = buildStack(context, observation, options);
  const planned = planStack(nodes);
  const interruptions = plannedInterruptions(document, planned.changes, observation);
  return { context, observation, nodes, ...planned, interruptions };
}

/** Reads AWS and lists what destroy would delete; mutates nothing. */
export async function planDestroy(
  clients: AwsClients,
  document: ServiceSpec,
  options: DestroyOptions,
): Promise<ServicePlan> {
  const network = await resolveNetwork(clients, document);
  const context = createStackContext(clients, document, network);
  const observation = await observeStack(context);
  const nodes = await buildDestroy(context, observation, options);
  // Destroy stops the service on purpose: nothing to warn about.
  return { context, observation, nodes, ...planStack(nodes), interruptions: [] };
}

/** Executes a plan, reporting each mutation as it starts and ends; returns the references it ended with. */
export async function applyPlan(plan: ServicePlan, emit: (event: ApplyEvent) => void): Promise<Refs> {
  try {
    return await applyNodes(plan.nodes, emit);
  } finally {
    // What was applied may have added tags or changed slow-tier attributes: the next pass reads them afresh.
    if (hasChanges(plan.changes)) {
      plan.context.tags.clear();
      plan.context.slow.clear();
    }
  }
}
