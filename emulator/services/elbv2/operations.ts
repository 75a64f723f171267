/** Elastic Load Balancing v2 (awsQuery, Version 2015-12-01): load balancers, target groups, listeners and their rules, targets, tags. */
import type { Operation, QueryServiceDefinition } from "../service-definition.ts";
import { listenerOperations } from "./listeners.ts";
import { loadBalancerOperations } from "./load-balancers.ts";
import { ruleOperations } from "./rules.ts";
import { tagOperations } from "./tags.ts";
import { targetGroupOperations } from "./target-groups.ts";
import { targetOperations } from "./targets.ts";

const operations: Record<string, Operation> = {
  ...loadBalancerOperations,
  ...targetGroupOperations,
  ...listenerOperations,
  ...ruleOperations,
  ...targetOperations,
  ...tagOperations,
};

export const elbv2Service: QueryServiceDefinition = {
  id: "elbv2",
  iamPrefix: "elasticloadbalancing",
  protocol: "query",
  apiVersion: "2015-12-01",
  xmlNamespace: "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/",
  throttlingCode: "Throttling",
  throttlingStatus: 400,
  operations,
};
