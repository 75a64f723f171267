/**
 * The IAM policy, proven against real calls: a whole lifecycle (create from nothing, drift repair, a
 * spec change, a target-group replacement, destroy) runs against the emulator, and every call the
 * controller made is evaluated against the generated policy with the ARNs and tags the emulator
 * recorded. Calls on what is not ours (untagged, or another service's) are denied by the same policy.
 */
import { DeleteScalingPolicyCommand } from "@aws-sdk/client-application-auto-scaling";
import { CreateLogGroupCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { beforeAll, describe, expect, it } from "vitest";
import { EMULATOR_ACCESS_KEY_ID } from "../controller/aws/clients.ts";
import {
  DEFAULT_SCOPE,
  iamPolicyDocument,
  type PolicyScope,
  scopeOfSpecs,
} from "../controller/aws/iam-policy.ts";
import { applyPlan, planDestroy, planService } from "../controller/engine/reconcile.ts";
import type { CallRecord } from "../emulator/call-log.ts";
import { parseSpec, type ServiceSpec } from "../specs/index.ts";
import { merge, specYaml } from "../specs/test-builders.ts";
import { authorizationsOf, needsResources } from "./support/call-authorizations.ts";
import { useEmulatedAws } from "./support/emulated-aws.ts";
import { evaluate } from "./support/iam-evaluator.ts";

type Patch = Parameters<typeof merge>[1];

const aws = useEmulatedAws();

const TASK_ROLE = "arn:aws:iam::123456789012:role/ecs-converge-web-task";

function spec(name: string, patch: Patch = {}): ServiceSpec {
  const base: Patch = {
    metadata: { name, tags: { team: "platform" } },
    spec: {
      task: { taskRoleArn: TASK_ROLE },
      autoscaling: { minTasks: 2, maxTasks: 4 },
    },
  };
  return parseSpec(specYaml(merge(base, patch)), "service.yaml").spec;
}

async function converge(document: ServiceSpec): Promise<void> {
  await applyPlan(await planService(aws.clients, document), () => {});
}

async function destroy(document: ServiceSpec): Promise<void> {
  await applyPlan(await planDestroy(aws.clients, document, { keepLogs: false, timeoutMs: 60_000 }), () => {});
}

const controllerCalls = (): CallRecord[] =>
  aws.emulator.calls.calls().filter((call) => call.accessKeyId === EMULATOR_ACCESS_KEY_ID);
const operatorCalls = (): CallRecord[] =>
  aws.emulator.calls.calls().filter((call) => call.accessKeyId === "operator");

/** Each authorization the policy refuses, as `action resource (why)`. */
function refusals(scope: PolicyScope, calls: readonly CallRecord[]): string[] {
  const policy = iamPolicyDocument(scope);
  return calls.flatMap((call) =>
    authorizationsOf(call)
      .filter((request) => evaluate(policy, request).effect !== "Allow")
      .map((request) => `${request.action} ${request.resource} ${JSON.stringify(request.context)}`),
  );
}

const writes = (calls: readonly CallRecord[]) => calls.filter((call) => needsResources(call.action));

async function securityGroupId(name: string): Promise<string> {
  const { SecurityGroups = [] } = await aws.operator.ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: [name] }] }),
  );
  return SecurityGroups[0]?.GroupId ?? "";
}

async function driftEverything(): Promise<void> {
  await aws.operator.ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: await securityGroupId("web-tasks"),
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 3000, ToPort: 3000, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      ],
    }),
  );
  const { TargetGroups = [] } = await aws.operator.elbv2.send(new DescribeTargetGroupsCommand({}));
  await aws.operator.elbv2.send(
    new ModifyTargetGroupCommand({ TargetGroupArn: TargetGroups[0]?.TargetGroupArn, HealthCheckPath: "/" }),
  );
  const { LoadBalancers = [] } = await aws.operator.elbv2.send(
    new DescribeLoadBalancersCommand({ Names: ["web"] }),
  );
  const { Listeners = [] } = await aws.operator.elbv2.send(
    new DescribeListenersCommand({ LoadBalancerArn: LoadBalancers[0]?.LoadBalancerArn }),
  );
  await aws.operator.elbv2.send(new DeleteListenerCommand({ ListenerArn: Listeners[0]?.ListenerArn }));
  await aws.operator.logs.send(
    new PutRetentionPolicyCommand({ logGroupName: "/ecs/web", retentionInDays: 1 }),
  );
  await aws.operator.autoscaling.send(
    new DeleteScalingPolicyCommand({
      PolicyName: "web-cpu",
      ServiceNamespace: "ecs",
      ResourceId: "service/web/web",
      ScalableDimension: "ecs:service:DesiredCount",
    }),
  );
}

