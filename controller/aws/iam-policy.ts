/**
 * The least-privilege IAM policy the controller needs: exactly the API actions it calls, each scoped
 * as far as IAM allows, by the resources' derived names (ARN patterns) and by the ownership tag:
 * a create must tag what it makes as ours, a change or delete needs a resource already tagged as ours,
 * and a later tag write may not touch the ownership tag. What IAM cannot scope is listed in
 * `UNSCOPED_STATEMENTS` with why (and in the README). A test fails when the code calls an action
 * missing here, and `test/iam-policy.test.ts` evaluates this policy against every call of a whole
 * lifecycle on the emulator, with the real ARNs and tags.
 */
import type { ServiceSpec } from "../../specs/index.ts";
import { CLUSTER_TAG, MANAGED_BY_TAG, MANAGED_BY_VALUE, RESOURCE_TAG, SERVICE_TAG } from "../ownership.ts";
import { FAILED_ROLLOUT_TAG } from "../resources/task-definition/task-definition.ts";

/** Every tag key the controller itself writes shares this prefix. */
const OWN_TAG_KEYS = "ecs-converge.io/*";
for (const key of [MANAGED_BY_TAG, SERVICE_TAG, RESOURCE_TAG, CLUSTER_TAG, FAILED_ROLLOUT_TAG])
  if (!key.startsWith(OWN_TAG_KEYS.slice(0, -1)))
    throw new Error(`tag key ${key} is outside ${OWN_TAG_KEYS}`);

/** Every AWS API action the controller calls, by IAM service prefix. */
export const CONTROLLER_ACTIONS: Record<string, readonly string[]> = {
  ec2: [
    "AuthorizeSecurityGroupEgress",
    "AuthorizeSecurityGroupIngress",
    "CreateSecurityGroup",
    "CreateTags",
    "DeleteSecurityGroup",
    "DescribeSecurityGroups",
    "DescribeSubnets",
    "DescribeVpcs",
    "RevokeSecurityGroupEgress",
    "RevokeSecurityGroupIngress",
  ],
  elasticloadbalancing: [
    "AddTags",
    "CreateListener",
    "CreateLoadBalancer",
    "CreateTargetGroup",
    "DeleteListener",
    "DeleteLoadBalancer",
    "DeleteTargetGroup",
    "DescribeListeners",
    "DescribeLoadBalancers",
    "DescribeRules",
    "DescribeTags",
    "DescribeTargetGroupAttributes",
    "DescribeTargetGroups",
    "DescribeTargetHealth",
    "ModifyListener",
    "ModifyTargetGroup",
    "ModifyTargetGroupAttributes",
    "SetSecurityGroups",
    "SetSubnets",
  ],
  ecs: [
    "CreateCluster",
    "CreateService",
    "DeleteCluster",
    "DeleteService",
    "DeregisterTaskDefinition",
    "DescribeClusters",
    "DescribeServices",
    "DescribeTaskDefinition",
    "DescribeTasks",
    "ListServices",
    "ListTaskDefinitions",
    "ListTasks",
    "RegisterTaskDefinition",
    "TagResource",
    "UpdateService",
  ],
  "application-autoscaling": [
    "DeleteScalingPolicy",
    "DeregisterScalableTarget",
    "DescribeScalableTargets",
    "DescribeScalingActivities",
    "DescribeScalingPolicies",
    "ListTagsForResource",
    "PutScalingPolicy",
    "RegisterScalableTarget",
    "TagResource",
  ],
  // Target tracking: Application Auto Scaling creates and deletes the policy's alarms with the caller's permissions.
  cloudwatch: ["DeleteAlarms", "DescribeAlarms", "PutMetricAlarm"],
  // The lease table (run --lease-table): only replicas that coordinate through leases call these.
  dynamodb: ["CreateTable", "DeleteItem", "DescribeTable", "PutItem", "Scan", "UpdateItem"],
  logs: [
    "CreateLogGroup",
    "DeleteLogGroup",
    "DescribeLogGroups",
    "FilterLogEvents",
    "ListTagsForResource",
    "PutRetentionPolicy",
    "TagResource",
  ],
};

/**
 * Actions no command names but AWS checks anyway: tags passed in a create call need the service's
 * tagging permission (RegisterScalableTarget with Tags needs application-autoscaling:TagResource), and
 * a target tracking policy's alarms are made with the caller's CloudWatch permissions.
 */
export const IMPLIED_ACTIONS: readonly string[] = [
  "application-autoscaling:TagResource",
  "cloudwatch:DeleteAlarms",
  "cloudwatch:DescribeAlarms",
  "cloudwatch:PutMetricAlarm",
];

