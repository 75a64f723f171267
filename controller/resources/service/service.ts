/**
 * The ECS service. Created only after the listener exists (ECS refuses a target group no listener
 * uses). With autoscaling, desiredCount belongs to Application Auto Scaling: it is set at creation
 * and afterwards only brought back into [min, max] if something pushed it out.
 */
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  type Service,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { ecsServiceName, type ServiceSpec } from "../../../specs/index.ts";
import type { AwsClients } from "../../aws/clients.ts";
import { addEcsTags, ecsTagList } from "../../aws/ecs-tags.ts";
import { ignoreNotFound, isNotFound } from "../../aws/errors.ts";
import { diffFields } from "../../engine/field-diff.ts";
import type { ResolvedNetwork } from "../../engine/network.ts";
import { absent, present, type ResourceDiff } from "../../engine/resource-diff.ts";
import type { ObservationReads } from "../../inventory/observation-reads.ts";
import { missingTags, type Ownership, ownershipOf, resourceTags } from "../../ownership.ts";

export interface ServiceSettings {
  taskDefinition: string;
  launchType: "FARGATE";
  networkConfiguration: {
    subnets: string[];
    securityGroups: string[];
    assignPublicIp: "ENABLED" | "DISABLED";
  };
  loadBalancers: { targetGroupArn: string; containerName: string; containerPort: number }[];
  healthCheckGracePeriodSeconds: number;
  deploymentConfiguration: {
    minimumHealthyPercent: number;
    maximumPercent: number;
    deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  };
  propagateTags: "SERVICE";
}

export interface DesiredService {
  name: string;
  cluster: string;
  settings: ServiceSettings;
  desiredCount: number;
  /** With autoscaling, the bounds desiredCount may move within without being drift. */
  desiredCountRange: { min: number; max: number } | undefined;
  tags: Record<string, string>;
}

export interface ObservedService {
  arn: string;
  name: string;
  cluster: string;
  status: string;
  settings: ServiceSettings;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  deployments: Service["deployments"];
  events: Service["events"];
  tags: Record<string, string>;
  ownership: Ownership;
}

export interface ServiceRefs {
  taskDefinitionArn: string;
  /**
   * The target groups the tasks register in, on the container port: the spec's, and while the
   * listener still forwards to a group being replaced, that one first (see target-group/transition.ts).
   */
  targetGroupArns: readonly string[];
  taskSecurityGroupId: string;
  /** Set while a revision is held back: the service keeps the bindings its running revision has. */
  keepLoadBalancers?: ServiceSettings["loadBalancers"];
}

export function desiredService(
  document: ServiceSpec,
  network: ResolvedNetwork,
  refs: ServiceRefs,
): DesiredService {
  const { spec } = document;
  const scaling = spec.autoscaling;
  return {
    name: ecsServiceName(document.metadata.name),
    cluster: spec.cluster,
    settings: {
      taskDefinition: refs.taskDefinitionArn,
      launchType: "FARGATE",
      networkConfiguration: {
        subnets: [...network.taskSubnets].sort(),
        securityGroups: [refs.taskSecurityGroupId],
        assignPublicIp: spec.network.assignPublicIp ? "ENABLED" : "DISABLED",
      },
      loadBalancers:
        refs.keepLoadBalancers?.map((binding) => ({ ...binding })) ??
        refs.targetGroupArns.map((targetGroupArn) => ({
          targetGroupArn,
          containerName: spec.task.container.name,
          containerPort: spec.task.container.port,
        })),
      healthCheckGracePeriodSeconds: spec.service.healthCheckGracePeriodSeconds,
      deploymentConfiguration: {
        minimumHealthyPercent: spec.service.deployment.minimumHealthyPercent,
        maximumPercent: spec.service.deployment.maximumPercent,
        deploymentCircuitBreaker: { ...spec.service.deployment.circuitBreaker },
      },
      propagateTags: "SERVICE",
    },
    desiredCount: spec.service.desiredCount,
    desiredCountRange: scaling ? { min: scaling.minTasks, max: scaling.maxTasks } : undefined,
    tags: resourceTags(document, "service"),
  };
}

