/**
 * Services: CreateService (idempotent only with the same clientToken), UpdateService (a new
 * deployment when what the tasks run changes), DeleteService (DRAINING, then INACTIVE),
 * DescribeServices (missing ones in `failures`, at most 10) and ListServices (ACTIVE ones).
 */
import type { Input } from "../../protocols/input.ts";
import { removeScalingFor } from "../autoscaling/internal.ts";
import type { Operation, OperationContext } from "../service-definition.ts";
import { serviceArn, serviceRefOf, uuid } from "./arns.ts";
import { clusterFor } from "./clusters.ts";
import { ecsContext } from "./context.ts";
import { startDeployment } from "./deployments.ts";
import {
  clientException,
  invalidParameter,
  maxResults,
  read,
  serviceNotActive,
  serviceNotFound,
} from "./errors.ts";
import { paginate } from "./pagination.ts";
import { readDeploymentSettings, readLoadBalancers, readNetwork } from "./service-config.ts";
import { describeService } from "./service-shape.ts";
import type {
  Cluster,
  LoadBalancerBinding,
  NetworkSettings,
  Service,
  TaskDefinitionRevision,
} from "./state.ts";
import { readTags } from "./tags.ts";
import { findTaskDefinition } from "./task-definitions.ts";
import { stopTask } from "./task-lifecycle.ts";
import { isUnsettled, unsettle } from "./unsettled-services.ts";

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,255}$/;
const MAX_DESCRIBED = 10;
const PROPAGATE_TAGS = new Set(["NONE", "SERVICE", "TASK_DEFINITION"]);
const NO_NETWORK: NetworkSettings = { subnets: [], securityGroups: [], assignPublicIp: "DISABLED" };

/** The service a request names (by name or ARN) in `cluster`, whatever its status. */
function serviceFor(cluster: Cluster, reference: string): Service {
  const service = cluster.services.get(serviceRefOf(reference).name);
  if (!service) throw serviceNotFound();
  return service;
}

function activeServiceFor(cluster: Cluster, reference: string): Service {
  const service = serviceFor(cluster, reference);
  if (service.status !== "ACTIVE") throw serviceNotActive();
  return service;
}

/** An ACTIVE task definition that can run with `launchType`. */
function runnableDefinition(
  context: OperationContext,
  reference: string,
  launchType: string,
): TaskDefinitionRevision {
  const definition = findTaskDefinition(context.region.ecs, reference);
  if (!definition) throw clientException("TaskDefinition not found.");
  if (definition.status !== "ACTIVE") throw clientException("TaskDefinition is inactive");
  if (launchType === "FARGATE" && !definition.fargateCompatible)
    throw clientException("Task definition does not support launch_type FARGATE.");
  return definition;
}

function networkFor(
  context: OperationContext,
  definition: TaskDefinitionRevision,
  configuration: Input | undefined,
) {
  if (definition.networkMode === "awsvpc") return readNetwork(context.region, configuration);
  if (configuration)
    throw invalidParameter(
      "Network Configuration is not valid for the given networkMode of this task definition.",
    );
  return NO_NETWORK;
}

function readCount(args: ReturnType<typeof read>, name: string, required: boolean): number | undefined {
  const value = required ? args.int(name) : args.optionalInt(name);
  if (value !== undefined && value < 0) throw invalidParameter(`${name} must be at least 0.`);
  return value;
}

function readGracePeriod(args: ReturnType<typeof read>): number | undefined {
  const value = args.optionalInt("healthCheckGracePeriodSeconds");
  if (value !== undefined && (value < 0 || value > 2_147_483_647))
    throw invalidParameter("healthCheckGracePeriodSeconds must be between 0 and 2147483647.");
  return value;
}

function readPropagateTags(args: ReturnType<typeof read>): Service["propagateTags"] | undefined {
  const value = args.optionalString("propagateTags");
  if (value !== undefined && !PROPAGATE_TAGS.has(value))
    throw invalidParameter(`Invalid propagateTags: ${value}`);
  return value as Service["propagateTags"] | undefined;
}

function checkUnsupported(args: ReturnType<typeof read>, input: Input): void {
  const strategy = args.optionalString("schedulingStrategy") ?? "REPLICA";
  if (strategy !== "REPLICA") throw invalidParameter("Only the REPLICA scheduling strategy is supported.");
  const controller = args.optionalObject("deploymentController");
  if (controller && read(controller).optionalString("type") !== "ECS")
    throw invalidParameter("Only the ECS (rolling update) deployment controller is supported.");
  if (read(input).list("capacityProviderStrategy").length > 0)
    throw invalidParameter(
      "capacityProviderStrategy is not supported by the emulator: use launchType FARGATE.",
    );
}

