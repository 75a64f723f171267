/**
 * Target-tracking autoscaling on CPU: the scalable target (the service's desiredCount within
 * [min, max]) and its policy. Both exist only while the spec has an `autoscaling` block.
 *
 * The target is owned like every other kind, by its tags (read with ListTagsForResource on its ARN).
 * Policies cannot be tagged: a policy belongs to its target, and of the policies on a target we own,
 * only the one with our name (`{name}-cpu`) is ours. Deregistering a target deletes all its policies,
 * so a target holding someone else's policy is never deregistered.
 */
import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  ListTagsForResourceCommand,
  type MetricType,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type ScalableTarget,
  type ScalingPolicy,
  TagResourceCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { ecsServiceName, type ServiceSpec, scalingPolicyName } from "../../../specs/index.ts";
import type { AwsClients } from "../../aws/clients.ts";
import { ignoreNotFound } from "../../aws/errors.ts";
import { cachedTags, type TagCache } from "../../aws/tag-cache.ts";
import { diffFields } from "../../engine/field-diff.ts";
import { absent, present, type ResourceDiff } from "../../engine/resource-diff.ts";
import type { ObservationReads } from "../../inventory/observation-reads.ts";
import { missingTags, type Ownership, ownershipOf, resourceTags } from "../../ownership.ts";

const NAMESPACE = "ecs";
const DIMENSION = "ecs:service:DesiredCount";
const CPU_METRIC: MetricType = "ECSServiceAverageCPUUtilization";

export interface DesiredScalableTarget {
  resourceId: string;
  minCapacity: number;
  maxCapacity: number;
  tags: Record<string, string>;
}

export interface DesiredScalingPolicy {
  name: string;
  resourceId: string;
  targetValue: number;
  scaleInCooldown: number;
  scaleOutCooldown: number;
  metric: MetricType;
}

export interface ObservedScalableTarget {
  resourceId: string;
  arn: string;
  minCapacity: number;
  maxCapacity: number;
  tags: Record<string, string>;
  ownership: Ownership;
}

export interface ObservedScaling {
  target: ObservedScalableTarget | undefined;
  /** The policy with our name on the target (ours only if the target is). */
  policy: DesiredScalingPolicy | undefined;
  /** The names of the target's other policies: never ours, never touched. */
  otherPolicies: string[];
}

/** Application Auto Scaling's id for an ECS service. */
export const scalingResourceId = (cluster: string, service: string) => `service/${cluster}/${service}`;

export function desiredScaling(
  document: ServiceSpec,
): { target: DesiredScalableTarget; policy: DesiredScalingPolicy } | undefined {
  const scaling = document.spec.autoscaling;
  if (!scaling) return undefined;
  const resourceId = scalingResourceId(document.spec.cluster, ecsServiceName(document.metadata.name));
  return {
    target: {
      resourceId,
      minCapacity: scaling.minTasks,
      maxCapacity: scaling.maxTasks,
      tags: resourceTags(document, "scalable-target"),
    },
    policy: {
      name: scalingPolicyName(document.metadata.name),
      resourceId,
      targetValue: scaling.targetCpuPercent,
      scaleInCooldown: scaling.scaleInCooldownSeconds,
      scaleOutCooldown: scaling.scaleOutCooldownSeconds,
      metric: CPU_METRIC,
    },
  };
}

/** The ECS service's scalable target, if registered. */
export async function describeScalableTarget(
  clients: AwsClients,
  resourceId: string,
): Promise<ScalableTarget | undefined> {
  const { ScalableTargets = [] } = await clients.autoscaling.send(
    new DescribeScalableTargetsCommand({
      ServiceNamespace: NAMESPACE,
      ResourceIds: [resourceId],
      ScalableDimension: DIMENSION,
    }),
  );
  return ScalableTargets[0];
}

