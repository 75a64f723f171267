/**
 * The two security groups of a service: the load balancer's, open on the listener port to the
 * internet, and the tasks', open on the container port to the load balancer's group only. Nothing
 * else is ever allowed on the tasks' group: any other rule found there is drift, and is revoked.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import {
  loadBalancerSecurityGroupName,
  type ServiceSpec,
  taskSecurityGroupName,
} from "../../../specs/index.ts";
import type { AwsClients } from "../../aws/clients.ts";
import { awsErrorCode, ignoreNotFound } from "../../aws/errors.ts";
import { diffFields } from "../../engine/field-diff.ts";
import type { ResolvedNetwork } from "../../engine/network.ts";
import { absent, present, type ResourceDiff } from "../../engine/resource-diff.ts";
import type { ObservationReads } from "../../inventory/observation-reads.ts";
import {
  MANAGED_BY_TAG,
  MANAGED_BY_VALUE,
  missingTags,
  type Ownership,
  ownershipOf,
  RESOURCE_TAG,
  type ResourceRole,
  resourceTags,
  SERVICE_TAG,
} from "../../ownership.ts";
import {
  flattenPermissions,
  type Permission,
  permissionChanges,
  permissionKeys,
  toIpPermission,
} from "./permissions.ts";

export interface DesiredSecurityGroup {
  role: Extract<ResourceRole, "alb-security-group" | "task-security-group">;
  name: string;
  /** Set at creation only: EC2 cannot change it, and an adopted group keeps its own. */
  description: string;
  vpcId: string;
  ingress: Permission[];
  egress: Permission[];
  tags: Record<string, string>;
}

const ALL_TRAFFIC_OUT: Permission[] = [{ protocol: "-1", source: { cidr: "0.0.0.0/0" } }];

export function desiredLoadBalancerGroup(
  document: ServiceSpec,
  network: ResolvedNetwork,
): DesiredSecurityGroup {
  const port = document.spec.loadBalancer.listenerPort;
  return {
    role: "alb-security-group",
    name: loadBalancerSecurityGroupName(document.metadata.name),
    description: `ecs-converge: load balancer of ${document.metadata.name}`,
    vpcId: network.vpcId,
    ingress: [
      { protocol: "tcp", fromPort: port, toPort: port, source: { cidr: "0.0.0.0/0" } },
      { protocol: "tcp", fromPort: port, toPort: port, source: { cidrV6: "::/0" } },
    ],
    egress: ALL_TRAFFIC_OUT,
    tags: resourceTags(document, "alb-security-group"),
  };
}

/**
 * `loadBalancerGroupId` may still be unknown while planning a first creation. `transitionPorts` are
 * the ports of target groups being replaced that tasks may still serve on: open until those groups are gone.
 */
export function desiredTaskGroup(
  document: ServiceSpec,
  network: ResolvedNetwork,
  loadBalancerGroupId: string,
  transitionPorts: readonly number[] = [],
): DesiredSecurityGroup {
  const ports = [...new Set([document.spec.task.container.port, ...transitionPorts])];
  return {
    role: "task-security-group",
    name: taskSecurityGroupName(document.metadata.name),
    description: `ecs-converge: tasks of ${document.metadata.name}`,
    vpcId: network.vpcId,
    ingress: ports.map((port) => ({
      protocol: "tcp",
      fromPort: port,
      toPort: port,
      source: { groupId: loadBalancerGroupId },
    })),
    egress: ALL_TRAFFIC_OUT,
    tags: resourceTags(document, "task-security-group"),
  };
}

export interface ObservedSecurityGroup {
  groupId: string;
  name: string;
  description: string;
  vpcId: string;
  /** The role from our resource tag (undefined for a group we do not own). */
  role: string | undefined;
  ownership: Ownership;
  ingress: Permission[];
  egress: Permission[];
  tags: Record<string, string>;
}