describe("the generated policy allows a whole lifecycle, call by call", () => {
  let calls: CallRecord[] = [];
  const web = spec("web");

  beforeAll(async () => {
    aws.emulator.reset();
    await converge(web); // from nothing
    await driftEverything();
    await converge(web); // drift repaired
    await converge(
      spec("web", { spec: { autoscaling: { minTasks: 3, maxTasks: 6 }, task: { cpu: 512, memory: 1024 } } }),
    );
    const replaced = spec("web", { spec: { task: { container: { port: 8080 } } } }); // a new target group
    await converge(replaced);
    await converge(replaced);
    await destroy(replaced);
    calls = controllerCalls();
  }, 120_000);

  it("made the calls a lifecycle needs, each naming the resources it acted on", () => {
    const actions = new Set(calls.map((call) => call.action));
    for (const action of [
      "ec2:CreateSecurityGroup",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:DeleteSecurityGroup",
      "elasticloadbalancing:CreateTargetGroup",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:DeleteTargetGroup",
      "elasticloadbalancing:DeleteLoadBalancer",
      "ecs:RegisterTaskDefinition",
      "ecs:UpdateService",
      "ecs:DeleteService",
      "application-autoscaling:RegisterScalableTarget",
      "application-autoscaling:PutScalingPolicy",
      "logs:PutRetentionPolicy",
      "logs:DeleteLogGroup",
    ])
      expect(actions).toContain(action);
    const unattributed = writes(calls).filter((call) => (call.resources ?? []).length === 0);
    expect(unattributed.map((call) => `${call.action} ${call.error ?? ""}`)).toEqual([]);
  });

  it("is allowed, every call, by the policy scoped to the spec (-f)", () => {
    expect(refusals(scopeOfSpecs([web]), calls)).toEqual([]);
  });

  it("is allowed by the policy scoped to a name prefix, and by the unscoped one", () => {
    expect(
      refusals(
        { ...DEFAULT_SCOPE, services: ["we*"], passRoles: [TASK_ROLE, web.spec.task.executionRoleArn] },
        calls,
      ),
    ).toEqual([]);
    expect(refusals({ ...DEFAULT_SCOPE, passRoles: ["arn:aws:iam::*:role/*"] }, calls)).toEqual([]);
  });

  it("is denied, every write, by a policy scoped to other services", () => {
    const denied = new Set(
      refusals(scopeOfSpecs([spec("api")]), writes(calls)).map((line) => line.split(" ")[0]),
    );
    for (const call of writes(calls).filter((call) => call.error === undefined))
      expect(denied).toContain(call.action);
  });

  it("passes only the roles the spec references, and only to ECS tasks", () => {
    const policy = iamPolicyDocument(scopeOfSpecs([web]));
    const pass = (resource: string, service: string) =>
      evaluate(policy, { action: "iam:PassRole", resource, context: { "iam:PassedToService": service } })
        .effect;
    expect(pass(TASK_ROLE, "ecs-tasks.amazonaws.com")).toBe("Allow");
    expect(pass("arn:aws:iam::123456789012:role/Admin", "ecs-tasks.amazonaws.com")).toBe("ImplicitDeny");
    expect(pass(TASK_ROLE, "ec2.amazonaws.com")).toBe("ImplicitDeny");
  });
});

describe("what is not ours is denied by the same policy", () => {
  const policy = () => iamPolicyDocument(scopeOfSpecs([spec("web")]));
  /** The operator's calls, judged as if the controller had made them. */
  const decisions = () =>
    operatorCalls()
      .filter((call) => needsResources(call.action))
      .map(
        (call) =>
          `${call.action}: ${authorizationsOf(call)
            .map((request) => evaluate(policy(), request).effect)
            .join(",")}`,
      );

  it("changing or deleting an untagged security group or target group with our names", async () => {
    const { GroupId } = await aws.operator.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "web-alb", Description: "not ours" }),
    );
    await aws.operator.elbv2.send(
      new CreateTargetGroupCommand({
        Name: "web-00000000",
        Protocol: "HTTP",
        Port: 80,
        VpcId: await defaultVpc(),
        TargetType: "ip",
      }),
    );
    const { TargetGroups = [] } = await aws.operator.elbv2.send(
      new DescribeTargetGroupsCommand({ Names: ["web-00000000"] }),
    );
    aws.emulator.calls.reset();
    await aws.operator.elbv2.send(
      new ModifyTargetGroupCommand({
        TargetGroupArn: TargetGroups[0]?.TargetGroupArn,
        HealthCheckPath: "/x",
      }),
    );
    await aws.operator.ec2.send(new DeleteSecurityGroupCommand({ GroupId }));
    expect(decisions()).toEqual([
      "elasticloadbalancing:ModifyTargetGroup: ImplicitDeny",
      "ec2:DeleteSecurityGroup: ImplicitDeny",
    ]);
  });

  it("creating without our ownership tag", async () => {
    aws.emulator.calls.reset();
    await aws.operator.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "web-tasks", Description: "untagged" }),
    );
    // The VPC half is allowed (a VPC carries none of our tags); the group half is not.
    expect(decisions()).toEqual(["ec2:CreateSecurityGroup: Allow,ImplicitDeny"]);
  });

  it("claiming an untagged resource (adoption) unless a spec opts in", async () => {
    // Rules and retention that differ from the spec: the adopting pass changes both.
    const { GroupId } = await aws.operator.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "web-alb", Description: "adopt me" }),
    );
    await aws.operator.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    await aws.operator.logs.send(new CreateLogGroupCommand({ logGroupName: "/ecs/web" }));
    await aws.operator.logs.send(
      new PutRetentionPolicyCommand({ logGroupName: "/ecs/web", retentionInDays: 1 }),
    );
    aws.emulator.calls.reset();
    const adopting = spec("web", { metadata: { adopt: true } });
    await converge(adopting);
    const claims = controllerCalls().filter(
      (call) =>
        /:(CreateTags|AddTags|TagResource)$/.test(call.action) &&
        call.resources?.some(
          (resource) => !resource.created && resource.tags["ecs-converge.io/managed-by"] === undefined,
        ),
    );
    expect(claims.map((call) => call.action).sort()).toEqual(["ec2:CreateTags", "logs:TagResource"]);
    expect(refusals(scopeOfSpecs([adopting]), controllerCalls())).toEqual([]);
    expect(refusals(scopeOfSpecs([spec("web")]), claims).length).toBeGreaterThan(0);
  });
});

async function defaultVpc(): Promise<string> {
  const { SecurityGroups = [] } = await aws.operator.ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["default"] }] }),
  );
  return SecurityGroups[0]?.VpcId ?? "";
}
