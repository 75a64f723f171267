/** PutScalingPolicy, DescribeScalingPolicies, DeleteScalingPolicy: target tracking policies on ECS scalable targets. */
import { AwsError } from "../../errors.ts";
import { arn } from "../../identity.ts";
import type { Input } from "../../protocols/input.ts";
import type { Operation, OperationContext } from "../service-definition.ts";
import {
  constraint,
  missing,
  paginate,
  type Reader,
  read,
  readFilter,
  readMaxResults,
  readNamespace,
  readTargetIdentity,
  type TargetIdentity,
  uuid,
  validation,
} from "./input.ts";
import { targetNamed } from "./scalable-targets.ts";
import {
  type Alarm,
  type ScalableTarget,
  type ScalingPolicy,
  type TargetTrackingConfiguration,
  targetKey,
} from "./state.ts";

const POLICY_TYPES = new Set(["PredictiveScaling", "StepScaling", "TargetTrackingScaling"]);
/** The metric the emulator simulates (the ECS emulator's workload CPU). */
export const CPU_METRIC = "ECSServiceAverageCPUUtilization";
/** The predefined metrics a policy may track; memory is accepted but has no data (see README). */
const ECS_METRIC_TYPES = new Set([CPU_METRIC, "ECSServiceAverageMemoryUtilization"]);
/** ECS metrics AWS offers that the emulator does not simulate. */
const UNSIMULATED_ECS_METRIC_TYPES = new Set([
  "ALBRequestCountPerTarget",
  "ECSServiceAverageCPUUtilizationHighResolution",
  "ECSServiceAverageMemoryUtilizationHighResolution",
]);
/** AWS's documented range for TargetValue (2^-360 to 2^360). */
const MIN_TARGET_VALUE = 8.51592e-109;
const MAX_TARGET_VALUE = 1.174271e108;
const MAX_POLICIES_PER_TARGET = 50;
const CONFIGURATION = "targetTrackingScalingPolicyConfiguration.";

/** AWS's pattern is Java's `\p{Print}+` (printable ASCII), at most 256 characters. */
function readPolicyName(name: string): string {
  if (!/^[\x20-\x7e]{1,256}$/.test(name)) {
    throw constraint(
      "policyName",
      name,
      "Member must satisfy regular expression pattern: \\p{Print}+ (1 to 256)",
    );
  }
  return name;
}

function readCooldown(args: Reader, name: "ScaleOutCooldown" | "ScaleInCooldown") {
  const seconds = args.optionalInt(name);
  if (seconds !== undefined && seconds < 0) {
    throw constraint(
      `${CONFIGURATION}${name.charAt(0).toLowerCase()}${name.slice(1)}`,
      seconds,
      "Member must have value greater than or equal to 0",
    );
  }
  return seconds;
}

function readTargetTracking(value: Input): TargetTrackingConfiguration {
  const args = read(value, CONFIGURATION);
  const targetValue = args.optionalNumber("TargetValue");
  if (targetValue === undefined) throw missing("TargetValue", CONFIGURATION);
  if (!(targetValue >= MIN_TARGET_VALUE && targetValue <= MAX_TARGET_VALUE)) {
    throw validation(`The target value must be between ${MIN_TARGET_VALUE} and ${MAX_TARGET_VALUE}`);
  }
  const predefined = args.optionalObject("PredefinedMetricSpecification");
  if (args.has("CustomizedMetricSpecification")) {
    throw validation(
      predefined
        ? "Specify either a predefined metric or a customized metric, not both"
        : "Customized metric specifications are not emulated: use a PredefinedMetricSpecification",
    );
  }
  if (!predefined) throw validation("A predefined or a customized metric specification is required");
  const metric = read(predefined, `${CONFIGURATION}predefinedMetricSpecification.`);
  const metricType = metric.string("PredefinedMetricType");
  if (UNSIMULATED_ECS_METRIC_TYPES.has(metricType)) {
    throw validation(`The emulator does not simulate the ${metricType} metric`);
  }
  if (!ECS_METRIC_TYPES.has(metricType)) {
    throw validation(`Unsupported metric type ${metricType} for service namespace ecs`);
  }
  return {
    targetValue,
    predefinedMetricType: metricType,
    resourceLabel: metric.optionalString("ResourceLabel"),
    scaleOutCooldown: readCooldown(args, "ScaleOutCooldown"),
    scaleInCooldown: readCooldown(args, "ScaleInCooldown"),
    disableScaleIn: args.optionalBool("DisableScaleIn"),
  };
}

/** The two alarms target tracking creates and manages for a policy (AlarmHigh scales out, AlarmLow in). */
function targetTrackingAlarms(context: OperationContext, resourceId: string): [Alarm, Alarm] {
  const alarm = (kind: "AlarmHigh" | "AlarmLow"): Alarm => {
    const name = `TargetTracking-${resourceId}-${kind}-${uuid(context.random)}`;
    return { AlarmName: name, AlarmARN: arn("cloudwatch", context.region.name, `alarm:${name}`) };
  };
  return [alarm("AlarmHigh"), alarm("AlarmLow")];
}

