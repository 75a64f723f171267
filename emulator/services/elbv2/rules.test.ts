import {
  AddTagsCommand,
  CreateRuleCommand,
  type CreateRuleCommandInput,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ListenerNotFoundException,
  ModifyRuleCommand,
  OperationNotPermittedException,
  PriorityInUseException,
  ResourceInUseException,
  type Rule,
  RuleNotFoundException,
  SetRulePrioritiesCommand,
  TargetGroupAssociationLimitException,
  TargetGroupNotFoundException,
  TooManyRulesException,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";
import {
  createAlb,
  createListener,
  createTargetGroup,
  type DefaultNetwork,
  defaultNetwork,
} from "./test-fixtures.ts";

let emulator: Emulator;
let clients: TestClients;
let network: DefaultNetwork;
let loadBalancerArn: string;
let targetGroupArn: string;
let listenerArn: string;

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
  network = await defaultNetwork(clients);
  loadBalancerArn = (await createAlb(clients, network)).LoadBalancerArn;
  targetGroupArn = (await createTargetGroup(clients, network)).TargetGroupArn;
  listenerArn = (await createListener(clients, loadBalancerArn, targetGroupArn)).ListenerArn;
});
afterAll(async () => {
  await emulator?.close();
});

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "no error",
    (error: Error) => error.name,
  );

const forwardTo = (arn: string) => ({
  Type: "forward",
  TargetGroupArn: arn,
  ForwardConfig: {
    TargetGroups: [{ TargetGroupArn: arn, Weight: 1 }],
    TargetGroupStickinessConfig: { Enabled: false },
  },
});

/** A rule on the listener: `/api/*` forwarded to `forward` (the listener's group unless told otherwise). */
async function createRule(overrides: Partial<CreateRuleCommandInput> = {}, forward = targetGroupArn) {
  const { Rules } = await clients.elbv2.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 10,
      Conditions: [{ Field: "path-pattern", Values: ["/api/*"] }],
      Actions: [{ Type: "forward", TargetGroupArn: forward }],
      ...overrides,
    }),
  );
  const rule = Rules?.[0];
  if (!rule?.RuleArn) throw new Error("CreateRule returned no rule");
  return { ...rule, RuleArn: rule.RuleArn };
}

const rulesOf = async (arn = listenerArn): Promise<Rule[]> =>
  (await clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: arn }))).Rules ?? [];
const priorities = async () => (await rulesOf()).map((rule) => rule.Priority);

