/** A service as DescribeServices, CreateService, UpdateService and DeleteService show it. */
import type { Deployment as DeploymentShape, Service as ServiceShape } from "@aws-sdk/client-ecs";
import { ACCOUNT_ID } from "../../identity.ts";
import { CALLER_ARN } from "./arns.ts";
import { tasksOfService } from "./scheduler.ts";
import type { Cluster, DeploymentSettings, NetworkSettings, Service, Task } from "./state.ts";
import { copyTags } from "./tags.ts";
import { resolvedPlatformVersion } from "./task-launch.ts";

const SERVICE_LINKED_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`;
const PENDING_STATUSES = new Set(["PROVISIONING", "PENDING", "ACTIVATING"]);

const runningCount = (tasks: Task[]) =>
  tasks.filter((task) => task.desiredStatus === "RUNNING" && task.lastStatus === "RUNNING").length;
const pendingCount = (tasks: Task[]) =>
  tasks.filter((task) => task.desiredStatus === "RUNNING" && PENDING_STATUSES.has(task.lastStatus)).length;

function networkConfiguration(network: NetworkSettings) {
  if (network.subnets.length === 0) return {};
  return {
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: [...network.subnets],
        securityGroups: [...network.securityGroups],
        assignPublicIp: network.assignPublicIp,
      },
    },
  };
}

function deploymentConfiguration(settings: DeploymentSettings) {
  const breaker = settings.circuitBreaker;
  return {
    deploymentCircuitBreaker: {
      enable: breaker.enable,
      rollback: breaker.rollback,
      ...(breaker.resetOnHealthyTask === undefined ? {} : { resetOnHealthyTask: breaker.resetOnHealthyTask }),
      ...(breaker.threshold === undefined ? {} : { thresholdConfiguration: { ...breaker.threshold } }),
    },
    maximumPercent: settings.maximumPercent,
    minimumHealthyPercent: settings.minimumHealthyPercent,
  };
}

/** The service's API shape; tags only when asked for (`include: ["TAGS"]`, or the create response). */
export function describeService(cluster: Cluster, service: Service, withTags: boolean): ServiceShape {
  const tasks = tasksOfService(cluster, service);
  const deployments = service.deployments.map((deployment): DeploymentShape => {
    const own = tasks.filter((task) => task.deploymentId === deployment.id);
    return {
      id: deployment.id,
      status: deployment.status,
      taskDefinition: deployment.taskDefinitionArn,
      desiredCount: deployment.desiredCount,
      pendingCount: pendingCount(own),
      runningCount: runningCount(own),
      failedTasks: deployment.failedTasks,
      createdAt: new Date(deployment.createdAt),
      updatedAt: new Date(deployment.updatedAt),
      launchType: service.launchType,
      ...(service.launchType === "FARGATE"
        ? { platformVersion: resolvedPlatformVersion(deployment.platformVersion), platformFamily: "Linux" }
        : {}),
      ...networkConfiguration(deployment.network),
      rolloutState: deployment.rolloutState,
      rolloutStateReason: deployment.rolloutStateReason,
    };
  });
  return {
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: cluster.arn,
    loadBalancers: service.loadBalancers.map((binding) => ({ ...binding })),
    serviceRegistries: [],
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: runningCount(tasks),
    pendingCount: pendingCount(tasks),
    launchType: service.launchType,
    ...(service.launchType === "FARGATE"
      ? { platformVersion: service.platformVersion, platformFamily: "Linux" }
      : {}),
    taskDefinition: service.taskDefinitionArn,
    deploymentConfiguration: deploymentConfiguration(service.deploymentSettings),
    deployments,
    ...(service.loadBalancers.length > 0 ? { roleArn: SERVICE_LINKED_ROLE } : {}),
    events: service.events.map((event) => ({
      id: event.id,
      createdAt: new Date(event.createdAt),
      message: event.message,
    })),
    createdAt: new Date(service.createdAt),
    placementConstraints: [],
    placementStrategy: [],
    ...networkConfiguration(service.network),
    healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
    schedulingStrategy: "REPLICA",
    deploymentController: { type: "ECS" },
    createdBy: CALLER_ARN,
    enableECSManagedTags: service.enableECSManagedTags,
    propagateTags: service.propagateTags,
    enableExecuteCommand: service.enableExecuteCommand,
    ...(withTags ? { tags: copyTags(service.tags) } : {}),
  };
}
