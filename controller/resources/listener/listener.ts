/**
 * The HTTP listener that forwards everything to the target group. A forward action reads back both
 * as `TargetGroupArn` and as `ForwardConfig`; both mean the same group, so they compare equal.
 * While a target group is replaced, the default action also names other groups of ours at weight 0:
 * they take no traffic, but count as used by the load balancer, so ECS accepts them and ELB checks
 * their targets' health (see target-group/transition.ts).
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
import type { ObservationReads } from "../../inventory/observation-reads.ts";
import { missingTags, type Ownership, ownershipOf, resourceTags } from "../../ownership.ts";

export interface DesiredListener {
  loadBalancerArn: string;
  port: number;
  protocol: "HTTP";
  /** The target group every request is forwarded to. */
  forwardTo: string;
  /** Target groups attached at weight 0 (no traffic), sorted; empty outside a target group replacement. */
  attached: string[];
  tags: Record<string, string>;
}

export interface ObservedListener {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: string;
  /** The one group taking traffic (weight above 0); undefined when none or several do. */
  forwardTo: string | undefined;
  /** Groups named at weight 0, sorted. */
  attached: string[];
  tags: Record<string, string>;
  ownership: Ownership;
}

export function desiredListener(
  document: ServiceSpec,
  loadBalancerArn: string,
  targetGroupArn: string,
  attached: readonly string[] = [],
): DesiredListener {
  return {
    loadBalancerArn,
    port: document.spec.loadBalancer.listenerPort,
    protocol: "HTTP",
    forwardTo: targetGroupArn,
    attached: [...attached].sort(),
    tags: resourceTags(document, "listener"),
  };
}

/**
 * Where a default action sends traffic, however AWS spelled it: the one group above weight 0, and
 * the groups at weight 0. Several groups above weight 0 (a split someone made) leave `forwardTo`
 * undefined, which differs from any desired listener and is corrected.
 */
export function forwardTargets(actions: readonly Action[] = []): {
  forwardTo: string | undefined;
  attached: string[];
} {
  const forward = actions.find((action) => action.Type === "forward");
  const tuples = forward?.ForwardConfig?.TargetGroups ?? [];
  if (tuples.length === 0) return { forwardTo: forward?.TargetGroupArn, attached: [] };
  const taking = tuples.filter((tuple) => (tuple.Weight ?? 1) > 0);
  const attached = tuples
    .filter((tuple) => (tuple.Weight ?? 1) === 0)
    .map((tuple) => tuple.TargetGroupArn ?? "")
    .sort();
  return { forwardTo: taking.length === 1 ? taking[0]?.TargetGroupArn : undefined, attached };
}

function toObserved(listener: Listener, tags: Record<string, string>, service: string): ObservedListener {
  return {
    arn: listener.ListenerArn ?? "",
    loadBalancerArn: listener.LoadBalancerArn ?? "",
    port: listener.Port ?? 0,
    protocol: listener.Protocol ?? "",
    ...forwardTargets(listener.DefaultActions),
    tags,
    ownership: ownershipOf(tags, service),
  };
}

/** Every listener of the load balancer; none when it is gone. */
export async function describeListenersOf(clients: AwsClients, loadBalancerArn: string): Promise<Listener[]> {
  try {
    const listeners: Listener[] = [];
    let Marker: string | undefined;
    do {
      const page = await clients.elbv2.send(
        new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, Marker }),
      );
      listeners.push(...(page.Listeners ?? []));
      Marker = page.NextMarker;
    } while (Marker);
    return listeners;
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/** Every listener of the load balancer, with tags. */
export async function observeListeners(
  reads: ObservationReads,
  tags: ElbTagReader,
  service: string,
  loadBalancerArn: string,
): Promise<ObservedListener[]> {
  const listeners = await reads.listenersOf(loadBalancerArn);
  return Promise.all(
    listeners.map(async (listener) =>
      toObserved(listener, await tags.tagsOf(listener.ListenerArn ?? ""), service),
    ),
  );
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
    attached: listener.attached,
    tags: Object.fromEntries(Object.keys(desired.tags).map((key) => [key, listener.tags[key]])),
  });
  if (!observed) return absent(diffFields(comparable(desired), {}));
  return present(diffFields(comparable(desired), comparable(observed)));
}

/** A plain forward, or a weighted one when other groups are attached at weight 0. */
const forwardAction = (desired: DesiredListener): Action[] =>
  desired.attached.length === 0
    ? [{ Type: "forward", TargetGroupArn: desired.forwardTo }]
    : [
        {
          Type: "forward",
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: desired.forwardTo, Weight: 1 },
              ...desired.attached.map((arn) => ({ TargetGroupArn: arn, Weight: 0 })),
            ],
          },
        },
      ];

const sameGroups = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((arn, index) => arn === b[index]);

export async function createListener(clients: AwsClients, desired: DesiredListener): Promise<string> {
  const { Listeners = [] } = await clients.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: desired.loadBalancerArn,
      Port: desired.port,
      Protocol: desired.protocol,
      DefaultActions: forwardAction(desired),
      Tags: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  const arn = Listeners[0]?.ListenerArn;
  if (!arn) throw new Error(`ELBv2 created the listener on port ${desired.port} without returning its ARN`);
  return arn;
}

/** Moves the port and the forward targets in one call; adds missing tags. */
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
    desired.forwardTo !== observed.forwardTo ||
    !sameGroups(desired.attached, observed.attached)
  ) {
    await clients.elbv2.send(
      new ModifyListenerCommand({
        ListenerArn: observed.arn,
        Port: desired.port,
        Protocol: desired.protocol,
        DefaultActions: forwardAction(desired),
      }),
    );
  }
}

export async function deleteListener(clients: AwsClients, arn: string): Promise<void> {
  await ignoreNotFound(() => clients.elbv2.send(new DeleteListenerCommand({ ListenerArn: arn })));
}