describe("CreateRule", () => {
  it("returns the rule with an ARN under the listener, and reads a path pattern back in both forms", async () => {
    const rule = await createRule();
    const listenerPart = listenerArn.split(":listener/")[1];
    expect(rule).toEqual({
      RuleArn: expect.stringMatching(
        new RegExp(
          `^arn:aws:elasticloadbalancing:us-east-1:000000000000:listener-rule/${listenerPart}/[0-9a-f]{16}$`,
        ),
      ),
      Priority: "10",
      Conditions: [{ Field: "path-pattern", Values: ["/api/*"], PathPatternConfig: { Values: ["/api/*"] } }],
      Actions: [forwardTo(targetGroupArn)],
      IsDefault: false,
    });
  });

  it("takes host-header and http-header conditions through their Config forms", async () => {
    const rule = await createRule({
      Conditions: [
        { Field: "host-header", HostHeaderConfig: { Values: ["api.example.com", "*.example.org"] } },
        { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "X-Canary", Values: ["on"] } },
        { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "User-Agent", Values: ["*Mobile*"] } },
      ],
    });
    expect(rule.Conditions).toEqual([
      {
        Field: "host-header",
        Values: ["api.example.com", "*.example.org"],
        HostHeaderConfig: { Values: ["api.example.com", "*.example.org"] },
      },
      { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "X-Canary", Values: ["on"] } },
      { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "User-Agent", Values: ["*Mobile*"] } },
    ]);
  });

  it("forwards to weighted target groups (weights 0 to 999)", async () => {
    const canary = await createTargetGroup(clients, network, { Name: "canary-tg" });
    const rule = await createRule({
      Actions: [
        {
          Type: "forward",
          ForwardConfig: {
            TargetGroups: [
              { TargetGroupArn: targetGroupArn, Weight: 999 },
              { TargetGroupArn: canary.TargetGroupArn, Weight: 0 },
            ],
          },
        },
      ],
    });
    expect(rule.Actions).toEqual([
      {
        Type: "forward",
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: targetGroupArn, Weight: 999 },
            { TargetGroupArn: canary.TargetGroupArn, Weight: 0 },
          ],
          TargetGroupStickinessConfig: { Enabled: false },
        },
      },
    ]);
  });

  it.each([
    ["priority 0", { Priority: 0 }],
    ["priority 50001", { Priority: 50_001 }],
    ["no priority", { Priority: undefined }],
    ["no conditions", { Conditions: [] }],
    ["no actions", { Actions: [] }],
    ["an unknown condition field", { Conditions: [{ Field: "cookie", Values: ["x"] }] }],
    [
      "two path-pattern conditions",
      {
        Conditions: [
          { Field: "path-pattern", Values: ["/a"] },
          { Field: "path-pattern", Values: ["/b"] },
        ],
      },
    ],
    ["Values on an http-header condition", { Conditions: [{ Field: "http-header", Values: ["x"] }] }],
    [
      "an http-header condition on the host header",
      { Conditions: [{ Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "Host", Values: ["x"] } }] },
    ],
    [
      "more than five condition values",
      {
        Conditions: [
          { Field: "path-pattern", PathPatternConfig: { Values: ["/1", "/2", "/3", "/4", "/5", "/6"] } },
        ],
      },
    ],
    [
      "a weight above 999",
      {
        Actions: [
          {
            Type: "forward" as const,
            ForwardConfig: { TargetGroups: [{ TargetGroupArn: "tg", Weight: 1000 }] },
          },
        ],
      },
    ],
  ])("refuses a rule with %s (ValidationError), creating nothing", async (_reason, change) => {
    expect(await errorOf(createRule(change))).toBe("ValidationError");
    expect(await priorities()).toEqual(["default"]);
  });

  it("is PriorityInUse for a priority the listener's rules already hold", async () => {
    await createRule();
    await expect(
      createRule({ Conditions: [{ Field: "path-pattern", Values: ["/other"] }] }),
    ).rejects.toBeInstanceOf(PriorityInUseException);
    expect(await priorities()).toEqual(["10", "default"]);
  });

  it("is ListenerNotFound, TargetGroupNotFound or TargetGroupAssociationLimit for what it refers to", async () => {
    await expect(createRule({ ListenerArn: `${listenerArn.slice(0, -4)}0000` })).rejects.toBeInstanceOf(
      ListenerNotFoundException,
    );
    await expect(createRule({}, targetGroupArn.replace("/web-tg/", "/gone/"))).rejects.toBeInstanceOf(
      TargetGroupNotFoundException,
    );
    const other = await createTargetGroup(clients, network, { Name: "other-tg" });
    const second = await createAlb(clients, network, { Name: "second" });
    await createListener(clients, second.LoadBalancerArn, other.TargetGroupArn);
    await expect(createRule({}, other.TargetGroupArn)).rejects.toBeInstanceOf(
      TargetGroupAssociationLimitException,
    );
    expect(await priorities()).toEqual(["default"]);
  });

  it("is TooManyRules past 100 rules on one load balancer (default rules not counted)", async () => {
    const second = await createListener(clients, loadBalancerArn, targetGroupArn, { Port: 8080 });
    for (let priority = 1; priority <= 100; priority += 1)
      await createRule({ Priority: priority, ListenerArn: priority % 2 ? listenerArn : second.ListenerArn });
    await expect(createRule({ Priority: 101 })).rejects.toBeInstanceOf(TooManyRulesException);
    expect(await rulesOf()).toHaveLength(51);
  });
});

