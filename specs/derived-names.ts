/**
 * The AWS names every resource of a service gets. Names are deterministic so that a run that crashed
 * between two calls finds what it made on the next pass; the controller and the spec's name checks
 * both use these functions, so a name that validates is the name that gets created.
 */
import { createHash } from "node:crypto";

/** Hex characters of the immutable-fields hash appended to target group names. */
export const TARGET_GROUP_HASH_LENGTH = 8;

/** The fields AWS will not change on a target group; any change needs a new one. */
export interface TargetGroupIdentity {
  port: number;
  vpcId: string;
  protocol: "HTTP";
  targetType: "ip";
}

export const loadBalancerName = (service: string): string => service;
export const loadBalancerSecurityGroupName = (service: string): string => `${service}-alb`;
export const taskSecurityGroupName = (service: string): string => `${service}-tasks`;
export const ecsServiceName = (service: string): string => service;
export const taskDefinitionFamily = (service: string): string => service;
export const scalingPolicyName = (service: string): string => `${service}-cpu`;
export const defaultLogGroupName = (service: string): string => `/ecs/${service}`;

/**
 * `{service}-{hash}`: a replacement (new port, new VPC) gets a fresh name, so the new group can be
 * created while the old one still serves the listener (create before destroy).
 */
export function targetGroupName(service: string, identity: TargetGroupIdentity): string {
  const canonical = JSON.stringify([identity.protocol, identity.targetType, identity.port, identity.vpcId]);
  const hash = createHash("sha256").update(canonical).digest("hex").slice(0, TARGET_GROUP_HASH_LENGTH);
  return `${service}-${hash}`;
}

/** The longest service name whose derived names all fit AWS's limits (the target group's 32 chars). */
export const SERVICE_NAME_MAX = 32 - 1 - TARGET_GROUP_HASH_LENGTH;
