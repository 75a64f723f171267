import type { KindFolder } from "../kind-folder.ts";
import { loadBalancerDestroy } from "./load-balancer-destroy.ts";
import { loadBalancerKind } from "./load-balancer-kind.ts";
import { loadBalancerObservation } from "./load-balancer-observation.ts";

const observe = [loadBalancerObservation] as const;

export const loadBalancerFolder: KindFolder<typeof observe> = {
  observe,
  kinds: [loadBalancerKind],
  destroy: [loadBalancerDestroy],
};
