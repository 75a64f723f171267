/** Application Auto Scaling (awsJson1_1, AnyScaleFrontendService): scalable targets, scaling policies, activities. */
import type { JsonServiceDefinition, Operation } from "../service-definition.ts";

const operations: Record<string, Operation> = {};

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