/** `ec2:CreateSecurityGroup`, … sorted. */
export function controllerActions(): string[] {
  return Object.entries(CONTROLLER_ACTIONS)
    .flatMap(([prefix, actions]) => actions.map((action) => `${prefix}:${action}`))
    .sort();
}

/** IAM's size limits, counted without whitespace: one managed policy, and all inline policies of a role. */
export const MANAGED_POLICY_MAX_CHARS = 6144;
export const INLINE_POLICIES_MAX_CHARS = 10_240;

/** A policy's size as IAM counts it (whitespace is not counted). */
export const policySize = (document: PolicyDocument): number =>
  JSON.stringify(document).replace(/\s/g, "").length;

/** What the policy is scoped to. */
export interface PolicyScope {
  /** The services the controller manages: exact names, or patterns (`web*`); `["*"]` for any. */
  services: readonly string[];
  /** ECS clusters the services may create and delete (exact names); absent: any cluster, by tag. */
  clusters?: readonly string[];
  /** Log groups (exact names); absent: `/ecs/{service}`. */
  logGroups?: readonly string[];
  /** VPC ids security groups are made in; absent: any VPC (the default VPC is found at run time). */
  vpcs?: readonly string[];
  /** Role ARNs (or patterns) a task definition may name, passed to ECS tasks. */
  passRoles: readonly string[];
  /** Patterns of every tag key the controller writes, when known (the specs' own tags included): creates may write no other. */
  tagKeys?: readonly string[];
  /** The DynamoDB lease table of `run --lease-table`; absent: no DynamoDB permission. */
  leaseTable?: string;
  /** Allow taking over untagged resources with our names (`metadata.adopt: true`). */
  adoption: boolean;
}

/** Task and execution roles `iam-policy` lets ECS be handed when it is not told which. */
export const DEFAULT_PASS_ROLE_PATTERN = "arn:aws:iam::*:role/ecs-converge-*";

export const DEFAULT_SCOPE: PolicyScope = {
  services: ["*"],
  passRoles: [DEFAULT_PASS_ROLE_PATTERN],
  adoption: false,
};

/** The scope of exactly these specs: their names, clusters, log groups, VPCs, roles and tag keys. */
export function scopeOfSpecs(specs: readonly ServiceSpec[], leaseTable?: string): PolicyScope {
  const unique = (values: Iterable<string>) => [...new Set(values)].sort();
  const vpcs = specs.map((spec) => spec.spec.network.vpc);
  return {
    services: unique(specs.map((spec) => spec.metadata.name)),
    clusters: unique(specs.map((spec) => spec.spec.cluster)),
    logGroups: unique(specs.map((spec) => spec.spec.logging.logGroup)),
    // One spec on the default VPC means the VPC is known only at run time.
    ...(vpcs.includes("default") ? {} : { vpcs: unique(vpcs) }),
    passRoles: unique(
      specs.flatMap((spec) => [spec.spec.task.executionRoleArn, spec.spec.task.taskRoleArn ?? []].flat()),
    ),
    // Ours are one pattern; the specs' own keys are listed exactly (a `*` or `?` in one would be a wildcard).
    tagKeys: unique([OWN_TAG_KEYS, ...specs.flatMap((spec) => Object.keys(spec.metadata.tags))]),
    ...(leaseTable === undefined ? {} : { leaseTable }),
    adoption: specs.some((spec) => spec.metadata.adopt),
  };
}

/**
 * The statements IAM cannot scope further, and why: printed in the README, and a test checks that
 * every statement granting `*` is one of these.
 */
export const UNSCOPED_STATEMENTS: Record<string, string> = {
  ReadAnything:
    "Describe and List calls: most support no resource-level permissions (IAM grants them only on *), and a read changes nothing",
  CreateClustersAndTaskDefinitionsTaggedAsOurs:
    "ecs:CreateCluster and ecs:RegisterTaskDefinition support no resource-level permissions; the request must still tag what it makes as ours",
  TagEcsOnCreate:
    "ECS checks ecs:TagResource on * when a create carries tags; ecs:CreateAction limits it to tags written by those creates",
  DeregisterTaskDefinitions:
    "ecs:DeregisterTaskDefinition supports no resource-level permissions and no tag condition; the controller deregisters only revisions tagged as ours",
};

type Condition = Record<string, Record<string, string | string[]>>;

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** Merges condition blocks: the same operator's keys are combined (all must hold). */
function conditions(...blocks: Condition[]): Condition {
  const merged: Condition = {};
  for (const block of blocks)
    for (const [operator, keys] of Object.entries(block)) merged[operator] = { ...merged[operator], ...keys };
  return merged;
}

const one = <T>(values: readonly T[]): T | T[] => (values.length === 1 ? (values[0] as T) : [...values]);