function toObserved(group: SecurityGroup, service: string): ObservedSecurityGroup {
  const tags = Object.fromEntries((group.Tags ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
  return {
    groupId: group.GroupId ?? "",
    name: group.GroupName ?? "",
    description: group.Description ?? "",
    vpcId: group.VpcId ?? "",
    role: tags[RESOURCE_TAG],
    ownership: ownershipOf(tags, service),
    ingress: flattenPermissions(group.IpPermissions),
    egress: flattenPermissions(group.IpPermissionsEgress),
    tags,
  };
}

async function describeAll(
  clients: AwsClients,
  filters: { Name: string; Values: string[] }[],
): Promise<SecurityGroup[]> {
  const groups: SecurityGroup[] = [];
  let NextToken: string | undefined;
  do {
    const page = await clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters, NextToken }));
    groups.push(...(page.SecurityGroups ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return groups;
}

/** Every group tagged as this service's, in any VPC (one call in the usual case). */
export function describeOwnedSecurityGroups(clients: AwsClients, service: string): Promise<SecurityGroup[]> {
  return describeAll(clients, [
    { Name: `tag:${MANAGED_BY_TAG}`, Values: [MANAGED_BY_VALUE] },
    { Name: `tag:${SERVICE_TAG}`, Values: [service] },
  ]);
}

/** Every group tagged as managed by ecs-converge, for any service, in any VPC: a fleet's in one read. */
export function describeManagedSecurityGroups(clients: AwsClients): Promise<SecurityGroup[]> {
  return describeAll(clients, [{ Name: `tag:${MANAGED_BY_TAG}`, Values: [MANAGED_BY_VALUE] }]);
}

/** The service a managed group belongs to, by its tag. */
export const securityGroupService = (group: SecurityGroup): string | undefined =>
  group.Tags?.find((tag) => tag.Key === SERVICE_TAG)?.Value;

/** Every group tagged as this service's, in any VPC. */
export async function observeOwnedSecurityGroups(
  reads: ObservationReads,
  service: string,
): Promise<ObservedSecurityGroup[]> {
  return (await reads.ownedSecurityGroups(service)).map((group) => toObserved(group, service));
}

/** Groups already holding these names in the VPC, whoever owns them: checked before creating. */
export async function observeSecurityGroupsNamed(
  clients: AwsClients,
  service: string,
  vpcId: string,
  names: string[],
): Promise<ObservedSecurityGroup[]> {
  const groups = await describeAll(clients, [
    { Name: "vpc-id", Values: [vpcId] },
    { Name: "group-name", Values: names },
  ]);
  return groups.map((group) => toObserved(group, service));
}

/** The comparable form: rules as sorted keys, only the tags the spec sets. */
function comparable(
  group: {
    ingress: DesiredSecurityGroup["ingress"];
    egress: DesiredSecurityGroup["egress"];
    tags: Record<string, string>;
  },
  tagKeys: string[],
) {
  return {
    ingress: permissionKeys(group.ingress),
    egress: permissionKeys(group.egress),
    tags: Object.fromEntries(tagKeys.map((key) => [key, group.tags[key]])),
  };
}

export function diffSecurityGroup(
  desired: DesiredSecurityGroup,
  observed: ObservedSecurityGroup | undefined,
): ResourceDiff {
  const tagKeys = Object.keys(desired.tags);
  if (!observed)
    return absent(
      diffFields(
        { description: desired.description, vpcId: desired.vpcId, ...comparable(desired, tagKeys) },
        {},
      ),
    );
  // Groups are looked up in the desired VPC, so only rules and tags can differ: the description is not managed.
  return present(diffFields(comparable(desired, tagKeys), comparable(observed, tagKeys)));
}

/** EC2 creates every VPC group with this egress rule. */
const DEFAULT_EGRESS: Permission[] = [{ protocol: "-1", source: { cidr: "0.0.0.0/0" } }];

/** Creates the group with its tags in the same call, then its rules; returns the group id. */
export async function createSecurityGroup(
  clients: AwsClients,
  desired: DesiredSecurityGroup,
): Promise<string> {
  const { GroupId } = await clients.ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: desired.name,
      Description: desired.description,
      VpcId: desired.vpcId,
      TagSpecifications: [
        {
          ResourceType: "security-group",
          Tags: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })),
        },
      ],
    }),
  );
  if (!GroupId) throw new Error(`EC2 created security group ${desired.name} without returning its id`);
  await convergeRules(clients, GroupId, desired, { ingress: [], egress: DEFAULT_EGRESS });
  return GroupId;
}

/** Authorizes what is missing and revokes what is extra, in both directions; adds missing tags. */
export async function updateSecurityGroup(
  clients: AwsClients,
  desired: DesiredSecurityGroup,
  observed: ObservedSecurityGroup,
): Promise<void> {
  // Tags first: adopting claims the resource before changing it, so a policy scoped to our tag allows the change.
  const tags = Object.entries(missingTags(desired.tags, observed.tags));
  if (tags.length > 0) {
    await clients.ec2.send(
      new CreateTagsCommand({
        Resources: [observed.groupId],
        Tags: tags.map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }
  await convergeRules(clients, observed.groupId, desired, observed);
}

async function convergeRules(
  clients: AwsClients,
  groupId: string,
  desired: Pick<DesiredSecurityGroup, "ingress" | "egress">,
  observed: Pick<ObservedSecurityGroup, "ingress" | "egress">,
): Promise<void> {
  const ingress = permissionChanges(desired.ingress, observed.ingress);
  const egress = permissionChanges(desired.egress, observed.egress);
  const rules = (permissions: Permission[]) => ({
    GroupId: groupId,
    IpPermissions: permissions.map(toIpPermission),
  });
  // Revoke first: a rule someone opened to the world must not outlive a failure later in this pass.
  await applyAll(ingress.revoke, "InvalidPermission.NotFound", (batch) =>
    clients.ec2.send(new RevokeSecurityGroupIngressCommand(rules(batch))),
  );
  await applyAll(egress.revoke, "InvalidPermission.NotFound", (batch) =>
    clients.ec2.send(new RevokeSecurityGroupEgressCommand(rules(batch))),
  );
  await applyAll(ingress.authorize, "InvalidPermission.Duplicate", (batch) =>
    clients.ec2.send(new AuthorizeSecurityGroupIngressCommand(rules(batch))),
  );
  await applyAll(egress.authorize, "InvalidPermission.Duplicate", (batch) =>
    clients.ec2.send(new AuthorizeSecurityGroupEgressCommand(rules(batch))),
  );
}

/**
 * One call for all permissions. EC2 applies such a call all or nothing, so when it fails with the
 * "already done" code (a retry after a crash), each permission is applied on its own, ignoring that code.
 */
async function applyAll(
  permissions: Permission[],
  alreadyDone: string,
  call: (permissions: Permission[]) => Promise<unknown>,
): Promise<void> {
  if (permissions.length === 0) return;
  try {
    await call(permissions);
  } catch (error) {
    if (awsErrorCode(error) !== alreadyDone) throw error;
    for (const permission of permissions) {
      try {
        await call([permission]);
      } catch (single) {
        if (awsErrorCode(single) !== alreadyDone) throw single;
      }
    }
  }
}

/** Deletes a group; one already gone is fine. DependencyViolation (ENIs still draining) is left to the caller's retry. */
export async function deleteSecurityGroup(clients: AwsClients, groupId: string): Promise<void> {
  await ignoreNotFound(() => clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })));
}
