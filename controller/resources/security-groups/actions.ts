/** Creates, converges and deletes security groups. Every call is safe to repeat. */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import type { AwsClients } from "../../aws/clients.ts";
import { awsErrorCode, isNotFound } from "../../aws/errors.ts";
import type { DesiredSecurityGroup } from "./desired.ts";
import type { ObservedSecurityGroup } from "./observe.ts";
import { type Permission, permissionChanges, toIpPermission } from "./permissions.ts";

/** EC2 creates every VPC group with this egress rule. */
const DEFAULT_EGRESS: Permission[] = [{ protocol: "-1", source: { cidr: "0.0.0.0/0" } }];

/** Creates the group with its tags in the same call, then its rules; returns the group id. */
export async function createSecurityGroup(clients: AwsClients, desired: DesiredSecurityGroup): Promise<string> {
  const { GroupId } = await clients.ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: desired.name,
      Description: desired.description,
      VpcId: desired.vpcId,
      TagSpecifications: [
        { ResourceType: "security-group", Tags: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })) },
      ],
    }),
  );
  if (!GroupId) throw new Error(`EC2 created security group ${desired.name} without returning its id`);
  await convergeRules(clients, GroupId, desired, { ingress: [], egress: DEFAULT_EGRESS });
  return GroupId;
}

/** Authorizes what is missing and revokes what is extra, in both directions; adds missing tags. */
export async function updateSecurityGroup(clients: AwsClients, desired: DesiredSecurityGroup, observed: ObservedSecurityGroup): Promise<void> {
  await convergeRules(clients, observed.groupId, desired, observed);
  const missingTags = Object.entries(desired.tags).filter(([key, value]) => observed.tags[key] !== value);
  if (missingTags.length > 0) {
    await clients.ec2.send(
      new CreateTagsCommand({ Resources: [observed.groupId], Tags: missingTags.map(([Key, Value]) => ({ Key, Value })) }),
    );
  }
}

async function convergeRules(
  clients: AwsClients,
  groupId: string,
  desired: Pick<DesiredSecurityGroup, "ingress" | "egress">,
  observed: Pick<ObservedSecurityGroup, "ingress" | "egress">,
): Promise<void> {
  const ingress = permissionChanges(desired.ingress, observed.ingress);
  const egress = permissionChanges(desired.egress, observed.egress);
  // Revoke first: a rule someone opened to the world must not outlive a failure later in this call.
  if (ingress.revoke.length > 0) {
    await ignoring("InvalidPermission.NotFound", () =>
      clients.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: ingress.revoke.map(toIpPermission) })),
    );
  }
  if (egress.revoke.length > 0) {
    await ignoring("InvalidPermission.NotFound", () =>
      clients.ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: egress.revoke.map(toIpPermission) })),
    );
  }
  if (ingress.authorize.length > 0) {
    await ignoring("InvalidPermission.Duplicate", () =>
      clients.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: ingress.authorize.map(toIpPermission) })),
    );
  }
  if (egress.authorize.length > 0) {
    await ignoring("InvalidPermission.Duplicate", () =>
      clients.ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: egress.authorize.map(toIpPermission) })),
    );
  }
}

/** Deletes a group; one already gone is fine. DependencyViolation (ENIs still draining) is left to the caller's retry. */
export async function deleteSecurityGroup(clients: AwsClients, groupId: string): Promise<void> {
  try {
    await clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** Runs a call whose only failure mode we accept is "already done" (a retry after a crash). */
async function ignoring(code: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (awsErrorCode(error) !== code) throw error;
  }
}
