/** Application Auto Scaling (awsJson1_1, AnyScaleFrontendService): scalable targets, scaling policies, activities. */
import type { JsonServiceDefinition, Operation } from "../service-definition.ts";
import { activityOperations } from "./activities.ts";
import { scalableTargetOperations } from "./scalable-targets.ts";
import { scalingPolicyOperations } from "./scaling-policies.ts";
import { tagOperations } from "./tags.ts";

const operations: Record<string, Operation> = {
  ...scalableTargetOperations,
  ...scalingPolicyOperations,
  ...activityOperations,
  ...tagOperations,
};

export const autoscalingService: JsonServiceDefinition = {
  id: "autoscaling",
  iamPrefix: "application-autoscaling",
  protocol: "json",
  targetPrefix: "AnyScaleFrontendService",
  messageKey: "Message",
  throttlingCode: "ThrottlingException",
  throttlingStatus: 400,
  operations,
};
