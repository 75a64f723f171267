/**
 * Ownership tags: how ecs-converge recognises what it made. Every resource gets them in its create
 * call; a resource without them is never changed or deleted (unless the spec opts into adoption).
 */
import type { ServiceSpec } from "../specs/index.ts";

export const MANAGED_BY_TAG = "ecs-converge.io/managed-by";
export const MANAGED_BY_VALUE = "ecs-converge";
export const SERVICE_TAG = "ecs-converge.io/service";
export const RESOURCE_TAG = "ecs-converge.io/resource";
/**
 * On the load balancer: the cluster the service runs in. A service is found by cluster and name, so
 * this is how a pass notices the service it must replace when the spec moves it to another cluster.
 */
export const CLUSTER_TAG = "ecs-converge.io/ecs-cluster";

/** The role a resource plays for its service: the value of the resource tag. */
export type ResourceRole =
  | "alb-security-group"
  | "task-security-group"
  | "log-group"
  | "load-balancer"
  | "target-group"
  | "listener"
  | "cluster"
  | "task-definition"
  | "service"
  | "scalable-target";

export function ownershipTags(service: string, role: ResourceRole): Record<string, string> {
  return { [MANAGED_BY_TAG]: MANAGED_BY_VALUE, [SERVICE_TAG]: service, [RESOURCE_TAG]: role };
}

/** The user's tags plus ownership: what every created resource carries. */
export function resourceTags(document: ServiceSpec, role: ResourceRole): Record<string, string> {
  return { ...document.metadata.tags, ...ownershipTags(document.metadata.name, role) };
}

export type Ownership = "ours" | "another-service" | "unowned";

/** Who owns a resource, from its tags. */
export function ownershipOf(tags: Record<string, string | undefined>, service: string): Ownership {
  if (tags[MANAGED_BY_TAG] !== MANAGED_BY_VALUE) return "unowned";
  return tags[SERVICE_TAG] === service ? "ours" : "another-service";
}

/** The desired tags a resource lacks or has with another value: what an update adds. */
export function missingTags(
  desired: Record<string, string>,
  observed: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(desired).filter(([key, value]) => observed[key] !== value));
}