function toObserved(service: Service, cluster: string, owner: string): ObservedService {
  const vpc = service.networkConfiguration?.awsvpcConfiguration;
  const deployment = service.deploymentConfiguration;
  const tags = Object.fromEntries((service.tags ?? []).map((tag) => [tag.key ?? "", tag.value ?? ""]));
  return {
    arn: service.serviceArn ?? "",
    name: service.serviceName ?? "",
    cluster,
    status: service.status ?? "",
    settings: {
      taskDefinition: service.taskDefinition ?? "",
      launchType: service.launchType as "FARGATE",
      networkConfiguration: {
        subnets: [...(vpc?.subnets ?? [])].sort(),
        securityGroups: [...(vpc?.securityGroups ?? [])].sort(),
        assignPublicIp: vpc?.assignPublicIp ?? "DISABLED",
      },
      loadBalancers: (service.loadBalancers ?? []).map((balancer) => ({
        targetGroupArn: balancer.targetGroupArn ?? "",
        containerName: balancer.containerName ?? "",
        containerPort: balancer.containerPort ?? 0,
      })),
      healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds ?? 0,
      deploymentConfiguration: {
        minimumHealthyPercent: deployment?.minimumHealthyPercent ?? 100,
        maximumPercent: deployment?.maximumPercent ?? 200,
        deploymentCircuitBreaker: {
          enable: deployment?.deploymentCircuitBreaker?.enable ?? false,
          rollback: deployment?.deploymentCircuitBreaker?.rollback ?? false,
        },
      },
      propagateTags: (service.propagateTags ?? "NONE") as "SERVICE",
    },
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    pendingCount: service.pendingCount ?? 0,
    deployments: service.deployments,
    events: service.events,
    tags,
    ownership: ownershipOf(tags, owner),
  };
}

/** Services per DescribeServices call (the API's limit). */
export const SERVICES_PER_CALL = 10;

/**
 * ECS returns a service's last 100 events; a pass keeps the newest few: what `status` shows, and the
 * newest one's id, which says whether ECS did anything since (a long-lived fleet's full event lists
 * would be most of what the daemon holds).
 */
export const EVENTS_KEPT = 10;

/**
 * The services among `names` (at most SERVICES_PER_CALL) in `cluster`, with their tags, unless
 * INACTIVE; none when the cluster is gone.
 */
