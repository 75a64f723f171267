/**
 * The least-privilege IAM policy the controller needs: exactly the API actions it calls, plus
 * passing the task roles to ECS. A test fails when the code calls an action missing here.
 */

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
  // The lease table (run --lease-table): only replicas that coordinate through leases call these.
  dynamodb: ["CreateTable", "DeleteItem", "DescribeTable", "PutItem", "Scan", "UpdateItem"],
  logs: [
    "CreateLogGroup",
    "DeleteLogGroup",
    "DescribeLogGroups",
    "ListTagsForResource",
    "PutRetentionPolicy",
    "TagResource",
  ],
};

/**
 * Actions no command names but AWS checks anyway: tags passed in a create call need the service's
 * tagging permission (RegisterScalableTarget with Tags needs application-autoscaling:TagResource).
 */
export const IMPLIED_ACTIONS: readonly string[] = ["application-autoscaling:TagResource"];

/** `ec2:CreateSecurityGroup`, … sorted. */
export function controllerActions(): string[] {
  return Object.entries(CONTROLLER_ACTIONS)
    .flatMap(([prefix, actions]) => actions.map((action) => `${prefix}:${action}`))
    .sort();
}

/** The policy document to attach to the controller's role. */
export function iamPolicyDocument() {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ConvergeServices", Effect: "Allow", Action: controllerActions(), Resource: "*" },
      {
        Sid: "PassTaskRolesToEcs",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: "*",
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
      {
        Sid: "FirstUseServiceLinkedRoles",
        Effect: "Allow",
        Action: "iam:CreateServiceLinkedRole",
        Resource: "*",
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
    ],
  };
}
