/** EC2 (ec2Query, Version 2016-11-15): VPCs, subnets, security groups, network interfaces, tags. */
import type { Operation, QueryServiceDefinition } from "../service-definition.ts";

const operations: Record<string, Operation> = {};

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