function createService(
  input: Input,
  context: OperationContext,
): { service: Service; cluster: Cluster; created: boolean } {
  const args = read(input);
  const cluster = clusterFor(context.region.ecs, args.optionalString("cluster"));
  const name = args.string("serviceName");
  if (!NAME_PATTERN.test(name))
    throw invalidParameter(
      "Service names can only contain letters, numbers, underscores and hyphens, up to 255 characters.",
    );
  const clientToken = args.optionalString("clientToken");
  if (clientToken !== undefined && clientToken.length > 36)
    throw invalidParameter("clientToken is too long.");
  const existing = cluster.services.get(name);
  if (existing && existing.status !== "INACTIVE") {
    // A retried request (same token) gets the service it created; anything else is a conflict.
    if (clientToken !== undefined && existing.clientToken === clientToken)
      return { service: existing, cluster, created: false };
    throw invalidParameter("Creation of service was not idempotent.");
  }
  checkUnsupported(args, input);
  const launchType = args.optionalString("launchType") ?? "EC2";
  if (launchType !== "FARGATE" && launchType !== "EC2")
    throw invalidParameter(`launchType ${launchType} is not supported by the emulator.`);
  const definition = runnableDefinition(context, args.string("taskDefinition"), launchType);
  const desiredCount = readCount(args, "desiredCount", true) as number;
  const network = networkFor(context, definition, args.optionalObject("networkConfiguration"));
  const loadBalancers = readLoadBalancers(context.region, input, definition);
  const deploymentSettings = readDeploymentSettings(args.optionalObject("deploymentConfiguration"));
  const healthCheckGracePeriodSeconds = readGracePeriod(args) ?? 0;
  const propagateTags = readPropagateTags(args) ?? "NONE";
  const enableECSManagedTags = args.optionalBool("enableECSManagedTags") ?? false;
  const enableExecuteCommand = args.optionalBool("enableExecuteCommand") ?? false;
  const platformVersion = args.optionalString("platformVersion") ?? "LATEST";
  const tags = readTags(input);

  const service: Service = {
    incarnation: uuid(context.random),
    arn: serviceArn(context.region.name, cluster.name, name),
    name,
    clusterName: cluster.name,
    status: "ACTIVE",
    desiredCount,
    launchType,
    platformVersion,
    taskDefinitionArn: definition.arn,
    deploymentSettings,
    network,
    loadBalancers,
    healthCheckGracePeriodSeconds,
    propagateTags,
    enableECSManagedTags,
    enableExecuteCommand,
    tags,
    clientToken,
    createdAt: context.now,
    deployments: [],
    events: [],
    lastCompleted: undefined,
    steady: false,
    launchRetryAt: 0,
  };
  startDeployment(
    service,
    { taskDefinitionArn: definition.arn, network, loadBalancers, platformVersion },
    context.now,
    context.random,
  );
  cluster.services.set(name, service);
  unsettle(context.region.ecs, service);
  return { service, cluster, created: true };
}

const sameBindings = (a: readonly LoadBalancerBinding[], b: readonly LoadBalancerBinding[]) =>
  JSON.stringify(a) === JSON.stringify(b);

