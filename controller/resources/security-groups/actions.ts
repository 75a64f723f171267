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
  await convergeRules(clients, observed.groupId, desired, observed);
  const missingTags = Object.entries(desired.tags).filter(([key, value]) => observed.tags[key] !== value);
  if (missingTags.length > 0) {
    await clients.ec2.send(
      new CreateTagsCommand({
        Resources: [observed.groupId],
        Tags: missingTags.map(([Key, Value]) => ({ Key, Value })),
      }),
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
  try {
    await clients.ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
