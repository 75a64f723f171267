/**
 * AWS's documented API throttling, per account and region: which token bucket each operation draws
 * from, and the bucket's size (burst) and refill rate (sustained). The client-side limiter scales
 * these down (rate-limiter.ts) so that the controller stays below what AWS allows the whole account,
 * consoles and other tools included. `verified: false` marks a figure AWS does not publish (or that
 * could not be checked against its documentation): a cautious guess, configurable like the rest.
 */
import type { AwsService } from "./call-metrics.ts";
import type { BucketLimit } from "./token-bucket.ts";

/** The APIs the controller calls: those of `AwsClients`, and DynamoDB for the lease table. */
export type LimitedService = AwsService | "dynamodb";

export const LIMITED_SERVICES: readonly LimitedService[] = [
  "ec2",
  "elbv2",
  "ecs",
  "autoscaling",
  "logs",
  "dynamodb",
];

/** One bucket an operation draws a token from. */
export interface DocumentedBucket extends BucketLimit {
  /** `ecs:service-read`, or `ec2:DescribeVpcs` where every operation has its own bucket. */
  name: string;
  /** Where the figures come from. */
  source: string;
  /** False: AWS publishes no figure for it; a cautious guess. */
  verified: boolean;
}

export const SOURCES = {
  ecs: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html",
  ec2: "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html",
  elbv2: "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-throttling.html",
  logs: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html",
  autoscaling:
    "https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-quotas.html",
  dynamodb: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-control-plane.html",
} as const;

interface BucketRule extends BucketLimit {
  bucket: string;
  /** The operations in the bucket; with `match`, those it matches; with neither, every operation. */
  operations?: readonly string[];
  match?: RegExp;
  /** Each operation has its own bucket of this size (EC2, CloudWatch Logs) rather than sharing one. */
  perOperation?: boolean;
  verified?: false;
}

interface ServiceRules {
  /** The first rule that matches an operation names its bucket. */
  rules: readonly BucketRule[];
  /** A bucket every operation also draws from (ELB's account-wide bucket). */
  everyOperation?: BucketRule;
  /** Operations AWS does not throttle by request rate (DynamoDB's data plane: capacity, not calls). */
  unlimited?: RegExp;
}

const READS = /^(Describe|List|Get|Search)/;