function updateService(input: Input, context: OperationContext): { service: Service; cluster: Cluster } {
  const args = read(input);
  const cluster = clusterFor(context.region.ecs, args.optionalString("cluster"));
  const service = activeServiceFor(cluster, args.string("service"));
  const desiredCount = readCount(args, "desiredCount", false);
  const reference = args.optionalString("taskDefinition");
  const definition = reference
    ? runnableDefinition(context, reference, service.launchType)
    : (findTaskDefinition(context.region.ecs, service.taskDefinitionArn) as TaskDefinitionRevision);
  const networkInput = args.optionalObject("networkConfiguration");
  const network = networkInput ? networkFor(context, definition, networkInput) : service.network;
  // New bindings when given; otherwise the current ones must still fit a new task definition.
  const loadBalancers =
    args.has("loadBalancers") || definition.arn !== service.taskDefinitionArn
      ? readLoadBalancers(
          context.region,
          args.has("loadBalancers") ? input : { loadBalancers: service.loadBalancers },
          definition,
        )
      : service.loadBalancers;
  const deploymentSettings = readDeploymentSettings(
    args.optionalObject("deploymentConfiguration"),
    service.deploymentSettings,
  );
  const gracePeriod = readGracePeriod(args);
  const propagateTags = readPropagateTags(args);
  const enableECSManagedTags = args.optionalBool("enableECSManagedTags");
  const enableExecuteCommand = args.optionalBool("enableExecuteCommand");
  const platformVersion = args.optionalString("platformVersion") ?? service.platformVersion;
  const force = args.optionalBool("forceNewDeployment") ?? false;

  const redeploy =
    force ||
    definition.arn !== service.taskDefinitionArn ||
    JSON.stringify(network) !== JSON.stringify(service.network) ||
    !sameBindings(loadBalancers, service.loadBalancers) ||
    platformVersion !== service.platformVersion;
  service.deploymentSettings = deploymentSettings;
  if (gracePeriod !== undefined) service.healthCheckGracePeriodSeconds = gracePeriod;
  if (propagateTags !== undefined) service.propagateTags = propagateTags;
  if (enableECSManagedTags !== undefined) service.enableECSManagedTags = enableECSManagedTags;
  if (enableExecuteCommand !== undefined) service.enableExecuteCommand = enableExecuteCommand;
  if (desiredCount !== undefined && desiredCount !== service.desiredCount) {
    service.desiredCount = desiredCount;
    service.steady = false;
  }
  if (redeploy) {
    startDeployment(
      service,
      { taskDefinitionArn: definition.arn, network, loadBalancers, platformVersion },
      context.now,
      context.random,
    );
  }
  if (isUnsettled(service)) unsettle(context.region.ecs, service);
  return { service, cluster };
}

export const serviceOperations: Record<string, Operation> = {
  CreateService(input, context) {
    const { service, cluster } = createService(input, context);
    return { service: describeService(cluster, service, true) };
  },

  UpdateService(input, context) {
    const { service, cluster } = updateService(input, context);
    return { service: describeService(cluster, service, false) };
  },

  DeleteService(input, context) {
    const args = read(input);
    const cluster = clusterFor(context.region.ecs, args.optionalString("cluster"));
    const service = activeServiceFor(cluster, args.string("service"));
    const force = args.optionalBool("force") ?? false;
    if (service.desiredCount > 0 && !force)
      throw invalidParameter("The service cannot be stopped while it is scaled above 0.");
    removeScalingFor(context.region, `service/${cluster.name}/${service.name}`);
    service.status = "DRAINING";
    service.desiredCount = 0;
    service.steady = false;
    unsettle(context.region.ecs, service);
    const tick = ecsContext(context.world, context.region, context.now);
    const [primary] = service.deployments;
    if (primary) primary.desiredCount = 0;
    for (const task of cluster.tasks.ofService(service.name, service.incarnation)) {
      stopTask(tick, cluster, task, {
        code: "ServiceSchedulerInitiated",
        reason: `Scaling activity initiated by (deployment ${primary?.id ?? "unknown"})`,
        failure: false,
      });
    }
    return { service: describeService(cluster, service, false) };
  },

  DescribeServices(input, context) {
    const args = read(input);
    const cluster = clusterFor(context.region.ecs, args.optionalString("cluster"));
    const references = args.stringList("services");
    if (references.length === 0) throw invalidParameter("services can not be empty.");
    if (references.length > MAX_DESCRIBED)
      throw invalidParameter(`services can have at most ${MAX_DESCRIBED} items.`);
    const withTags = args.stringList("include").includes("TAGS");
    const services = [];
    const failures = [];
    for (const reference of references) {
      const name = serviceRefOf(reference).name;
      const service = cluster.services.get(name);
      if (service) services.push(describeService(cluster, service, withTags));
      else failures.push({ arn: serviceArn(context.region.name, cluster.name, name), reason: "MISSING" });
    }
    return { services, failures };
  },

  ListServices(input, context) {
    const args = read(input);
    const cluster = clusterFor(context.region.ecs, args.optionalString("cluster"));
    const launchType = args.optionalString("launchType");
    const strategy = args.optionalString("schedulingStrategy");
    const limit = maxResults(input, 10);
    const arns = [...cluster.services.values()]
      .filter(
        (service) =>
          service.status === "ACTIVE" &&
          (launchType === undefined || service.launchType === launchType) &&
          (strategy === undefined || strategy === "REPLICA"),
      )
      .map((service) => service.arn);
    const { page, nextToken } = paginate(arns, args.optionalString("nextToken"), limit);
    return { serviceArns: page, nextToken };
  },
};
