import { describe, expect, it } from "vitest";
import { parseSpec } from "../../specs/index.ts";
import { specYaml } from "../../specs/test-builders.ts";
import type { AwsClients } from "../aws/clients.ts";
import { type DestroyScope, deletion, type KindDestroy } from "../resources/kind-destroy.ts";
import { createStackContext } from "./context.ts";
import { bindDestroyKinds } from "./destroy.ts";
import { applyNodes, planStack } from "./kind-graph.ts";
import type { Observation } from "./observe.ts";
import { DESTROY_KINDS, STACK_KINDS } from "./stack.ts";

const document = parseSpec(specYaml(), "service.yaml").spec;
const context = createStackContext({ region: "eu-west-1" } as AwsClients, document, {
  vpcId: "vpc-1",
  loadBalancerSubnets: ["subnet-a", "subnet-b"],
  taskSubnets: ["subnet-a"],
});
const options = { keepLogs: false, timeoutMs: 1000 };

/** Two kinds as a new folder would define them: a dashboard on the service, kept while the service is. */
function fakeKinds(log: string[]) {
  let decided = 0;
  const serviceStays = (_scope: DestroyScope) => {
    decided++;
    return true;
  };
  const service: KindDestroy = {
    id: "service",
    after: ["dashboard"],
    plan: (scope) =>
      scope.decide(serviceStays)
        ? { deletions: [], skipped: [{ resource: "Service", name: "web", reason: "not ours" }] }
        : { deletions: [], skipped: [] },
  };
  const dashboard: KindDestroy = {
    id: "dashboard",
    after: [],
    plan: async (scope) => ({
      deletions: [
        {
          change: deletion(
            "Service",
            "web-dashboard",
            scope.decide(serviceStays) ? "kept service" : undefined,
          ),
          run: async () => log.push("deleted dashboard"),
        },
      ],
      skipped: [],
    }),
  };
  return { kinds: [service, dashboard], decisions: () => decided };
}

describe("destroy", () => {
  it("lists only kinds of the stack, each after the kinds it waits for", () => {
    const stack = new Set(STACK_KINDS.map((kind) => kind.id));
    const destroyed = new Set(DESTROY_KINDS.map((kind) => kind.id));
    const listed = new Set<string>();
    for (const kind of DESTROY_KINDS) {
      expect(stack.has(kind.id), `${kind.id} is a kind of the stack`).toBe(true);
      for (const after of kind.after) {
        expect(destroyed.has(after), `${kind.id} waits for ${after}`).toBe(true);
        expect(listed.has(after), `${kind.id} is listed after ${after}, which it waits for`).toBe(true);
      }
      listed.add(kind.id);
    }
  });

  it("plans kinds in list order, makes a shared decision once, and runs each deletion between its start and done", async () => {
    const log: string[] = [];
    const { kinds, decisions } = fakeKinds(log);
    const nodes = await bindDestroyKinds(kinds, context, {} as Observation, options);
    const plan = planStack(nodes);
    expect(plan.changes).toEqual([
      { action: "delete", resource: "Service", name: "web-dashboard", reason: "kept service", diff: [] },
    ]);
    expect(plan.skipped).toEqual([{ resource: "Service", name: "web", reason: "not ours" }]);
    expect(decisions()).toBe(1);
    await applyNodes(nodes, (event) => log.push(`${event.phase} ${event.change.name}`));
    expect(log).toEqual(["start web-dashboard", "deleted dashboard", "done web-dashboard"]);
  });
});
