/**
 * The HTTP listener that forwards everything to the target group. A forward action reads back both
 * as `TargetGroupArn` and as `ForwardConfig`; both mean the same group, so they compare equal.
 */
import {
  type Action,
  CreateListenerCommand,
  DeleteListenerCommand,
  DescribeListenersCommand,
  type Listener,
  ModifyListenerCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { ServiceSpec } from "../../../specs/index.ts";
import type { AwsClients } from "../../aws/clients.ts";
import { addElbTags, type ElbTagReader } from "../../aws/elb-tags.ts";
import { ignoreNotFound, isNotFound } from "../../aws/errors.ts";
import { diffFields } from "../../engine/field-diff.ts";
import { absent, present, type ResourceDiff } from "../../engine/resource-diff.ts";
import { missingTags, type Ownership, ownershipOf, resourceTags } from "../../ownership.ts";

export interface DesiredListener {
  loadBalancerArn: string;
  port: number;
  protocol: "HTTP";
  /** The target group every request is forwarded to. */
  forwardTo: string;
  tags: Record<string, string>;
}

export interface ObservedListener {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  forwardTo: string | undefined;
  tags: Record<string, string>;
  ownership: Ownership;
}

export function desiredListener(
  document: ServiceSpec,
  loadBalancerArn: string,
  targetGroupArn: string,
): DesiredListener {
  return {
    loadBalancerArn,
    port: document.spec.loadBalancer.listenerPort,
    protocol: "HTTP",
    forwardTo: targetGroupArn,
    tags: resourceTags(document, "listener"),
  };
}

/** The single target group a default action forwards to, however AWS spelled it. */
export function forwardTarget(actions: readonly Action[] = []): string | undefined {
  const forward = actions.find((action) => action.Type === "forward");
  const groups = forward?.ForwardConfig?.TargetGroups ?? [];
  if (groups.length > 1) return undefined;
  return forward?.TargetGroupArn ?? groups[0]?.TargetGroupArn;
}

function toObserved(listener: Listener, tags: Record<string, string>, service: string): ObservedListener {
  return {
    arn: listener.ListenerArn ?? "",
    loadBalancerArn: listener.LoadBalancerArn ?? "",
    port: listener.Port ?? 0,
    protocol: listener.Protocol ?? "",
    forwardTo: forwardTarget(listener.DefaultActions),
    tags,
    ownership: ownershipOf(tags, service),
  };
}

/** Every listener of the load balancer, with tags. */
export async function observeListeners(
  clients: AwsClients,
  tags: ElbTagReader,
  service: string,
  loadBalancerArn: string,
): Promise<ObservedListener[]> {
  try {
    const { Listeners = [] } = await clients.elbv2.send(
      new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }),
    );
    return Promise.all(
      Listeners.map(async (listener) =>
        toObserved(listener, await tags.tagsOf(listener.ListenerArn ?? ""), service),
      ),
    );
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/**
 * Which of our listeners serves the spec: the one on its port, else any of ours (moved to the port).
 * Every other listener of ours is deleted by apply.
 */
export function listenerServingSpec(
  owned: readonly ObservedListener[],
  port: number,
): ObservedListener | undefined {
  return owned.find((candidate) => candidate.port === port) ?? owned[0];
}

export function diffListener(desired: DesiredListener, observed: ObservedListener | undefined): ResourceDiff {
  const comparable = (listener: DesiredListener | ObservedListener) => ({
    port: listener.port,
    protocol: listener.protocol,
    forwardTo: listener.forwardTo,
    tags: Object.fromEntries(Object.keys(desired.tags).map((key) => [key, listener.tags[key]])),
  });
  if (!observed) return absent(diffFields(comparable(desired), {}));
  return present(diffFields(comparable(desired), comparable(observed)));
}

const forwardAction = (targetGroupArn: string): Action[] => [
  { Type: "forward", TargetGroupArn: targetGroupArn },
];

export async function createListener(clients: AwsClients, desired: DesiredListener): Promise<string> {
  const { Listeners = [] } = await clients.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: desired.loadBalancerArn,
      Port: desired.port,
      Protocol: desired.protocol,
      DefaultActions: forwardAction(desired.forwardTo),
      Tags: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  const arn = Listeners[0]?.ListenerArn;
  if (!arn) throw new Error(`ELBv2 created the listener on port ${desired.port} without returning its ARN`);
  return arn;
}

/** Moves the port and the forward target in one call; adds missing tags. */
export async function updateListener(
  clients: AwsClients,
  desired: DesiredListener,
  observed: ObservedListener,
): Promise<void> {
  // Tags first: adopting claims the resource before changing it, so a policy scoped to our tag allows the change.
  await addElbTags(clients, observed.arn, missingTags(desired.tags, observed.tags));
  if (
    desired.port !== observed.port ||
    desired.protocol !== observed.protocol ||
    desired.forwardTo !== observed.forwardTo
  ) {
    await clients.elbv2.send(
      new ModifyListenerCommand({
        ListenerArn: observed.arn,
        Port: desired.port,
        Protocol: desired.protocol,
        DefaultActions: forwardAction(desired.forwardTo),
      }),
    );
  }
}

export async function deleteListener(clients: AwsClients, arn: string): Promise<void> {
  await ignoreNotFound(() => clients.elbv2.send(new DeleteListenerCommand({ ListenerArn: arn })));
}
