/** The ECS service the stack may manage: ours, or adoptable; another's is a conflict. */
import type { PassScope } from "../kind-contract.ts";
import type { ObservedService } from "./service.ts";

/** A decision (see PassScope.decide): the spec's service, claimed once per pass. */
export function claimedService({ claims, observation, context }: PassScope): ObservedService | undefined {
  return claims.claim(observation.service, "Service", context.document.metadata.name, (found) => found.arn);
}
