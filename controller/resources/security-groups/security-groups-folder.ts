import type { KindFolder } from "../kind-folder.ts";
import { loadBalancerSecurityGroupKind, taskSecurityGroupKind } from "./security-group-kinds.ts";
import { loadBalancerSecurityGroupDestroy, taskSecurityGroupDestroy } from "./security-groups-destroy.ts";
import { securityGroupsObservation } from "./security-groups-observation.ts";

const observe = [securityGroupsObservation] as const;

export const securityGroupsFolder: KindFolder<typeof observe> = {
  observe,
  kinds: [loadBalancerSecurityGroupKind, taskSecurityGroupKind],
  destroy: [
    // The tasks' group references the load balancer's, so it goes first.
    taskSecurityGroupDestroy,
    loadBalancerSecurityGroupDestroy,
  ],
};
