/**
 * The IP target group on the container port. Its name carries a hash of the fields ELBv2 cannot
 * change (port, VPC, protocol, target type), so changing one of them plans a new group beside the
 * old one: the listener and the service move to it, then the old one is deleted. Never a
 * DuplicateTargetGroupName, never a ResourceInUse.
 */
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { type ServiceSpec, TARGET_GROUP_HASH_LENGTH, targetGroupName } from "../../../specs/index.ts";
import type { AwsClients } from "../../aws/clients.ts";
import { addElbTags, type ElbTagReader } from "../../aws/elb-tags.ts";
import { ignoreNotFound, isNotFound } from "../../aws/errors.ts";
import { diffFields } from "../../engine/field-diff.ts";
import type { ResolvedNetwork } from "../../engine/network.ts";
import type { FieldDiff } from "../../engine/plan.ts";
import { absent, present, type ResourceDiff } from "../../engine/resource-diff.ts";
import type { ObservationReads } from "../../inventory/observation-reads.ts";
import type { SlowReadPace } from "../../inventory/slow-read-pace.ts";
import { SlowReads } from "../../inventory/slow-reads.ts";
import { missingTags, type Ownership, ownershipOf, resourceTags } from "../../ownership.ts";

export const DEREGISTRATION_DELAY = "deregistration_delay.timeout_seconds";

export interface TargetGroupHealthCheck {
  protocol: "HTTP";
  path: string;
  port: "traffic-port";
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  matcher: string;
}

export interface DesiredTargetGroup {
  name: string;
  protocol: "HTTP";
  port: number;
  vpcId: string;
  targetType: "ip";
  healthCheck: TargetGroupHealthCheck;
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

export interface ObservedTargetGroup
  extends Omit<DesiredTargetGroup, "protocol" | "targetType" | "healthCheck"> {
  arn: string;
  protocol: string;
  targetType: string;
  healthCheck: Record<string, unknown>;
  loadBalancerArns: string[];
  ownership: Ownership;
}

export function desiredTargetGroup(document: ServiceSpec, network: ResolvedNetwork): DesiredTargetGroup {
  const port = document.spec.task.container.port;
  const check = document.spec.loadBalancer.healthCheck;
  return {
    name: targetGroupName(document.metadata.name, {
      port,
      vpcId: network.vpcId,
      protocol: "HTTP",
      targetType: "ip",
    }),
    protocol: "HTTP",
    port,
    vpcId: network.vpcId,
    targetType: "ip",
    healthCheck: {
      protocol: "HTTP",
      path: check.path,
      port: "traffic-port",
      intervalSeconds: check.intervalSeconds,
      timeoutSeconds: check.timeoutSeconds,
      healthyThresholdCount: check.healthyThreshold,
      unhealthyThresholdCount: check.unhealthyThreshold,
      matcher: check.matcher,
    },
    attributes: { [DEREGISTRATION_DELAY]: String(document.spec.loadBalancer.deregistrationDelaySeconds) },
    tags: resourceTags(document, "target-group"),
  };
}

/** Target groups named like this service's (`{service}-{hash}`): the current one and any it replaced. */
export function isServiceTargetGroupName(service: string, name: string): boolean {
  return (
    name.startsWith(`${service}-`) &&
    new RegExp(`^[0-9a-f]{${TARGET_GROUP_HASH_LENGTH}}$`).test(name.slice(service.length + 1))
  );
}

async function toObserved(
  clients: AwsClients,
  group: TargetGroup,
  tags: Record<string, string>,
  service: string,
  slow: SlowReads,
  pace: SlowReadPace | undefined,
): Promise<ObservedTargetGroup> {
  const arn = group.TargetGroupArn ?? "";
  // Slow tier: the deregistration delay and its kin drift rarely; health-check settings come with
  // DescribeTargetGroups itself, every pass.
  const { Attributes = [] } = await slow.read(
    `target-group-attributes:${arn}`,
    () => clients.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn })),
    pace && (() => pace.mayRefresh("elbv2", "DescribeTargetGroupAttributes")),
  );
  return {
    arn,
    name: group.TargetGroupName ?? "",
    protocol: group.Protocol ?? "",
    port: group.Port ?? 0,
    vpcId: group.VpcId ?? "",
    targetType: group.TargetType ?? "",
    healthCheck: {
      protocol: group.HealthCheckProtocol,
      path: group.HealthCheckPath,
      port: group.HealthCheckPort,
      intervalSeconds: group.HealthCheckIntervalSeconds,
      timeoutSeconds: group.HealthCheckTimeoutSeconds,
      healthyThresholdCount: group.HealthyThresholdCount,
      unhealthyThresholdCount: group.UnhealthyThresholdCount,
      matcher: group.Matcher?.HttpCode,
    },
    attributes: Object.fromEntries(
      Attributes.map((attribute) => [attribute.Key ?? "", attribute.Value ?? ""]),
    ),
    tags,
    loadBalancerArns: group.LoadBalancerArns ?? [],
    ownership: ownershipOf(tags, service),
  };
}

/** Every target group of the account and region (400 a page: one page in the usual case). */
export async function describeTargetGroups(clients: AwsClients): Promise<TargetGroup[]> {
  const groups: TargetGroup[] = [];
  let Marker: string | undefined;
  do {
    const page = await clients.elbv2.send(new DescribeTargetGroupsCommand({ PageSize: 400, Marker }));
    groups.push(...(page.TargetGroups ?? []));
    Marker = page.NextMarker;
  } while (Marker);
  return groups;
}

