/**
 * AWS's documented API throttling as emulator rate limits (`{ "preset": "aws" }`): per account and
 * region, with AWS's own bucket sizes and refill rates. Only published figures are here: an API or
 * operation AWS publishes no rate for (Application Auto Scaling, most of CloudWatch Logs) is left
 * unlimited rather than guessed. Sources, read for these figures:
 * - ECS: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html
 *   (actions grouped in categories; every action of a category shares one bucket)
 * - EC2: https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
 *   (each action has its own bucket, sized by its category)
 * - ELB: https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-throttling.html
 *   (a bucket per category, and an account-wide one every action also draws from)
 * - CloudWatch Logs: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html
 *   (transactions per second per operation: a bucket of one second's worth)
 * - DynamoDB: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-control-plane.html
 *   (2,500 control-plane requests a second; the data plane is limited by capacity, not calls)
 */
import type { RateLimit } from "./faults.ts";

const ecs = (bucket: string, operations: string[], burst: number, perSecond: number): RateLimit => ({
  service: "ecs",
  bucket,
  operations,
  burst,
  perSecond,
});

export const AWS_RATE_LIMITS: readonly RateLimit[] = [
  ecs(
    "cluster-modify",
    [
      "CreateCluster",
      "DeleteCluster",
      "PutClusterCapacityProviders",
      "UpdateCluster",
      "UpdateClusterSettings",
    ],
    20,
    1,
  ),
  ecs("cluster-read", ["DescribeClusters", "ListClusters"], 50, 20),
  ecs("task-definition-modify", ["DeregisterTaskDefinition", "RegisterTaskDefinition"], 20, 1),
  ecs(
    "task-definition-read",
    ["DescribeTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies"],
    50,
    20,
  ),
  ecs("task-definition-delete", ["DeleteTaskDefinitions"], 5, 1),
  ecs("tag-modify", ["TagResource", "UntagResource"], 20, 10),
  ecs("tag-read", ["ListTagsForResource"], 50, 20),
  ecs(
    "cluster-resource-modify",
    ["DeleteAttributes", "PutAttributes", "RunTask", "StartTask", "StopTask"],
    100,
    40,
  ),
  ecs(
    "cluster-resource-read",
    ["DescribeContainerInstances", "DescribeTasks", "ListAttributes", "ListContainerInstances", "ListTasks"],
    100,
    20,
  ),
  ecs("service-modify", ["CreateService", "DeleteService", "UpdateService"], 50, 5),
  ecs("service-read", ["DescribeServices", "ListServices"], 100, 20),
  ecs("service-deployment", ["DescribeServiceDeployments", "ListServiceDeployments"], 50, 20),

  {
    service: "elbv2",
    bucket: "resource-intensive",
    operations: ["CreateLoadBalancer", "SetSubnets"],
    burst: 10,
    perSecond: 0.2,
  },
  {
    service: "elbv2",
    bucket: "registration",
    operations: ["RegisterTargets", "DeregisterTargets"],
    burst: 20,
    perSecond: 4,
  },
  { service: "elbv2", bucket: "non-mutating", operationPattern: "^Describe", burst: 40, perSecond: 10 },
  { service: "elbv2", bucket: "mutating", burst: 20, perSecond: 3 },
  { service: "elbv2", bucket: "account", alsoApplies: true, burst: 40, perSecond: 10 },

  // Without a filter or pagination these draw from a smaller bucket than other reads: the emulator
  // does not look at the request, so it assumes the smaller one.
  {
    service: "ec2",
    operations: [
      "DescribeInstances",
      "DescribeInstanceStatus",
      "DescribeNetworkInterfaces",
      "DescribeSecurityGroups",
      "DescribeSnapshots",
      "DescribeSpotInstanceRequests",
      "DescribeVolumes",
    ],
    burst: 50,
    perSecond: 10,
  },
  { service: "ec2", operations: ["CreateTags", "DeleteTags"], burst: 100, perSecond: 10 },
  {
    service: "ec2",
    operations: ["AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"],
    burst: 50,
    perSecond: 5,
  },
  { service: "ec2", operationPattern: "^(Describe|List|Get|Search)", burst: 100, perSecond: 20 },
  { service: "ec2", burst: 50, perSecond: 5 },

  { service: "logs", operation: "FilterLogEvents", burst: 5, perSecond: 5 },
  { service: "logs", operation: "GetLogEvents", burst: 10, perSecond: 10 },
  { service: "logs", operation: "DescribeLogStreams", burst: 5, perSecond: 5 },

  {
    service: "dynamodb",
    bucket: "control-plane",
    operations: [
      "CreateTable",
      "DeleteTable",
      "DescribeTable",
      "ListTables",
      "UpdateTable",
      "DescribeTimeToLive",
      "UpdateTimeToLive",
      "TagResource",
      "UntagResource",
      "ListTagsOfResource",
      "DescribeLimits",
    ],
    burst: 2500,
    perSecond: 2500,
  },
];
