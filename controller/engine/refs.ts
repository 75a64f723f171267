/** Values a resource gets from AWS on creation and others need: group ids and ARNs. */
import { KNOWN_AFTER_APPLY } from "./plan.ts";

export interface Refs {
  albSecurityGroupId: string;
  taskSecurityGroupId: string;
  loadBalancerArn: string;
  targetGroupArn: string;
  taskDefinitionArn: string;
}

/** Every reference unknown: what a plan for an empty account starts from. */
export const unknownRefs = (): Refs => ({
  albSecurityGroupId: KNOWN_AFTER_APPLY,
  taskSecurityGroupId: KNOWN_AFTER_APPLY,
  loadBalancerArn: KNOWN_AFTER_APPLY,
  targetGroupArn: KNOWN_AFTER_APPLY,
  taskDefinitionArn: KNOWN_AFTER_APPLY,
});