const RULES: Record<LimitedService, ServiceRules> = {
  // "All API actions in a category share the same token bucket."
  ecs: {
    rules: [
      {
        bucket: "cluster-modify",
        operations: [
          "CreateCluster",
          "DeleteCluster",
          "PutClusterCapacityProviders",
          "UpdateCluster",
          "UpdateClusterSettings",
        ],
        burst: 20,
        perSecond: 1,
      },
      { bucket: "cluster-read", operations: ["DescribeClusters", "ListClusters"], burst: 50, perSecond: 20 },
      {
        bucket: "task-definition-modify",
        operations: ["DeregisterTaskDefinition", "RegisterTaskDefinition"],
        burst: 20,
        perSecond: 1,
      },
      {
        bucket: "task-definition-read",
        operations: ["DescribeTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies"],
        burst: 50,
        perSecond: 20,
      },
      { bucket: "task-definition-delete", operations: ["DeleteTaskDefinitions"], burst: 5, perSecond: 1 },
      { bucket: "tag-modify", operations: ["TagResource", "UntagResource"], burst: 20, perSecond: 10 },
      { bucket: "tag-read", operations: ["ListTagsForResource"], burst: 50, perSecond: 20 },
      {
        bucket: "cluster-resource-modify",
        operations: [
          "DeleteAttributes",
          "ExecuteCommand",
          "PutAttributes",
          "RunTask",
          "StartTask",
          "StopTask",
        ],
        burst: 100,
        perSecond: 40,
      },
      {
        bucket: "cluster-resource-read",
        operations: [
          "DescribeContainerInstances",
          "DescribeTasks",
          "ListAttributes",
          "ListContainerInstances",
          "ListTasks",
        ],
        burst: 100,
        perSecond: 20,
      },
      {
        bucket: "service-modify",
        operations: ["CreateService", "DeleteService", "UpdateService"],
        burst: 50,
        perSecond: 5,
      },
      { bucket: "service-read", operations: ["DescribeServices", "ListServices"], burst: 100, perSecond: 20 },
      {
        bucket: "service-deployment",
        operations: ["DescribeServiceDeployments", "ListServiceDeployments"],
        burst: 50,
        perSecond: 20,
      },
      // Not in the table: the smallest of the modify buckets, to be safe.
      { bucket: "other", burst: 20, perSecond: 1, verified: false },
    ],
  },
  // "Each ELB API version has its own buckets", and all actions share an account-level one.
  elbv2: {
    rules: [
      {
        bucket: "resource-intensive",
        operations: ["CreateLoadBalancer", "SetSubnets"],
        burst: 10,
        perSecond: 0.2,
      },
      {
        bucket: "registration",
        operations: ["RegisterTargets", "DeregisterTargets"],
        burst: 20,
        perSecond: 4,
      },
      { bucket: "non-mutating", match: /^Describe/, burst: 40, perSecond: 10 },
      { bucket: "mutating", burst: 20, perSecond: 3 },
    ],
    everyOperation: { bucket: "account", burst: 40, perSecond: 10 },
  },
  // "Each API is evaluated individually": one bucket per action, sized by its category.
  ec2: {
    rules: [
      {
        // Unfiltered, these draw from a smaller bucket than other reads; assume the smaller one.
        bucket: "unfiltered-non-mutating",
        operations: [
          "DescribeInstances",
          "DescribeInstanceStatus",
          "DescribeNetworkInterfaces",
          "DescribeSecurityGroups",
          "DescribeSnapshots",
          "DescribeSpotInstanceRequests",
          "DescribeVolumes",
        ],
        perOperation: true,
        burst: 50,
        perSecond: 10,
      },
      {
        bucket: "tags",
        operations: ["CreateTags", "DeleteTags"],
        perOperation: true,
        burst: 100,
        perSecond: 10,
      },
      {
        bucket: "resource-intensive",
        operations: ["AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"],
        perOperation: true,
        burst: 50,
        perSecond: 5,
      },
      { bucket: "non-mutating", match: READS, perOperation: true, burst: 100, perSecond: 20 },
      { bucket: "mutating", perOperation: true, burst: 50, perSecond: 5 },
    ],
  },
  // Quotas per operation, in transactions per second: a bucket of one second's worth.
  logs: {
    rules: [
      { bucket: "filter", operations: ["FilterLogEvents"], perOperation: true, burst: 5, perSecond: 5 },
      { bucket: "get", operations: ["GetLogEvents"], perOperation: true, burst: 10, perSecond: 10 },
      { bucket: "streams", operations: ["DescribeLogStreams"], perOperation: true, burst: 5, perSecond: 5 },
      // CreateLogGroup, DescribeLogGroups, PutRetentionPolicy, tags: the lowest published TPS.
      { bucket: "other", perOperation: true, burst: 5, perSecond: 5, verified: false },
    ],
  },
  // Application Auto Scaling publishes no API rates: guesses, cautious for writes.
  autoscaling: {
    rules: [
      { bucket: "read", match: READS, burst: 20, perSecond: 10, verified: false },
      { bucket: "write", burst: 10, perSecond: 2, verified: false },
    ],
  },
  // The control plane is throttled at 2,500 requests a second; the data plane by capacity, not calls.
  dynamodb: {
    rules: [{ bucket: "control-plane", burst: 2500, perSecond: 2500 }],
    unlimited: /^(GetItem|PutItem|UpdateItem|DeleteItem|Query|Scan|Batch|Transact)/,
  },
};

const matches = (rule: BucketRule, operation: string): boolean =>
  rule.operations ? rule.operations.includes(operation) : rule.match ? rule.match.test(operation) : true;

function documented(service: LimitedService, rule: BucketRule, operation: string): DocumentedBucket {
  return {
    name: `${service}:${rule.perOperation ? operation : rule.bucket}`,
    burst: rule.burst,
    perSecond: rule.perSecond,
    source: SOURCES[service],
    verified: rule.verified ?? true,
  };
}

/** The buckets AWS takes a token from for one call of `operation` (none: not throttled by rate). */
export function documentedBuckets(service: LimitedService, operation: string): DocumentedBucket[] {
  const { rules, everyOperation, unlimited } = RULES[service];
  if (unlimited?.test(operation)) return [];
  const own = rules.find((rule) => matches(rule, operation));
  return [
    ...(own ? [documented(service, own, operation)] : []),
    ...(everyOperation ? [documented(service, everyOperation, operation)] : []),
  ];
}
