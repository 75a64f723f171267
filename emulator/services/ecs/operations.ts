/** ECS (awsJson1_1, AmazonEC2ContainerServiceV20141113): clusters, task definitions, services, tasks, tags. */
import type { JsonServiceDefinition } from "../service-definition.ts";
import { clusterOperations } from "./clusters.ts";
import { tagOperations } from "./resource-tags.ts";
import { serviceOperations } from "./services.ts";
import { taskDefinitionOperations } from "./task-definitions.ts";
import { taskOperations } from "./tasks.ts";

export const ecsService: JsonServiceDefinition = {
  id: "ecs",
  iamPrefix: "ecs",
  protocol: "json",
  targetPrefix: "AmazonEC2ContainerServiceV20141113",
  messageKey: "message",
  throttlingCode: "ThrottlingException",
  throttlingStatus: 400,
  operations: {
    ...clusterOperations,
    ...taskDefinitionOperations,
    ...serviceOperations,
    ...taskOperations,
    ...tagOperations,
  },
};
