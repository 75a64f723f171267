/** What the log group's kind observes: the spec's log group by name, with its tags. */
import { observationPart } from "../observation-part.ts";
import { type ObservedLogGroup, observeLogGroup } from "./log-group.ts";

export const logGroupObservation = observationPart({
  field: "logGroup",
  needs: [],
  observe: ({ clients, reads, document, tags }): Promise<ObservedLogGroup | undefined> =>
    observeLogGroup(clients, reads, document.metadata.name, document.spec.logging.logGroup, tags),
});