/** Every target group with this service's name pattern, with tags and attributes (one page in the usual case). */
export async function observeTargetGroups(
  clients: AwsClients,
  reads: ObservationReads,
  tags: ElbTagReader,
  service: string,
  slow: SlowReads = new SlowReads(),
): Promise<ObservedTargetGroup[]> {
  const candidates = (await reads.targetGroups()).filter((group) =>
    isServiceTargetGroupName(service, group.TargetGroupName ?? ""),
  );
  return Promise.all(
    candidates.map(async (group) =>
      toObserved(
        clients,
        group,
        await tags.tagsOf(group.TargetGroupArn ?? ""),
        service,
        slow,
        reads.slowPace,
      ),
    ),
  );
}

const identity = (group: DesiredTargetGroup | ObservedTargetGroup) => ({
  port: group.port,
  vpcId: group.vpcId,
  protocol: group.protocol,
  targetType: group.targetType,
});

/** The mutable settings, restricted to the attributes and tags the spec sets. */
const settings = (desired: DesiredTargetGroup, group: DesiredTargetGroup | ObservedTargetGroup) => ({
  healthCheck: group.healthCheck,
  attributes: Object.fromEntries(Object.keys(desired.attributes).map((key) => [key, group.attributes[key]])),
  tags: Object.fromEntries(Object.keys(desired.tags).map((key) => [key, group.tags[key]])),
});

export function diffTargetGroup(
  desired: DesiredTargetGroup,
  observed: ObservedTargetGroup | undefined,
): ResourceDiff {
  if (!observed) return absent(diffFields({ ...identity(desired), ...settings(desired, desired) }, {}));
  return present(diffFields(settings(desired, desired), settings(desired, observed)));
}

/** How the replacement differs from the group it replaces: the immutable fields and any setting. */
export function diffReplacement(desired: DesiredTargetGroup, previous: ObservedTargetGroup): FieldDiff[] {
  return diffFields(
    { ...identity(desired), ...settings(desired, desired) },
    { ...identity(previous), ...settings(desired, previous) },
  );
}

/** What makes `previous` a different group than `desired`: the first immutable field that differs. */
export function replacedBecause(desired: DesiredTargetGroup, previous: ObservedTargetGroup): string {
  return (
    (["port", "vpcId", "protocol", "targetType"] as const).find(
      (field) => desired[field] !== previous[field],
    ) ?? "name"
  );
}

/** The health check as CreateTargetGroup and ModifyTargetGroup take it: every field, never AWS's defaults. */
function healthCheckParameters(check: TargetGroupHealthCheck) {
  return {
    HealthCheckEnabled: true,
    HealthCheckProtocol: check.protocol,
    HealthCheckPath: check.path,
    HealthCheckPort: check.port,
    HealthCheckIntervalSeconds: check.intervalSeconds,
    HealthCheckTimeoutSeconds: check.timeoutSeconds,
    HealthyThresholdCount: check.healthyThresholdCount,
    UnhealthyThresholdCount: check.unhealthyThresholdCount,
    Matcher: { HttpCode: check.matcher },
  };
}

/** Creates it with tags and health check (idempotent for identical settings), then its attributes; returns its ARN. */
export async function createTargetGroup(clients: AwsClients, desired: DesiredTargetGroup): Promise<string> {
  const { TargetGroups = [] } = await clients.elbv2.send(
    new CreateTargetGroupCommand({
      Name: desired.name,
      Protocol: desired.protocol,
      Port: desired.port,
      VpcId: desired.vpcId,
      TargetType: desired.targetType,
      ...healthCheckParameters(desired.healthCheck),
      Tags: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  const arn = TargetGroups[0]?.TargetGroupArn;
  if (!arn) throw new Error(`ELBv2 created target group ${desired.name} without returning its ARN`);
  await setAttributes(clients, arn, desired.attributes);
  return arn;
}

async function setAttributes(
  clients: AwsClients,
  arn: string,
  attributes: Record<string, string>,
): Promise<void> {
  await clients.elbv2.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: Object.entries(attributes).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

export async function updateTargetGroup(
  clients: AwsClients,
  desired: DesiredTargetGroup,
  observed: ObservedTargetGroup,
): Promise<void> {
  // Tags first: adopting claims the resource before changing it, so a policy scoped to our tag allows the change.
  await addElbTags(clients, observed.arn, missingTags(desired.tags, observed.tags));
  const diff = diffTargetGroup(desired, observed).fields;
  if (diff.some((field) => field.path.startsWith("healthCheck."))) {
    await clients.elbv2.send(
      new ModifyTargetGroupCommand({
        TargetGroupArn: observed.arn,
        ...healthCheckParameters(desired.healthCheck),
      }),
    );
  }
  if (diff.some((field) => field.path.startsWith("attributes.")))
    await setAttributes(clients, observed.arn, desired.attributes);
}

/** Deletes it; one already gone is fine. ResourceInUse (a listener still forwarding) is the caller's to retry. */
export async function deleteTargetGroup(clients: AwsClients, arn: string): Promise<void> {
  await ignoreNotFound(() => clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })));
}

/** How many of the group's targets are in each state (`{ healthy: 2, initial: 1 }`); a missing group has none. */
export async function observeTargetHealth(clients: AwsClients, arn: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  try {
    const { TargetHealthDescriptions = [] } = await clients.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
    );
    for (const description of TargetHealthDescriptions) {
      const state = description.TargetHealth?.State ?? "unknown";
      counts[state] = (counts[state] ?? 0) + 1;
    }
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  return counts;
}
