/** Finds a service's security groups: ours by tag, and any other group already holding our names. */
import { DescribeSecurityGroupsCommand, type SecurityGroup } from "@aws-sdk/client-ec2";
import type { AwsClients } from "../../aws/clients.ts";
import {
  MANAGED_BY_TAG,
  MANAGED_BY_VALUE,
  type Ownership,
  ownershipOf,
  RESOURCE_TAG,
  SERVICE_TAG,
} from "../../ownership.ts";
import { flattenPermissions, type Permission } from "./permissions.ts";

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
export async function observeOwnedSecurityGroups(
  clients: AwsClients,
  service: string,
): Promise<ObservedSecurityGroup[]> {
  const groups = await describeAll(clients, [
    { Name: `tag:${MANAGED_BY_TAG}`, Values: [MANAGED_BY_VALUE] },
    { Name: `tag:${SERVICE_TAG}`, Values: [service] },
  ]);
  return groups.map((group) => toObserved(group, service));
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
