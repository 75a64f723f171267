/**
 * The task definition as kinds: the revision the service runs (registered only when a meaningful
 * field changes, reused after a crash, held back after a failed rollout: see revision-choice.ts),
 * and the stale revisions of the family deregistered once the service runs the new one.
 */
import type { Change } from "../../engine/plan.ts";
import type { Refs } from "../../engine/refs.ts";
import { ownershipOf } from "../../ownership.ts";
import { type KindContract, mutate, type PassScope, provide } from "../kind-contract.ts";
import { chooseRevision, type RevisionChoice } from "./revision-choice.ts";
import {
  clearFailedMark,
  deregisterTaskDefinition,
  KEPT_REVISIONS,
  registerTaskDefinition,
  revisionName,
} from "./task-definition.ts";

/** The revision the service runs; provides its ARN to the service. */
export const taskDefinitionKind: KindContract<RevisionChoice> = {
  id: "taskDefinition",
  dependsOn: ["logGroup"],
  claim: (scope) => scope.decide(chooseRevision),
  plan: ({ change, reusable, heldBack }) => ({
    changes: [change],
    provides: provide("taskDefinitionArn", reusable?.arn, !reusable),
    ...(heldBack ? { heldBack: [heldBack] } : {}),
  }),
  async apply({ change, reusable, desired, retried }, _refs, scope, emit) {
    const { clients, taskDefinitions } = scope.context;
    if (retried) {
      await mutate(change, emit, () => clearFailedMark(clients, taskDefinitions, retried.arn));
      return { taskDefinitionArn: retried.arn };
    }
    if (reusable) return { taskDefinitionArn: reusable.arn };
    return { taskDefinitionArn: await mutate(change, emit, () => registerTaskDefinition(clients, desired)) };
  },
};

/** Our revisions past the newest KEPT_REVISIONS, except the one the service runs now and the one it runs next. */
function staleRevisions(refs: Refs, { observation, context }: PassScope): Change[] {
  const keep = new Set([observation.taskDefinitions.current?.arn, refs.taskDefinitionArn]);
  // Only revisions we registered: a family may hold revisions someone else made.
  return observation.taskDefinitions.stale
    .filter(
      (revision) =>
        !keep.has(revision.arn) && ownershipOf(revision.tags, context.document.metadata.name) === "ours",
    )
    .map((revision) => ({
      action: "delete",
      resource: "TaskDefinition",
      name: revisionName(revision.arn),
      reason: `older than the newest ${KEPT_REVISIONS} revisions`,
      diff: [],
    }));
}

/** Our stale revisions of the family, deregistered once the service runs the one it keeps. */
export const staleRevisionsKind: KindContract<undefined> = {
  id: "staleRevisions",
  dependsOn: ["service", "listener", "scaling"],
  claim: () => undefined,
  plan: (_claimed, refs, scope) => ({ changes: staleRevisions(refs, scope) }),
  async apply(_claimed, refs, scope, emit) {
    const { observation, context } = scope;
    for (const change of staleRevisions(refs, scope)) {
      const arn = observation.taskDefinitions.activeArns.find((candidate) =>
        candidate.endsWith(`/${change.name}`),
      );
      if (arn) await mutate(change, emit, () => deregisterTaskDefinition(context.clients, arn));
    }
    return {};
  },
};
