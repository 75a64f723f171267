/**
 * Target-tracking autoscaling on CPU: the scalable target (the service's desiredCount within
 * [min, max]) and its policy. Both exist only while the spec has an `autoscaling` block.
 */
import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  type MetricType,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { ecsServiceName, type ServiceSpec, scalingPolicyName } from "../../../specs/index.ts";
import type { AwsClients } from "../../aws/clients.ts";
import { ignoreNotFound } from "../../aws/errors.ts";
import { diffFields } from "../../engine/field-diff.ts";
import { absent, present, type ResourceDiff } from "../../engine/resource-diff.ts";
import { resourceTags } from "../../ownership.ts";

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

export interface ObservedScaling {
  target:
    | { resourceId: string; arn: string | undefined; minCapacity: number; maxCapacity: number }
    | undefined;
  policy: (Omit<DesiredScalingPolicy, "resourceId"> & { resourceId: string }) | undefined;
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

/** The scalable target and our policy for one service (two calls). */
export async function observeScaling(
  clients: AwsClients,
  resourceId: string,
  policyName: string,
): Promise<ObservedScaling> {
  const [targets, policies] = await Promise.all([
    clients.autoscaling.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: NAMESPACE,
        ResourceIds: [resourceId],
        ScalableDimension: DIMENSION,
      }),
    ),
    clients.autoscaling.send(
      new DescribeScalingPoliciesCommand({
        ServiceNamespace: NAMESPACE,
        ResourceId: resourceId,
        ScalableDimension: DIMENSION,
        PolicyNames: [policyName],
      }),
    ),
  ]);
  const target = targets.ScalableTargets?.[0];
  const policy = policies.ScalingPolicies?.[0];
  const tracking = policy?.TargetTrackingScalingPolicyConfiguration;
  return {
    target: target && {
      resourceId,
      arn: target.ScalableTargetARN,
      minCapacity: target.MinCapacity ?? 0,
      maxCapacity: target.MaxCapacity ?? 0,
    },
    policy: policy && {
      name: policy.PolicyName ?? "",
      resourceId,
      targetValue: tracking?.TargetValue ?? 0,
      scaleInCooldown: tracking?.ScaleInCooldown ?? 300,
      scaleOutCooldown: tracking?.ScaleOutCooldown ?? 300,
      metric: tracking?.PredefinedMetricSpecification?.PredefinedMetricType ?? CPU_METRIC,
    },
  };
}

export function diffScalableTarget(
  desired: DesiredScalableTarget,
  observed: ObservedScaling["target"],
): ResourceDiff {
  const comparable = { minCapacity: desired.minCapacity, maxCapacity: desired.maxCapacity };
  return observed ? present(diffFields(comparable, observed)) : absent(diffFields(comparable, {}));
}

export function diffScalingPolicy(
  desired: DesiredScalingPolicy,
  observed: ObservedScaling["policy"],
): ResourceDiff {
  const { name: _name, resourceId: _resourceId, ...comparable } = desired;
  return observed ? present(diffFields(comparable, observed)) : absent(diffFields(comparable, {}));
}

/**
 * Creates or updates the scalable target (AWS clamps desiredCount into the bounds at once). Tags go
 * only with the creation: AWS refuses them on an existing target.
 */
export async function putScalableTarget(
  clients: AwsClients,
  desired: DesiredScalableTarget,
  exists: boolean,
): Promise<void> {
  await clients.autoscaling.send(
    new RegisterScalableTargetCommand({
      ServiceNamespace: NAMESPACE,
      ResourceId: desired.resourceId,
      ScalableDimension: DIMENSION,
      MinCapacity: desired.minCapacity,
      MaxCapacity: desired.maxCapacity,
      ...(exists ? {} : { Tags: desired.tags }),
    }),
  );
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