describe("DescribeRules", () => {
  it("lists a listener's rules by priority, then the default rule with the listener's default actions", async () => {
    const late = await createRule({ Priority: 30 });
    const early = await createRule({
      Priority: 5,
      Conditions: [{ Field: "host-header", Values: ["a.example.com"] }],
    });
    const rules = await rulesOf();
    expect(rules.map((rule) => rule.RuleArn)).toEqual([early.RuleArn, late.RuleArn, expect.any(String)]);
    expect(rules[2]).toEqual({
      RuleArn: expect.stringContaining(":listener-rule/app/web/"),
      Priority: "default",
      Conditions: [],
      Actions: [forwardTo(targetGroupArn)],
      IsDefault: true,
    });
  });

  it("describes by RuleArns; an unknown rule is RuleNotFound; one of listener or rules is needed", async () => {
    const rule = await createRule();
    const { Rules } = await clients.elbv2.send(new DescribeRulesCommand({ RuleArns: [rule.RuleArn] }));
    expect(Rules).toEqual([rule]);
    await expect(
      clients.elbv2.send(new DescribeRulesCommand({ RuleArns: [`${rule.RuleArn.slice(0, -4)}0000`] })),
    ).rejects.toBeInstanceOf(RuleNotFoundException);
    expect(await errorOf(clients.elbv2.send(new DescribeRulesCommand({})))).toBe("ValidationError");
    expect(
      await errorOf(
        clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn, RuleArns: [rule.RuleArn] })),
      ),
    ).toBe("ValidationError");
    await expect(
      clients.elbv2.send(new DescribeRulesCommand({ ListenerArn: `${listenerArn.slice(0, -4)}0000` })),
    ).rejects.toBeInstanceOf(ListenerNotFoundException);
  });

  it("pages with Marker and PageSize", async () => {
    for (const priority of [1, 2, 3]) await createRule({ Priority: priority });
    const first = await clients.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: 3 }),
    );
    const second = await clients.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, PageSize: 3, Marker: first.NextMarker }),
    );
    expect(second.NextMarker).toBeUndefined();
    expect([...(first.Rules ?? []), ...(second.Rules ?? [])].map((rule) => rule.Priority)).toEqual([
      "1",
      "2",
      "3",
      "default",
    ]);
  });
});

describe("ModifyRule", () => {
  it("replaces the conditions and actions given, keeping the rest", async () => {
    const rule = await createRule();
    const other = await createTargetGroup(clients, network, { Name: "other-tg" });
    await clients.elbv2.send(
      new ModifyRuleCommand({
        RuleArn: rule.RuleArn,
        Actions: [{ Type: "forward", TargetGroupArn: other.TargetGroupArn }],
      }),
    );
    const [modified] = await rulesOf();
    expect(modified).toEqual({ ...rule, Actions: [forwardTo(other.TargetGroupArn)] });
  });

  it("changes the default rule's actions, which are the listener's; its conditions are OperationNotPermitted", async () => {
    const defaultRule = (await rulesOf())[0];
    await clients.elbv2.send(
      new ModifyRuleCommand({
        RuleArn: defaultRule?.RuleArn,
        Actions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } }],
      }),
    );
    const { Listeners } = await clients.elbv2.send(
      new DescribeListenersCommand({ ListenerArns: [listenerArn] }),
    );
    expect(Listeners?.[0]?.DefaultActions).toEqual([
      { Type: "fixed-response", FixedResponseConfig: { StatusCode: "404" } },
    ]);
    await expect(
      clients.elbv2.send(
        new ModifyRuleCommand({
          RuleArn: defaultRule?.RuleArn,
          Conditions: [{ Field: "path-pattern", Values: ["/"] }],
        }),
      ),
    ).rejects.toBeInstanceOf(OperationNotPermittedException);
  });
});

describe("SetRulePriorities", () => {
  it("swaps priorities in one call; a clash with a rule not named is PriorityInUse and changes nothing", async () => {
    const a = await createRule({ Priority: 1 });
    const b = await createRule({ Priority: 2 });
    await createRule({ Priority: 3 });
    const { Rules } = await clients.elbv2.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: a.RuleArn, Priority: 2 },
          { RuleArn: b.RuleArn, Priority: 1 },
        ],
      }),
    );
    expect(Rules?.map((rule) => [rule.RuleArn, rule.Priority])).toEqual([
      [b.RuleArn, "1"],
      [a.RuleArn, "2"],
    ]);
    await expect(
      clients.elbv2.send(
        new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: a.RuleArn, Priority: 3 }] }),
      ),
    ).rejects.toBeInstanceOf(PriorityInUseException);
    expect((await rulesOf()).map((rule) => rule.RuleArn).slice(0, 2)).toEqual([b.RuleArn, a.RuleArn]);
  });

  it("refuses the default rule (OperationNotPermitted)", async () => {
    const defaultRule = (await rulesOf())[0];
    await expect(
      clients.elbv2.send(
        new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: defaultRule?.RuleArn, Priority: 7 }] }),
      ),
    ).rejects.toBeInstanceOf(OperationNotPermittedException);
  });
});