/** Every policy on the target (one page of 10 in the usual case). */
export async function describeScalingPolicies(
  clients: AwsClients,
  resourceId: string,
): Promise<ScalingPolicy[]> {
  const policies: ScalingPolicy[] = [];
  let NextToken: string | undefined;
  do {
    const page = await clients.autoscaling.send(
      new DescribeScalingPoliciesCommand({
        ServiceNamespace: NAMESPACE,
        ResourceId: resourceId,
        ScalableDimension: DIMENSION,
        NextToken,
      }),
    );
    policies.push(...(page.ScalingPolicies ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return policies;
}

/** The scalable target with its tags, our policy and the names of any others (two calls, three with cold tags). */
export async function observeScaling(
  clients: AwsClients,
  reads: ObservationReads,
  service: string,
  resourceId: string,
  policyName: string,
  tagCache: TagCache = new Map(),
): Promise<ObservedScaling> {
  const [target, policies] = await Promise.all([
    reads.scalableTarget(resourceId),
    reads.scalingPolicies(resourceId),
  ]);
  const arn = target?.ScalableTargetARN ?? "";
  const tags = target
    ? await cachedTags(tagCache, arn, async () => {
        const { Tags = {} } = await clients.autoscaling.send(
          new ListTagsForResourceCommand({ ResourceARN: arn }),
        );
        return Tags;
      })
    : {};
  const policy = policies.find((candidate) => candidate.PolicyName === policyName);
  const tracking = policy?.TargetTrackingScalingPolicyConfiguration;
  return {
    target: target && {
      resourceId,
      arn,
      minCapacity: target.MinCapacity ?? 0,
      maxCapacity: target.MaxCapacity ?? 0,
      tags,
      ownership: ownershipOf(tags, service),
    },
    policy: policy && {
      name: policyName,
      resourceId,
      targetValue: tracking?.TargetValue ?? 0,
      scaleInCooldown: tracking?.ScaleInCooldown ?? 300,
      scaleOutCooldown: tracking?.ScaleOutCooldown ?? 300,
      metric: tracking?.PredefinedMetricSpecification?.PredefinedMetricType ?? CPU_METRIC,
    },
    otherPolicies: policies
      .map((candidate) => candidate.PolicyName ?? "")
      .filter((name) => name !== policyName)
      .sort(),
  };
}

export function diffScalableTarget(
  desired: DesiredScalableTarget,
  observed: ObservedScaling["target"],
): ResourceDiff {
  const comparable = (target: {
    minCapacity: number;
    maxCapacity: number;
    tags: Record<string, string>;
  }) => ({
    minCapacity: target.minCapacity,
    maxCapacity: target.maxCapacity,
    tags: Object.fromEntries(Object.keys(desired.tags).map((key) => [key, target.tags[key]])),
  });
  return observed
    ? present(diffFields(comparable(desired), comparable(observed)))
    : absent(diffFields(comparable(desired), {}));
}

export function diffScalingPolicy(
  desired: DesiredScalingPolicy,
  observed: ObservedScaling["policy"],
): ResourceDiff {
  const { name: _name, resourceId: _resourceId, ...comparable } = desired;
  return observed ? present(diffFields(comparable, observed)) : absent(diffFields(comparable, {}));
}

/** Registers a new scalable target with its tags in the same call (AWS clamps desiredCount into the bounds at once). */
export async function registerScalableTarget(
  clients: AwsClients,
  desired: DesiredScalableTarget,
): Promise<void> {
  await clients.autoscaling.send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: NAMESPACE,
      ResourceId: desired.resourceId,
      ScalableDimension: DIMENSION,
      MinCapacity: desired.minCapacity,
      MaxCapacity: desired.maxCapacity,
      Tags: desired.tags,
    }),
  );
}

/**
 * Updates the bounds of a target we own (or adopt) and adds missing tags. AWS refuses tags on
 * RegisterScalableTarget for an existing target, so they go through TagResource.
 */
export async function updateScalableTarget(
  clients: AwsClients,
  desired: DesiredScalableTarget,
  observed: ObservedScalableTarget,
): Promise<void> {
  // Tags first: adopting claims the resource before changing it, so a policy scoped to our tag allows the change.
  const tags = missingTags(desired.tags, observed.tags);
  if (Object.keys(tags).length > 0) {
    await clients.autoscaling.send(new TagResourceCommand({ ResourceARN: observed.arn, Tags: tags }));
  }
  if (desired.minCapacity !== observed.minCapacity || desired.maxCapacity !== observed.maxCapacity) {
    await clients.autoscaling.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: NAMESPACE,
        ResourceId: desired.resourceId,
        ScalableDimension: DIMENSION,
        MinCapacity: desired.minCapacity,
        MaxCapacity: desired.maxCapacity,
      }),
    );
  }
}

/** Creates or updates the target-tracking policy. */
export async function putScalingPolicy(clients: AwsClients, desired: DesiredScalingPolicy): Promise<void> {
  await clients.autoscaling.send(
    new PutScalingPolicyCommand({
      PolicyName: desired.name,
      ServiceNamespace: NAMESPACE,
      ResourceId: desired.resourceId,
      ScalableDimension: DIMENSION,
      PolicyType: "TargetTrackingScaling",
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: desired.targetValue,
        PredefinedMetricSpecification: { PredefinedMetricType: desired.metric },
        ScaleInCooldown: desired.scaleInCooldown,
        ScaleOutCooldown: desired.scaleOutCooldown,
      },
    }),
  );
}

export async function deleteScalingPolicy(
  clients: AwsClients,
  resourceId: string,
  name: string,
): Promise<void> {
  await ignoreNotFound(() =>
    clients.autoscaling.send(
      new DeleteScalingPolicyCommand({
        PolicyName: name,
        ServiceNamespace: NAMESPACE,
        ResourceId: resourceId,
        ScalableDimension: DIMENSION,
      }),
    ),
  );
}

export async function deregisterScalableTarget(clients: AwsClients, resourceId: string): Promise<void> {
  await ignoreNotFound(() =>
    clients.autoscaling.send(
      new DeregisterScalableTargetCommand({
        ServiceNamespace: NAMESPACE,
        ResourceId: resourceId,
        ScalableDimension: DIMENSION,
      }),
    ),
  );
}
