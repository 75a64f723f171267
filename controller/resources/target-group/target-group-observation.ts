/**
 * What the target group kinds observe: the service's target groups (the spec's, and any it replaced),
 * and, only while a replacement is in progress, the health of the spec's group's targets.
 */
import { listenerServingSpec, type ObservedListener } from "../listener/listener.ts";
import { observationPart } from "../observation-part.ts";
import {
  desiredTargetGroup,
  type ObservedTargetGroup,
  observeTargetGroups,
  observeTargetHealth,
} from "./target-group.ts";

export const targetGroupsObservation = observationPart({
  field: "targetGroups",
  needs: [],
  observe: ({ clients, reads, elbTags, document, slow }): Promise<ObservedTargetGroup[]> =>
    observeTargetGroups(clients, reads, elbTags, document.metadata.name, slow),
});

/**
 * The spec's target group's targets by state, read only while the listener forwards elsewhere (a
 * replacement in progress: the listener moves once they are healthy). Undefined otherwise: a
 * converged pass reads no target health.
 */
export const desiredGroupHealthObservation = observationPart({
  field: "desiredGroupHealth",
  needs: ["targetGroups", "listeners"],
  async observe(
    { clients, document, network },
    { targetGroups, listeners }: { targetGroups: ObservedTargetGroup[]; listeners: ObservedListener[] },
  ): Promise<Record<string, number> | undefined> {
    const desiredName = desiredTargetGroup(document, network).name;
    const desiredGroup = targetGroups.find(
      (group) => group.name === desiredName && group.ownership === "ours",
    );
    const listener = listenerServingSpec(
      listeners.filter((candidate) => candidate.ownership === "ours"),
      document.spec.loadBalancer.listenerPort,
    );
    const replacing =
      desiredGroup !== undefined && listener !== undefined && listener.forwardTo !== desiredGroup.arn;
    return replacing ? observeTargetHealth(clients, desiredGroup.arn) : undefined;
  },
});
