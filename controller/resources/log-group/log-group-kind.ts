/** The log group as a kind: created with its retention, retention kept in step. */
import { singleResourceKind } from "../single-resource-kind.ts";
import { createLogGroup, desiredLogGroup, diffLogGroup, updateLogGroup } from "./log-group.ts";

/** The spec's log group. */
export const logGroupKind = singleResourceKind({
  id: "logGroup",
  dependsOn: [],
  resource: "LogGroup",
  noun: "log group",
  claim: ({ claims, observation, context }) =>
    claims.claim(
      observation.logGroup,
      "LogGroup",
      context.document.spec.logging.logGroup,
      (group) => group.arn,
    ),
  desired: (_refs, { context }) => desiredLogGroup(context.document),
  diff: diffLogGroup,
  create: createLogGroup,
  update: updateLogGroup,
});
