/**
 * What the task definition kinds observe: the revision the service runs and, only when it is not the
 * desired one, the family's history: a newer matching revision may exist (a crash after
 * registering), a new one will be registered, and the oldest are pruned a bounded number per pass.
 */

import { observationPart } from "../observation-part.ts";
import type { ObservedService } from "../service/service.ts";
import {
  desiredTaskDefinition,
  diffTaskDefinition,
  KEPT_REVISIONS,
  listActiveRevisions,
  type ObservedRevision,
  PRUNED_PER_PASS,
} from "./task-definition.ts";

export interface ObservedTaskDefinitions {
  /** ACTIVE revisions of the family, newest first; only listed when the service's revision is not the desired one. */
  activeArns: string[];
  /** The revision the service runs. */
  current: ObservedRevision | undefined;
  /** The family's newest ACTIVE revision (may be newer than the service's after a crash or a rollback). */
  latest: ObservedRevision | undefined;
  /** Revisions past the newest KEPT_REVISIONS (a bounded number per pass), with their tags. */
  stale: ObservedRevision[];
}

export const taskDefinitionsObservation = observationPart({
  field: "taskDefinitions",
  needs: ["service"],
  async observe(
    { clients, document, taskDefinitions },
    { service }: { service: ObservedService | undefined },
  ): Promise<ObservedTaskDefinitions> {
    const currentArn = service?.settings.taskDefinition;
    const current = currentArn ? await taskDefinitions.revision(clients, currentArn) : undefined;
    const upToDate =
      current !== undefined &&
      diffTaskDefinition(desiredTaskDefinition(document, clients.region), current).length === 0;
    const activeArns = upToDate ? [] : await listActiveRevisions(clients, document.metadata.name);
    const latest = activeArns[0] ? await taskDefinitions.revision(clients, activeArns[0]) : undefined;
    const stale = await Promise.all(
      activeArns
        .slice(KEPT_REVISIONS, KEPT_REVISIONS + PRUNED_PER_PASS)
        .map((arn) => taskDefinitions.revision(clients, arn)),
    );
    return { activeArns, current, latest, stale };
  },
});
