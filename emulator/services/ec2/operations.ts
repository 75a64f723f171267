/** EC2 (ec2Query, Version 2016-11-15): VPCs, subnets, security groups, network interfaces, tags. */
import { AwsError } from "../../errors.ts";
import type { Operation, QueryServiceDefinition } from "../service-definition.ts";
import { networkInterfaceOperations } from "./network-interfaces.ts";
import { securityGroupRuleOperations } from "./security-group-rules.ts";
import { securityGroupOperations } from "./security-groups.ts";
import { tagOperations } from "./tags.ts";
import { vpcOperations } from "./vpcs.ts";

/**
 * `DryRun=true` asks only whether the caller may make the call. The emulator grants every permission,
 * so the answer is always AWS's "would have succeeded" error, and nothing changes.
 */
function withDryRun(operation: Operation): Operation {
  return (input, context) => {
    if (input.DryRun === "true") {
      throw new AwsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
    }
    return operation(input, context);
  };
}

const operations: Record<string, Operation> = Object.fromEntries(
  Object.entries({
    ...vpcOperations,
    ...securityGroupOperations,
    ...securityGroupRuleOperations,
    ...networkInterfaceOperations,
    ...tagOperations,
  }).map(([name, operation]) => [name, withDryRun(operation)]),
);

export const ec2Service: QueryServiceDefinition = {
  id: "ec2",
  iamPrefix: "ec2",
  protocol: "ec2",
  apiVersion: "2016-11-15",
  xmlNamespace: "http://ec2.amazonaws.com/doc/2016-11-15/",
  throttlingCode: "RequestLimitExceeded",
  throttlingStatus: 503,
  operations,
};