describe("DeleteRule", () => {
  it("deletes a rule; an unknown one is RuleNotFound; the default rule is OperationNotPermitted", async () => {
    const rule = await createRule();
    await clients.elbv2.send(new DeleteRuleCommand({ RuleArn: rule.RuleArn }));
    expect(await priorities()).toEqual(["default"]);
    await expect(clients.elbv2.send(new DeleteRuleCommand({ RuleArn: rule.RuleArn }))).rejects.toBeInstanceOf(
      RuleNotFoundException,
    );
    const defaultRule = (await rulesOf())[0];
    await expect(
      clients.elbv2.send(new DeleteRuleCommand({ RuleArn: defaultRule?.RuleArn })),
    ).rejects.toBeInstanceOf(OperationNotPermittedException);
  });
});

describe("rules and target groups", () => {
  it("a group only a rule forwards to is associated with the load balancer and cannot be deleted (ResourceInUse)", async () => {
    const routed = await createTargetGroup(clients, network, { Name: "routed-tg" });
    const rule = await createRule({}, routed.TargetGroupArn);
    const { TargetGroups } = await clients.elbv2.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: [routed.TargetGroupArn] }),
    );
    expect(TargetGroups?.[0]?.LoadBalancerArns).toEqual([loadBalancerArn]);
    await expect(
      clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: routed.TargetGroupArn })),
    ).rejects.toBeInstanceOf(ResourceInUseException);
    await clients.elbv2.send(new DeleteRuleCommand({ RuleArn: rule.RuleArn }));
    await clients.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: routed.TargetGroupArn }));
    const { TargetGroups: left = [] } = await clients.elbv2.send(new DescribeTargetGroupsCommand({}));
    expect(left.map((group) => group.TargetGroupName)).toEqual(["web-tg"]);
  });

  it("deleting a listener deletes its rules; deleting a load balancer deletes its listeners' rules", async () => {
    const rule = await createRule();
    await clients.elbv2.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    await expect(
      clients.elbv2.send(new DescribeRulesCommand({ RuleArns: [rule.RuleArn] })),
    ).rejects.toBeInstanceOf(RuleNotFoundException);
    listenerArn = (await createListener(clients, loadBalancerArn, targetGroupArn)).ListenerArn;
    const again = await createRule();
    await clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: loadBalancerArn }));
    await expect(
      clients.elbv2.send(new DescribeRulesCommand({ RuleArns: [again.RuleArn] })),
    ).rejects.toBeInstanceOf(RuleNotFoundException);
    expect(emulator.world.region("us-east-1").elbv2.rules.size).toBe(0);
  });
});

describe("rule tags", () => {
  it("are set on create, added with AddTags and read with DescribeTags by rule ARN", async () => {
    const rule = await createRule({ Tags: [{ Key: "owner", Value: "search" }] });
    await clients.elbv2.send(
      new AddTagsCommand({ ResourceArns: [rule.RuleArn], Tags: [{ Key: "team", Value: "web" }] }),
    );
    const { TagDescriptions } = await clients.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [rule.RuleArn] }),
    );
    expect(TagDescriptions).toEqual([
      {
        ResourceArn: rule.RuleArn,
        Tags: [
          { Key: "owner", Value: "search" },
          { Key: "team", Value: "web" },
        ],
      },
    ]);
    await expect(
      clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: [`${rule.RuleArn.slice(0, -4)}0000`] })),
    ).rejects.toBeInstanceOf(RuleNotFoundException);
  });
});
