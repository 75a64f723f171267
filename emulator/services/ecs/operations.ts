/** ECS (awsJson1_1, AmazonEC2ContainerServiceV20141113): clusters, task definitions, services, tasks, tags. */
import type { JsonServiceDefinition, Operation } from "../service-definition.ts";

const operations: Record<string, Operation> = {};

export const ecsService: JsonServiceDefinition = {
  id: "ecs",
  iamPrefix: "ecs",
  protocol: "json",
  targetPrefix: "AmazonEC2ContainerServiceV20141113",
  messageKey: "message",
  throttlingCode: "ThrottlingException",
  throttlingStatus: 400,
  operations,
};
