/** EC2's error codes and messages, worded as AWS words them, in one place. */
import { AwsError } from "../../errors.ts";

export function missingParameter(name: string): AwsError {
  return new AwsError("MissingParameter", `The request must contain the parameter ${name}`);
}

export function invalidParameterValue(message: string): AwsError {
  return new AwsError("InvalidParameterValue", message);
}

export function invalidParameterCombination(message: string): AwsError {
  return new AwsError("InvalidParameterCombination", message);
}

export function vpcNotFound(vpcId: string): AwsError {
  return new AwsError("InvalidVpcID.NotFound", `The vpc ID '${vpcId}' does not exist`);
}

export function subnetNotFound(subnetId: string): AwsError {
  return new AwsError("InvalidSubnetID.NotFound", `The subnet ID '${subnetId}' does not exist`);
}

export function groupNotFound(groupId: string): AwsError {
  return new AwsError("InvalidGroup.NotFound", `The security group '${groupId}' does not exist`);
}

export function groupNameNotFound(groupName: string, vpcId: string): AwsError {
  return new AwsError(
    "InvalidGroup.NotFound",
    `The security group '${groupName}' does not exist in default VPC '${vpcId}'`,
  );
}

export function groupIdMalformed(groupId: string): AwsError {
  return new AwsError("InvalidGroupId.Malformed", `Invalid id: "${groupId}" (expecting "sg-...")`);
}

export function networkInterfaceNotFound(networkInterfaceId: string): AwsError {
  return new AwsError(
    "InvalidNetworkInterfaceID.NotFound",
    `The networkInterface ID '${networkInterfaceId}' does not exist`,
  );
}

export function ruleIdNotFound(ruleId: string): AwsError {
  return new AwsError(
    "InvalidSecurityGroupRuleId.NotFound",
    `The security group rule ID '${ruleId}' does not exist`,
  );
}

export function invalidId(resourceId: string): AwsError {
  return new AwsError("InvalidID", `The ID '${resourceId}' is not valid`);
}