export async function describeServicesIn(
  clients: AwsClients,
  cluster: string,
  names: readonly string[],
): Promise<Service[]> {
  try {
    const { services = [] } = await clients.ecs.send(
      new DescribeServicesCommand({ cluster, services: [...names], include: ["TAGS"] }),
    );
    return services
      .filter((service) => names.includes(service.serviceName ?? "") && service.status !== "INACTIVE")
      .map((service) => ({ ...service, events: service.events?.slice(0, EVENTS_KEPT) }));
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/** The service in its cluster, with its tags, unless missing, INACTIVE or the cluster is gone. */
export async function describeServiceNamed(
  clients: AwsClients,
  cluster: string,
  name: string,
): Promise<Service | undefined> {
  return (await describeServicesIn(clients, cluster, [name]))[0];
}

/** The id of the newest event ECS wrote for the service: a new one means ECS did something. */
export const newestEventOf = (service: ObservedService | undefined): string | undefined =>
  service?.events?.[0]?.id;

/** The service in its cluster, unless missing, INACTIVE or the cluster is gone. */
export async function observeService(
  reads: ObservationReads,
  owner: string,
  cluster: string,
  name: string,
): Promise<ObservedService | undefined> {
  const service = await reads.service(cluster, name);
  return service ? toObserved(service, cluster, owner) : undefined;
}

/** One deployment, COMPLETED, every task running: nothing in flight could roll back. */
export function isServiceStable(service: ObservedService | undefined): boolean {
  if (!service) return false;
  const deployments = service.deployments ?? [];
  const [only] = deployments;
  return (
    deployments.length === 1 &&
    (only?.rolloutState === undefined || only.rolloutState === "COMPLETED") &&
    service.runningCount === service.desiredCount
  );
}

/** Where autoscaling owns the count, only a count outside its bounds is a difference. */
export function expectedDesiredCount(desired: DesiredService, observedCount: number): number {
  const range = desired.desiredCountRange;
  if (!range) return desired.desiredCount;
  return Math.min(Math.max(observedCount, range.min), range.max);
}

export function diffService(desired: DesiredService, observed: ObservedService | undefined): ResourceDiff {
  const tags = (source: Record<string, string>) =>
    Object.fromEntries(Object.keys(desired.tags).map((key) => [key, source[key]]));
  if (!observed)
    return absent(
      diffFields({ ...desired.settings, desiredCount: desired.desiredCount, tags: desired.tags }, {}),
    );
  const fields = diffFields(
    {
      ...desired.settings,
      desiredCount: expectedDesiredCount(desired, observed.desiredCount),
      tags: tags(desired.tags),
    },
    { ...observed.settings, desiredCount: observed.desiredCount, tags: tags(observed.tags) },
  );
  return present(fields);
}

const apiNetwork = (settings: ServiceSettings) => ({ awsvpcConfiguration: settings.networkConfiguration });

/** Creates the service (clientToken makes a retried create safe); returns its ARN. */
export async function createService(
  clients: AwsClients,
  desired: DesiredService,
  clientToken: string,
): Promise<string> {
  const { settings } = desired;
  const { service } = await clients.ecs.send(
    new CreateServiceCommand({
      cluster: desired.cluster,
      serviceName: desired.name,
      taskDefinition: settings.taskDefinition,
      launchType: settings.launchType,
      desiredCount: desired.desiredCount,
      networkConfiguration: apiNetwork(settings),
      loadBalancers: settings.loadBalancers,
      healthCheckGracePeriodSeconds: settings.healthCheckGracePeriodSeconds,
      deploymentConfiguration: settings.deploymentConfiguration,
      propagateTags: settings.propagateTags,
      enableECSManagedTags: true,
      clientToken,
      tags: ecsTagList(desired.tags),
    }),
  );
  return service?.serviceArn ?? "";
}

export async function updateService(
  clients: AwsClients,
  desired: DesiredService,
  observed: ObservedService,
  options: { forceNewDeployment?: boolean } = {},
): Promise<void> {
  const { settings } = desired;
  // Tags first: adopting claims the resource before changing it, so a policy scoped to our tag allows the change.
  await addEcsTags(clients, observed.arn, missingTags(desired.tags, observed.tags));
  const count = expectedDesiredCount(desired, observed.desiredCount);
  await clients.ecs.send(
    new UpdateServiceCommand({
      cluster: desired.cluster,
      service: desired.name,
      taskDefinition: settings.taskDefinition,
      // Autoscaling may have moved the count since it was read: send it only to correct it.
      ...(count === observed.desiredCount ? {} : { desiredCount: count }),
      networkConfiguration: apiNetwork(settings),
      loadBalancers: settings.loadBalancers,
      healthCheckGracePeriodSeconds: settings.healthCheckGracePeriodSeconds,
      deploymentConfiguration: settings.deploymentConfiguration,
      propagateTags: settings.propagateTags,
      ...(options.forceNewDeployment ? { forceNewDeployment: true } : {}),
    }),
  );
}

/** Scales to zero and deletes; the service then drains (DRAINING → INACTIVE) on its own. */
export async function deleteService(clients: AwsClients, cluster: string, name: string): Promise<void> {
  await ignoreNotFound(async () => {
    await clients.ecs.send(new UpdateServiceCommand({ cluster, service: name, desiredCount: 0 }));
    await clients.ecs.send(new DeleteServiceCommand({ cluster, service: name }));
  });
}
