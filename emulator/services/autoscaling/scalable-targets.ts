/** RegisterScalableTarget, DescribeScalableTargets, DeregisterScalableTarget: the range an ECS service's desired count may move in. */
import { AwsError } from "../../errors.ts";
import { ACCOUNT_ID, arn } from "../../identity.ts";
import type { Input } from "../../protocols/input.ts";
import type { RegionState } from "../../world.ts";
import type { Operation, OperationContext } from "../service-definition.ts";
import { scaleTo } from "./activities.ts";
import { ecs } from "./ecs-bridge.ts";
import {
  constraint,
  paginate,
  type Reader,
  read,
  readMaxResults,
  readNamespace,
  readTargetIdentity,
  type TargetIdentity,
  validation,
} from "./input.ts";
import { type ScalableTarget, type SuspendedState, targetKey } from "./state.ts";
import { mergedTags, readTags } from "./tags.ts";

/** The service-linked role AWS creates and uses for ECS when RegisterScalableTarget names no role. */
export const ECS_SERVICE_LINKED_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`;
const MAX_RESOURCE_IDS = 50;

/** The registered target named by the request's namespace, resource id and dimension, or ObjectNotFoundException. */
export function targetNamed(region: RegionState, identity: TargetIdentity): ScalableTarget {
  const { serviceNamespace, resourceId, scalableDimension } = identity;
  const target = region.autoscaling.targets.get(targetKey(serviceNamespace, resourceId, scalableDimension));
  if (!target) {
    throw new AwsError(
      "ObjectNotFoundException",
      `No scalable target registered for service namespace: ${serviceNamespace}, resource ID: ${resourceId}, scalable dimension: ${scalableDimension}`,
    );
  }
  return target;
}

function readCapacity(args: Reader, name: "MinCapacity" | "MaxCapacity"): number | undefined {
  const capacity = args.optionalInt(name);
  if (capacity !== undefined && capacity < 0) {
    throw constraint(
      name === "MinCapacity" ? "minCapacity" : "maxCapacity",
      capacity,
      "Member must have value greater than or equal to 0",
    );
  }
  return capacity;
}

function readSuspendedState(value: Input | undefined): Partial<SuspendedState> {
  if (value === undefined) return {};
  const args = read(value, "suspendedState.");
  const flags: Partial<SuspendedState> = {};
  for (const name of [
    "DynamicScalingInSuspended",
    "DynamicScalingOutSuspended",
    "ScheduledScalingSuspended",
  ] as const) {
    const flag = args.optionalBool(name);
    if (flag !== undefined) flags[name] = flag;
  }
  return flags;
}

function createTarget(context: OperationContext, identity: TargetIdentity): ScalableTarget {
  return {
    ...identity,
    arn: arn("application-autoscaling", context.region.name, `scalable-target/${context.random.hex(36)}`),
    minCapacity: 0,
    maxCapacity: 0,
    roleArn: ECS_SERVICE_LINKED_ROLE,
    createdAt: context.now,
    suspendedState: {
      DynamicScalingInSuspended: false,
      DynamicScalingOutSuspended: false,
      ScheduledScalingSuspended: false,
    },
    tags: {},
    policies: new Map(),
    lastSampleAt: context.now,
    lastScaleOut: undefined,
    lastScaleIn: undefined,
  };
}

function describeTarget(target: ScalableTarget) {
  return {
    ServiceNamespace: target.serviceNamespace,
    ResourceId: target.resourceId,
    ScalableDimension: target.scalableDimension,
    MinCapacity: target.minCapacity,
    MaxCapacity: target.maxCapacity,
    RoleARN: target.roleArn,
    CreationTime: new Date(target.createdAt),
    SuspendedState: { ...target.suspendedState },
    ScalableTargetARN: target.arn,
  };
}

export const scalableTargetOperations: Record<string, Operation> = {
  /** Creates or updates: fields left out of an update keep their values; the desired count is clamped at once. */
  RegisterScalableTarget(input, context) {
    const args = read(input);
    const identity = readTargetIdentity(args);
    const min = readCapacity(args, "MinCapacity");
    const max = readCapacity(args, "MaxCapacity");
    const roleArn = args.optionalString("RoleARN");
    const suspended = readSuspendedState(args.optionalObject("SuspendedState"));
    const tags = readTags(input.Tags);
    const { serviceNamespace, resourceId, scalableDimension } = identity;
    const key = targetKey(serviceNamespace, resourceId, scalableDimension);
    const existing = context.region.autoscaling.targets.get(key);
    // AWS takes tags only when the target is created; an update must use TagResource.
    if (existing && Object.keys(tags).length > 0) {
      throw validation(
        "The scalable target that you tried to tag already exists. To update tags on an existing scalable target, use the TagResource API.",
      );
    }
    if (!existing && (min === undefined || max === undefined)) {
      throw validation("MinCapacity and MaxCapacity are required to register a new scalable target");
    }
    const minCapacity = min ?? existing?.minCapacity ?? 0;
    const maxCapacity = max ?? existing?.maxCapacity ?? 0;
    if (minCapacity > maxCapacity) {
      throw validation(
        `Minimum capacity ${minCapacity} cannot be greater than maximum capacity ${maxCapacity}`,
      );
    }
    const service = ecs().findServiceByResourceId(context.region, resourceId);
    if (!service) throw validation(`ECS service doesn't exist: ${resourceId}`);
    const allTags = mergedTags(existing, tags);

    const target = existing ?? createTarget(context, identity);
    target.minCapacity = minCapacity;
    target.maxCapacity = maxCapacity;
    if (roleArn !== undefined) target.roleArn = roleArn;
    target.suspendedState = { ...target.suspendedState, ...suspended };
    target.tags = allTags;
    context.region.autoscaling.targets.set(key, target);
    const clamped = Math.min(maxCapacity, Math.max(minCapacity, service.desiredCount));
    if (clamped !== service.desiredCount) {
      const bound = service.desiredCount < minCapacity ? "minimum" : "maximum";
      const cause = `${bound} capacity was set to ${clamped}`;
      scaleTo(context.region, target, clamped, cause, context.now, context.random);
    }
    return { ScalableTargetARN: target.arn };
  },

  DescribeScalableTargets(input, context) {
    const args = read(input);
    const namespace = readNamespace(args);
    const resourceIds = args.stringList("ResourceIds");
    if (resourceIds.length > MAX_RESOURCE_IDS) {
      throw constraint(
        "resourceIds",
        `[${resourceIds.join(", ")}]`,
        `Member must have length less than or equal to ${MAX_RESOURCE_IDS}`,
      );
    }
    const dimension = args.optionalString("ScalableDimension");
    const maxResults = readMaxResults(args, 50);
    const matching = [...context.region.autoscaling.targets.values()].filter(
      (target) =>
        target.serviceNamespace === namespace &&
        (resourceIds.length === 0 || resourceIds.includes(target.resourceId)) &&
        (dimension === undefined || target.scalableDimension === dimension),
    );
    const { page, NextToken } = paginate(matching, args.optionalString("NextToken"), maxResults);
    return { ScalableTargets: page.map(describeTarget), NextToken };
  },

  /** Deleting a target deletes its scaling policies too; its past activities stay describable. */
  DeregisterScalableTarget(input, context) {
    const identity = readTargetIdentity(read(input));
    const target = targetNamed(context.region, identity);
    context.region.autoscaling.targets.delete(
      targetKey(target.serviceNamespace, target.resourceId, target.scalableDimension),
    );
    return {};
  },
};
