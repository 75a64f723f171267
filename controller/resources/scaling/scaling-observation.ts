/** What the scaling kind observes: the service's scalable target, our CPU policy and anyone else's policies. */
import { scalingPolicyName } from "../../../specs/index.ts";
import { observationPart } from "../observation-part.ts";
import { type ObservedScaling, observeScaling, scalingResourceId } from "./scaling.ts";

export const scalingObservation = observationPart({
  field: "scaling",
  needs: [],
  observe: ({ clients, reads, document, tags }): Promise<ObservedScaling> =>
    observeScaling(
      clients,
      reads,
      document.metadata.name,
      scalingResourceId(document.spec.cluster, document.metadata.name),
      scalingPolicyName(document.metadata.name),
      tags,
    ),
});
