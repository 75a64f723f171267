import { describe, expect, it } from "vitest";
import { parseSpec } from "../../specs/index.ts";
import { specYaml } from "../../specs/test-builders.ts";
import type { AwsClients } from "../aws/clients.ts";
import type { ApplyEvent, KindContract } from "../resources/kind-contract.ts";
import { mutate } from "../resources/kind-contract.ts";
import { createStackContext } from "./context.ts";
import { type AnyKind, applyNodes, bindKinds, planStack } from "./kind-graph.ts";
import type { Observation } from "./observe.ts";
import { KNOWN_AFTER_APPLY } from "./plan.ts";
import { STACK_KINDS } from "./stack.ts";

/** An account where nothing of the service exists yet: every kind plans a create, no AWS call is needed. */
function emptyAccount() {
  const document = parseSpec(specYaml(), "service.yaml").spec;
  const clients = { region: "eu-west-1" } as AwsClients;
  const network = {
    vpcId: "vpc-1",
    loadBalancerSubnets: ["subnet-a", "subnet-b"],
    taskSubnets: ["subnet-a"],
  };
  const observation: Observation = {
    securityGroups: [],
    logGroup: undefined,
    loadBalancer: undefined,
    targetGroups: [],
    listeners: [],
    rules: new Map(),
    cluster: undefined,
    service: undefined,
    previousService: undefined,
    taskDefinitions: { activeArns: [], current: undefined, latest: undefined, stale: [] },
    scaling: { target: undefined, policy: undefined, otherPolicies: [] },
    desiredGroupHealth: undefined,
  };
  return { context: createStackContext(clients, document, network), observation };
}

/** A kind no stack has: an alarm on the service, defined here as a new folder would define it. */
const alarmKind: KindContract<{ exists: boolean }> = {
  id: "alarm",
  dependsOn: ["service", "targetGroup"],
  claim: () => ({ exists: false }),
  plan: (claimed, refs) => ({
    changes: [
      {
        action: claimed.exists ? "noop" : "create",
        resource: "Service",
        name: "web-alarm",
        diff: [{ path: "targetGroup", desired: refs.targetGroupArn, observed: undefined }],
      },
    ],
  }),
  async apply(claimed, refs, scope, emit) {
    const [change] = alarmKind.plan(claimed, refs, scope).changes;
    if (change) await mutate(change, emit, async () => undefined);
    return {};
  },
};

describe("the stack", () => {
  it("lists its kinds in the documented dependency order, each after what it depends on", () => {
    expect(STACK_KINDS.map((kind) => kind.id)).toEqual([
      "albSecurityGroup",
      "taskSecurityGroup",
      "logGroup",
      "targetGroup",
      "loadBalancer",
      "listener",
      "cluster",
      "taskDefinition",
      "service",
      "scaling",
      // Cleanup kinds come last, in the order of their folders.
      "retiredTargetGroups",
      "staleRevisions",
      "previousService",
      "serviceClusterRecord",
    ]);
    const seen = new Set<string>();
    for (const kind of STACK_KINDS) {
      expect(seen.has(kind.id), `${kind.id} is listed once`).toBe(false);
      for (const dependency of kind.dependsOn)
        expect(seen.has(dependency), `${kind.id} depends on ${dependency}, listed before it`).toBe(true);
      seen.add(kind.id);
    }
  });

  it("plans a kind added to the list through the contract, after the kinds it depends on", () => {
    const { context, observation } = emptyAccount();
    const plan = planStack(bindKinds([...STACK_KINDS, alarmKind], context, observation));
    const last = plan.changes.at(-1);
    expect(last).toMatchObject({ action: "create", name: "web-alarm" });
    // The target group is created in this plan: its ARN is known only after apply.
    expect(last?.diff).toEqual([{ path: "targetGroup", desired: KNOWN_AFTER_APPLY, observed: undefined }]);
    expect(plan.changes.slice(0, -1)).toEqual(
      planStack(bindKinds(STACK_KINDS, context, observation)).changes,
    );
  });

  it("applies a kind added to the list once its dependencies are applied, with the references they provide", async () => {
    const { context, observation } = emptyAccount();
    const applied: string[] = [];
    // The stack's own kinds stand in without AWS: each records that it ran and provides what it would.
    const offline = STACK_KINDS.map(
      (kind): AnyKind => ({
        ...kind,
        async apply() {
          applied.push(kind.id);
          return kind.id === "targetGroup" ? { targetGroupArn: "arn:tg" } : {};
        },
      }),
    );
    const events: ApplyEvent[] = [];
    await applyNodes(bindKinds([...offline, alarmKind], context, observation), (event) => {
      applied.push(`${event.phase} ${event.change.name}`);
      events.push(event);
    });
    expect(applied.indexOf("start web-alarm")).toBeGreaterThan(applied.indexOf("service"));
    expect(applied.indexOf("start web-alarm")).toBeGreaterThan(applied.indexOf("targetGroup"));
    expect(events.at(-1)).toMatchObject({
      phase: "done",
      change: { diff: [{ path: "targetGroup", desired: "arn:tg" }] },
    });
  });
});
