import { describe, expect, it } from "vitest";
import { type ObservedFacts, observedConditions } from "./observed-conditions.ts";
import type { RolloutState } from "./rollout.ts";

const rollout = (overrides: Partial<RolloutState> = {}): RolloutState => ({
  status: "ACTIVE",
  taskDefinition: "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1",
  desired: 2,
  running: 2,
  pending: 0,
  deployments: [],
  targets: { healthy: 2 },
  stable: true,
  steady: true,
  failure: undefined,
  failedTaskDefinition: undefined,
  rolledBack: false,
  ...overrides,
});

/** A converged service, with `overrides`. */
const facts = (overrides: Partial<ObservedFacts> = {}): ObservedFacts => ({
  deployed: true,
  pendingChanges: 0,
  heldBack: undefined,
  waitingSteps: 0,
  rollout: rollout(),
  ...overrides,
});

const cases: Array<[string, ObservedFacts, string[]]> = [
  ["converged", facts(), ["Ready=True:Available", "Synced=True:ReconcileSuccess", "Degraded=False:Healthy"]],
  [
    "destroyed, nothing to change",
    facts({ deployed: false, rollout: undefined }),
    ["Ready=False:ServiceMissing", "Synced=True:ReconcileSuccess", "Degraded=False:Healthy"],
  ],
  [
    "an edit not applied yet",
    facts({ pendingChanges: 3 }),
    ["Ready=True:Available", "Synced=False:ChangesPending", "Degraded=False:Healthy"],
  ],
  [
    "a port change between passes",
    facts({ waitingSteps: 1 }),
    ["Ready=True:Available", "Synced=False:StepsWaiting", "Degraded=False:Healthy"],
  ],
  [
    "rolled back: the old revision serves, the spec does not run",
    facts({ heldBack: "web:2 is held back" }),
    ["Ready=True:Available", "Synced=False:RevisionHeldBack", "Degraded=True:RolloutFailed"],
  ],
  [
    "a rollout under way",
    facts({ rollout: rollout({ stable: false, steady: false, running: 1 }) }),
    ["Ready=False:RolloutInProgress", "Synced=True:ReconcileSuccess", "Degraded=False:Healthy"],
  ],
  [
    "a rollback still running",
    facts({ rollout: rollout({ stable: false, steady: false, failure: "rolled back" }) }),
    ["Ready=False:RolloutFailed", "Synced=True:ReconcileSuccess", "Degraded=True:RolloutFailed"],
  ],
];

describe("observedConditions", () => {
  it.each(cases)("%s", (_reason, input, expected) => {
    expect(observedConditions(input).map((c) => `${c.type}=${c.status}:${c.reason}`)).toEqual(expected);
  });
});