/** The policy document to attach to the controller's role. */
export function iamPolicyDocument(scope: PolicyScope = DEFAULT_SCOPE): PolicyDocument {
  const anyService = scope.services.includes("*");
  const names = anyService ? ["*"] : scope.services;
  const arns = (service: string, resource: string) => `arn:aws:${service}:*:*:${resource}`;

  // `loadbalancer/app/{name}/{id}` and its listeners' `listener/app/{name}/{id}/{id}`, in one pattern.
  const loadBalancersAndListeners = names.map((name) => arns("elasticloadbalancing", `*/app/${name}/*`));
  const targetGroups = names.map((name) => arns("elasticloadbalancing", `targetgroup/${name}-*/*`));
  const clusters = (scope.clusters ?? ["*"]).map((name) => arns("ecs", `cluster/${name}`));
  const services = names.map((name) => arns("ecs", `service/*/${name}`));
  const taskDefinitions = names.map((name) => arns("ecs", `task-definition/${name}:*`));
  // IAM names a log group `log-group:NAME`, some actions `log-group:NAME:*`: an exact name needs both,
  // a pattern ending in `*` covers both (a wildcard in an ARN's resource part crosses colons).
  const logGroups = (scope.logGroups ?? names.map((name) => `/ecs/${name}`)).flatMap((name) =>
    name.endsWith("*")
      ? [arns("logs", `log-group:${name}`)]
      : [arns("logs", `log-group:${name}`), arns("logs", `log-group:${name}:*`)],
  );
  const securityGroups = [arns("ec2", "security-group/*")];
  const vpcs = (scope.vpcs ?? ["*"]).map((id) => arns("ec2", `vpc/${id}`));
  const scalableTargets = [arns("application-autoscaling", "scalable-target/*")];
  const alarms = names.map((name) => arns("cloudwatch", `alarm:TargetTracking-service/*/${name}-Alarm*`));

  // Ours: tagged managed-by ecs-converge (and, when scoped, by one of these services).
  const owned = conditions(
    { StringEquals: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE } },
    anyService ? {} : { StringLike: { [`aws:ResourceTag/${SERVICE_TAG}`]: [...names] } },
  );
  // A create must tag what it makes as ours, with only the tag keys the controller writes.
  const taggedAsOurs = conditions(
    { StringEquals: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: MANAGED_BY_VALUE } },
    anyService ? {} : { StringLike: { [`aws:RequestTag/${SERVICE_TAG}`]: [...names] } },
    scope.tagKeys ? { "ForAllValues:StringLike": { "aws:TagKeys": [...scope.tagKeys] } } : {},
  );
  // A later tag write on something of ours may not set the ownership tag (that is a claim: adoption).
  const ownershipTagUntouched = conditions(owned, {
    Null: { [`aws:RequestTag/${MANAGED_BY_TAG}`]: "true" },
  });

  // Statements with the same condition are merged across services (an action is only ever sent
  // for its own service's ARNs), which keeps the document under IAM's size limit for managed policies.
  const named = [...loadBalancersAndListeners, ...targetGroups, ...clusters, ...services, ...logGroups];
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadAnything",
      Effect: "Allow",
      Action: controllerActions().filter(
        (action) => /:(Describe|List)/.test(action) && !action.startsWith("dynamodb:"),
      ),
      Resource: "*",
    },
    {
      Sid: "CreateTaggedAsOurs",
      Effect: "Allow",
      Action: [
        "application-autoscaling:RegisterScalableTarget",
        "ec2:CreateSecurityGroup",
        "ecs:CreateService",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:CreateTargetGroup",
        "logs:CreateLogGroup",
      ],
      // A listener is authorized on its load balancer or on itself: both are listed.
      Resource: [...securityGroups, ...scalableTargets, ...named],
      Condition: taggedAsOurs,
    },
    // A security group is made in a VPC, which carries none of our tags.
    {
      Sid: "CreateSecurityGroupsInVpc",
      Effect: "Allow",
      Action: "ec2:CreateSecurityGroup",
      Resource: one(vpcs),
    },
    {
      Sid: "CreateClustersAndTaskDefinitionsTaggedAsOurs",
      Effect: "Allow",
      Action: ["ecs:CreateCluster", "ecs:RegisterTaskDefinition"],
      Resource: "*",
      Condition: taggedAsOurs,
    },
    // Tags in a create call are checked as a tagging action too; the CreateAction keys limit it to creates.
    {
      Sid: "TagSecurityGroupsOnCreate",
      Effect: "Allow",
      Action: "ec2:CreateTags",
      Resource: securityGroups,
      Condition: conditions(taggedAsOurs, { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" } }),
    },
    {
      Sid: "TagLoadBalancingOnCreate",
      Effect: "Allow",
      Action: "elasticloadbalancing:AddTags",
      Resource: [...loadBalancersAndListeners, ...targetGroups],
      Condition: conditions(taggedAsOurs, {
        StringEquals: {
          "elasticloadbalancing:CreateAction": ["CreateListener", "CreateLoadBalancer", "CreateTargetGroup"],
        },
      }),
    },
    {
      Sid: "TagEcsOnCreate",
      Effect: "Allow",
      Action: "ecs:TagResource",
      Resource: "*",
      Condition: conditions(taggedAsOurs, {
        StringEquals: { "ecs:CreateAction": ["CreateCluster", "CreateService", "RegisterTaskDefinition"] },
      }),
    },
    // Logs and Application Auto Scaling have no CreateAction key: tagging at creation is allowed on
    // what carries no ownership tag yet, so nothing of another service can be re-tagged.
    {
      Sid: "TagUntaggedOnCreate",
      Effect: "Allow",
      Action: ["application-autoscaling:TagResource", "logs:TagResource"],
      Resource: [...scalableTargets, ...logGroups],
      Condition: conditions(taggedAsOurs, { Null: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: "true" } }),
    },
    {
      Sid: "ChangeOwnedResources",
      Effect: "Allow",
      Action: [
        "application-autoscaling:DeleteScalingPolicy",
        "application-autoscaling:DeregisterScalableTarget",
        "application-autoscaling:PutScalingPolicy",
        "application-autoscaling:RegisterScalableTarget",
        "ec2:AuthorizeSecurityGroupEgress",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:DeleteSecurityGroup",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:RevokeSecurityGroupIngress",
        "ecs:DeleteCluster",
        "ecs:DeleteService",
        "ecs:UpdateService",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "logs:DeleteLogGroup",
        "logs:PutRetentionPolicy",
      ],
      Resource: [...securityGroups, ...scalableTargets, ...named],
      Condition: owned,
    },
    {
      Sid: "RetagOwnedResources",
      Effect: "Allow",
      Action: [
        "application-autoscaling:TagResource",
        "ec2:CreateTags",
        "ecs:TagResource",
        "elasticloadbalancing:AddTags",
        "logs:TagResource",
      ],
      Resource: [...securityGroups, ...scalableTargets, ...named, ...taskDefinitions],
      Condition: ownershipTagUntouched,
    },
    {
      Sid: "DeregisterTaskDefinitions",
      Effect: "Allow",
      Action: "ecs:DeregisterTaskDefinition",
      Resource: "*",
    },
    // The service's container logs (`ecs-converge logs`): a read, on our log groups only.
    { Sid: "ReadOurLogs", Effect: "Allow", Action: "logs:FilterLogEvents", Resource: logGroups },
    {
      Sid: "TargetTrackingAlarms",
      Effect: "Allow",
      Action: ["cloudwatch:DeleteAlarms", "cloudwatch:PutMetricAlarm"],
      Resource: one(alarms),
    },
  ];

  if (scope.adoption) {
    // metadata.adopt: an untagged resource with our name gets our tags. Security groups and scalable
    // targets carry no name in their ARN, so any untagged one can be claimed: grant this only if needed.
    statements.push({
      Sid: "AdoptUntaggedResourcesWithOurNames",
      Effect: "Allow",
      Action: [
        "application-autoscaling:TagResource",
        "ec2:CreateTags",
        "ecs:TagResource",
        "elasticloadbalancing:AddTags",
        "logs:TagResource",
      ],
      Resource: [...securityGroups, ...scalableTargets, ...named, ...taskDefinitions],
      Condition: conditions(taggedAsOurs, { Null: { [`aws:ResourceTag/${MANAGED_BY_TAG}`]: "true" } }),
    });
  }

  if (scope.leaseTable !== undefined) {
    statements.push({
      Sid: "LeaseTable",
      Effect: "Allow",
      Action: CONTROLLER_ACTIONS.dynamodb?.map((action) => `dynamodb:${action}`) ?? [],
      Resource: arns("dynamodb", `table/${scope.leaseTable}`),
    });
  }

  statements.push(
    {
      Sid: "PassTaskRolesToEcs",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: one(scope.passRoles),
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
    {
      Sid: "FirstUseServiceLinkedRoles",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      // Service-linked roles live under this path; the condition names the three services.
      Resource: "arn:aws:iam::*:role/aws-service-role/*",
      Condition: {
        StringEquals: {
          "iam:AWSServiceName": [
            "ecs.amazonaws.com",
            "elasticloadbalancing.amazonaws.com",
            "ecs.application-autoscaling.amazonaws.com",
          ],
        },
      },
    },
  );
  return { Version: "2012-10-17", Statement: statements };
}
