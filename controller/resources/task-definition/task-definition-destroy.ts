/**
 * The task definition family on destroy: every ACTIVE revision we registered is deregistered, except
 * the one a service left in place runs. The whole family is read here: apply's observation holds only
 * the history a pass needs.
 */
import { notOursReason } from "../../engine/ownership-check.ts";
import { ownershipOf } from "../../ownership.ts";
import { deletion, type KindDestroy, type KindRemoval } from "../kind-destroy.ts";
import { usedByKeptService } from "../service/service-destroy.ts";
import { deregisterTaskDefinition, listActiveRevisions, revisionName } from "./task-definition.ts";

export const taskDefinitionDestroy: KindDestroy = {
  id: "taskDefinition",
  after: ["service"],
  async plan(scope) {
    const { context, observation } = scope;
    const { clients, document, taskDefinitions } = context;
    const service = document.metadata.name;
    const activeArns = await listActiveRevisions(clients, service);
    const revisions = await Promise.all(activeArns.map((arn) => taskDefinitions.revision(clients, arn)));
    const usedByService = usedByKeptService(scope);
    const removal: KindRemoval = { deletions: [], skipped: [] };
    for (const revision of revisions) {
      const name = revisionName(revision.arn);
      const ownership = ownershipOf(revision.tags, service);
      if (ownership !== "ours")
        removal.skipped.push({
          resource: "TaskDefinition",
          name,
          reason: notOursReason({ ownership, tags: revision.tags }),
        });
      else if (usedByService && observation.service?.settings.taskDefinition === revision.arn)
        removal.skipped.push({ resource: "TaskDefinition", name, reason: usedByService });
      else
        removal.deletions.push({
          change: deletion("TaskDefinition", name, "deregistered"),
          run: () => deregisterTaskDefinition(clients, revision.arn),
        });
    }
    return removal;
  },
};