function policyNotFound(identity: TargetIdentity, name: string) {
  return new AwsError(
    "ObjectNotFoundException",
    `No scaling policy found for service namespace: ${identity.serviceNamespace}, resource ID: ${identity.resourceId}, scalable dimension: ${identity.scalableDimension}, policy name: ${name}`,
  );
}

function describePolicy(target: ScalableTarget, policy: ScalingPolicy) {
  const configuration = policy.configuration;
  return {
    PolicyARN: policy.arn,
    PolicyName: policy.name,
    ServiceNamespace: target.serviceNamespace,
    ResourceId: target.resourceId,
    ScalableDimension: target.scalableDimension,
    PolicyType: policy.policyType,
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: configuration.targetValue,
      PredefinedMetricSpecification: {
        PredefinedMetricType: configuration.predefinedMetricType,
        ResourceLabel: configuration.resourceLabel,
      },
      ScaleOutCooldown: configuration.scaleOutCooldown,
      ScaleInCooldown: configuration.scaleInCooldown,
      DisableScaleIn: configuration.disableScaleIn,
    },
    Alarms: policy.alarms.map((alarm) => ({ ...alarm })),
    CreationTime: new Date(policy.createdAt),
  };
}

export const scalingPolicyOperations: Record<string, Operation> = {
  /** Creates or updates (by name, per scalable target); an update keeps the ARN, the alarms and the creation time. */
  PutScalingPolicy(input, context) {
    const args = read(input);
    const name = readPolicyName(args.string("PolicyName"));
    const identity = readTargetIdentity(args);
    const policyType = args.optionalString("PolicyType");
    if (policyType !== undefined && !POLICY_TYPES.has(policyType)) {
      throw constraint(
        "policyType",
        policyType,
        `Member must satisfy enum value set: [${[...POLICY_TYPES].join(", ")}]`,
      );
    }
    if (policyType !== undefined && policyType !== "TargetTrackingScaling") {
      throw validation(`${policyType} policies are not emulated: use TargetTrackingScaling`);
    }
    const given = args.optionalObject("TargetTrackingScalingPolicyConfiguration");
    const configuration = given === undefined ? undefined : readTargetTracking(given);
    const target = targetNamed(context.region, identity);
    const existing = target.policies.get(name);
    if (!existing && policyType === undefined) {
      throw validation("PolicyType is required when creating a scaling policy");
    }
    if (!configuration) {
      throw validation(
        "TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling policy",
      );
    }
    if (!existing && target.policies.size >= MAX_POLICIES_PER_TARGET) {
      throw new AwsError(
        "LimitExceededException",
        `A scalable target can have at most ${MAX_POLICIES_PER_TARGET} scaling policies`,
      );
    }

    const policy: ScalingPolicy = existing ?? {
      arn: arn(
        "autoscaling",
        context.region.name,
        `scalingPolicy:${uuid(context.random)}:resource/${identity.serviceNamespace}/${identity.resourceId}:policyName/${name}`,
      ),
      name,
      policyType: "TargetTrackingScaling",
      configuration,
      alarms: targetTrackingAlarms(context, identity.resourceId),
      createdAt: context.now,
      datapoints: [],
    };
    // Datapoints of another metric say nothing about the new one.
    if (policy.configuration.predefinedMetricType !== configuration.predefinedMetricType)
      policy.datapoints = [];
    policy.configuration = configuration;
    target.policies.set(name, policy);
    return { PolicyARN: policy.arn, Alarms: policy.alarms.map((alarm) => ({ ...alarm })) };
  },

  DescribeScalingPolicies(input, context) {
    const args = read(input);
    const namespace = readNamespace(args);
    const { resourceId, scalableDimension } = readFilter(args);
    const names = args.stringList("PolicyNames");
    const maxResults = readMaxResults(args, 10);
    const matching = [...context.region.autoscaling.targets.values()]
      .filter(
        (target) =>
          target.serviceNamespace === namespace &&
          (resourceId === undefined || target.resourceId === resourceId) &&
          (scalableDimension === undefined || target.scalableDimension === scalableDimension),
      )
      .flatMap((target) =>
        [...target.policies.values()]
          .filter((policy) => names.length === 0 || names.includes(policy.name))
          .map((policy) => describePolicy(target, policy)),
      );
    const { page, NextToken } = paginate(matching, args.optionalString("NextToken"), maxResults);
    return { ScalingPolicies: page, NextToken };
  },

  DeleteScalingPolicy(input, context) {
    const args = read(input);
    const name = args.string("PolicyName");
    const identity = readTargetIdentity(args);
    const target = context.region.autoscaling.targets.get(
      targetKey(identity.serviceNamespace, identity.resourceId, identity.scalableDimension),
    );
    if (!target?.policies.delete(name)) throw policyNotFound(identity, name);
    return {};
  },
};
