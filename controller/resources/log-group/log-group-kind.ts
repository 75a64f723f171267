/** The log group as a kind: created with its retention, retention kept in step. */
import { changeFor } from "../../engine/resource-diff.ts";
import { type KindContract, mutate, type PassScope } from "../kind-contract.ts";
import {
  createLogGroup,
  desiredLogGroup,
  diffLogGroup,
  type ObservedLogGroup,
  updateLogGroup,
} from "./log-group.ts";

const planned = (observed: ObservedLogGroup | undefined, { context }: PassScope) => {
  const desired = desiredLogGroup(context.document);
  return { desired, change: changeFor("LogGroup", desired.name, diffLogGroup(desired, observed)) };
};

export const logGroupKind: KindContract<ObservedLogGroup | undefined> = {
  id: "logGroup",
  dependsOn: [],
  claim: ({ claims, observation, context }) =>
    claims.claim(
      observation.logGroup,
      "LogGroup",
      context.document.spec.logging.logGroup,
      (group) => group.arn,
    ),
  plan: (observed, _refs, scope) => ({ changes: [planned(observed, scope).change] }),
  async apply(observed, _refs, scope, emit) {
    const { clients } = scope.context;
    const { desired, change } = planned(observed, scope);
    if (change.action === "create") await mutate(change, emit, () => createLogGroup(clients, desired));
    else if (observed && change.action === "update")
      await mutate(change, emit, () => updateLogGroup(clients, desired, observed));
    return {};
  },
};
