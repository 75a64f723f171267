/**
 * The authorizations AWS makes for one call of the emulator's call log: the call's own action on each
 * resource it acted on (with that resource's tags, and the request's tags), the tagging permission a
 * create with tags also needs (tag-on-create), and iam:PassRole for each role the call hands to ECS.
 * Which actions IAM evaluates only on `*` follows the Service Authorization Reference.
 */
import type { CallRecord } from "../../emulator/call-log.ts";
import type { AuthorizationRequest, ContextValue } from "./iam-evaluator.ts";

/** Actions with no resource types in the Service Authorization Reference: IAM evaluates them on `*`. */
const RESOURCELESS = [
  /^ec2:Describe/,
  /^elasticloadbalancing:Describe/,
  /^application-autoscaling:Describe/,
  /^logs:DescribeLogGroups$/,
  /^ecs:(CreateCluster|RegisterTaskDefinition|DeregisterTaskDefinition|DescribeTaskDefinition|ListTaskDefinitions|ListServices|ListTasks)$/,
];

/** Creates that carry tags, and the tagging action (and its `CreateAction` key) AWS also checks for them. */
const TAG_ON_CREATE: Record<string, { action: string; createActionKey?: string }> = {
  "ec2:CreateSecurityGroup": { action: "ec2:CreateTags", createActionKey: "ec2:CreateAction" },
  "elasticloadbalancing:CreateLoadBalancer": {
    action: "elasticloadbalancing:AddTags",
    createActionKey: "elasticloadbalancing:CreateAction",
  },
  "elasticloadbalancing:CreateTargetGroup": {
    action: "elasticloadbalancing:AddTags",
    createActionKey: "elasticloadbalancing:CreateAction",
  },
  "elasticloadbalancing:CreateListener": {
    action: "elasticloadbalancing:AddTags",
    createActionKey: "elasticloadbalancing:CreateAction",
  },
  "ecs:CreateCluster": { action: "ecs:TagResource", createActionKey: "ecs:CreateAction" },
  "ecs:CreateService": { action: "ecs:TagResource", createActionKey: "ecs:CreateAction" },
  "ecs:RegisterTaskDefinition": { action: "ecs:TagResource", createActionKey: "ecs:CreateAction" },
  "logs:CreateLogGroup": { action: "logs:TagResource" },
  "application-autoscaling:RegisterScalableTarget": { action: "application-autoscaling:TagResource" },
};

const isResourceless = (action: string) => RESOURCELESS.some((pattern) => pattern.test(action));

function requestContext(call: CallRecord): Record<string, ContextValue> {
  const tags = call.requestTags ?? {};
  const context: Record<string, ContextValue> = {};
  for (const [key, value] of Object.entries(tags)) context[`aws:RequestTag/${key}`] = value;
  if (Object.keys(tags).length > 0) context["aws:TagKeys"] = Object.keys(tags);
  return context;
}

function resourceContext(tags: Record<string, string>): Record<string, ContextValue> {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:ResourceTag/${key}`, value]));
}

/** Every authorization AWS makes for the call. */
export function authorizationsOf(call: CallRecord): AuthorizationRequest[] {
  const base = requestContext(call);
  const resources = call.resources ?? [];
  const requests: AuthorizationRequest[] = isResourceless(call.action)
    ? [{ action: call.action, resource: "*", context: base }]
    : resources.length === 0
      ? [{ action: call.action, resource: "*", context: base }]
      : resources.map((resource) => ({
          action: call.action,
          resource: resource.arn,
          context: { ...base, ...resourceContext(resource.tags) },
        }));

  const tagging = TAG_ON_CREATE[call.action];
  const made = resources.filter((resource) => resource.created);
  if (tagging && Object.keys(call.requestTags ?? {}).length > 0) {
    const operation = call.action.split(":")[1] as string;
    const context = { ...base, ...(tagging.createActionKey ? { [tagging.createActionKey]: operation } : {}) };
    const targets = made.length > 0 ? made.map((resource) => resource.arn) : ["*"];
    for (const resource of targets) requests.push({ action: tagging.action, resource, context });
  }

  for (const role of call.passedRoles ?? [])
    requests.push({
      action: "iam:PassRole",
      resource: role,
      context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
    });
  return requests;
}

/** Whether IAM authorizes the call on particular resources (so the call log must name them). */
export const needsResources = (action: string) => !isResourceless(action) && !/:(Describe|List)/.test(action);
