/**
 * Launching a service's task: pick a subnet (spreading over Availability Zones), get an ENI from EC2
 * with the deployment's security groups, and create the task in PROVISIONING.
 */
import { AwsError } from "../../errors.ts";
import { allocateNetworkInterface, findSubnet } from "../ec2/internal.ts";
import { containerArn, taskArn, uuid } from "./arns.ts";
import type { EcsContext } from "./context.ts";
import type { Cluster, Deployment, Service, Tag, Task, TaskDefinitionRevision } from "./state.ts";

/** Fargate's platform version behind `LATEST`. */
const LATEST_PLATFORM_VERSION = "1.4.0";

/** The platform version a task runs on: `LATEST` resolved. */
export const resolvedPlatformVersion = (version: string) =>
  version === "LATEST" ? LATEST_PLATFORM_VERSION : version;

/** The subnet in the Availability Zone with the fewest of the service's live tasks (ties: the first listed). */
function pickSubnet(context: EcsContext, deployment: Deployment, liveTasks: readonly Task[]) {
  let best: { subnetId: string; availabilityZone: string; load: number } | undefined;
  for (const subnetId of deployment.network.subnets) {
    const subnet = findSubnet(context.region, subnetId);
    if (!subnet) continue;
    const load = liveTasks.filter((task) => task.availabilityZone === subnet.availabilityZone).length;
    if (!best || load < best.load) best = { subnetId, availabilityZone: subnet.availabilityZone, load };
  }
  return best;
}

function macAddress(context: EcsContext): string {
  const hex = context.random.hex(10);
  return `0e:${hex.match(/../g)?.join(":")}`;
}

function taskTags(cluster: Cluster, service: Service, definition: TaskDefinitionRevision): Tag[] {
  const tags: Tag[] = [];
  if (service.enableECSManagedTags) {
    tags.push(
      { key: "aws:ecs:clusterName", value: cluster.name },
      { key: "aws:ecs:serviceName", value: service.name },
    );
  }
  if (service.propagateTags === "SERVICE") tags.push(...service.tags.map((tag) => ({ ...tag })));
  if (service.propagateTags === "TASK_DEFINITION") tags.push(...definition.tags.map((tag) => ({ ...tag })));
  return tags;
}

/** Creates a PROVISIONING task for `deployment`, or returns why it could not be placed. */
export function launchTask(
  context: EcsContext,
  cluster: Cluster,
  service: Service,
  deployment: Deployment,
  definition: TaskDefinitionRevision,
  liveTasks: readonly Task[],
): Task | { error: string } {
  const subnet = pickSubnet(context, deployment, liveTasks);
  if (!subnet) return { error: "No subnet of the service exists any more." };
  const id = context.random.hex(32);
  const arn = taskArn(context.region.name, cluster.name, id);
  const attachmentId = uuid(context.random);
  let eni: ReturnType<typeof allocateNetworkInterface>;
  try {
    eni = allocateNetworkInterface(
      context.region,
      {
        subnetId: subnet.subnetId,
        groupIds: [...deployment.network.securityGroups],
        description: `arn:aws:ecs:${context.region.name}:attachment/${attachmentId}`,
        interfaceType: "interface",
        requesterId: arn,
        now: context.now,
      },
      context.random,
    );
  } catch (error) {
    if (error instanceof AwsError) return { error: `${error.code}: ${error.message}` };
    throw error;
  }
  return {
    id,
    arn,
    clusterName: cluster.name,
    serviceName: service.name,
    serviceIncarnation: service.incarnation,
    deploymentId: deployment.id,
    group: `service:${service.name}`,
    startedBy: deployment.id,
    taskDefinitionArn: definition.arn,
    cpu: definition.cpu,
    memory: definition.memory,
    platformVersion: resolvedPlatformVersion(deployment.platformVersion),
    availabilityZone: eni.availabilityZone,
    lastStatus: "PROVISIONING",
    desiredStatus: "RUNNING",
    statusUntil: context.now + context.timings.ecsTaskProvisioningMs,
    containers: definition.containers.map((container) => ({
      name: container.name,
      arn: containerArn(context.region.name, cluster.name, id, context.random),
      image: container.image,
      runtimeId: `${id}-${context.random.hex(10)}`,
      essential: container.essential,
      lastStatus: "PENDING",
      exitCode: undefined,
      reason: undefined,
      logs: container.logs,
    })),
    eni: {
      attachmentId,
      networkInterfaceId: eni.networkInterfaceId,
      subnetId: eni.subnetId,
      privateIp: eni.privateIpAddress,
      macAddress: macAddress(context),
      releaseAt: undefined,
      released: false,
    },
    targets: [],
    loadBalancers: deployment.loadBalancers.map((binding) => ({ ...binding })),
    becameHealthy: false,
    stopCode: undefined,
    stoppedReason: undefined,
    createdAt: context.now,
    pullStartedAt: undefined,
    pullStoppedAt: undefined,
    startedAt: undefined,
    stoppingAt: undefined,
    executionStoppedAt: undefined,
    stoppedAt: undefined,
    version: 1,
    tags: taskTags(cluster, service, definition),
  };
}
