/**
 * The Service document: the one API users write. Field names are the contract; every field has a
 * description (it becomes the JSON Schema and the README's spec reference) and a default where
 * a sensible one exists. Parsing yields a fully defaulted spec: nothing downstream re-checks or re-defaults.
 */
import { z } from "zod";
import {
  ECS_NAME_MAX,
  ECS_NAME_PATTERN,
  ENV_NAME_PATTERN,
  HEALTH_CHECK_MATCHER_PATTERN,
  IAM_ROLE_ARN_PATTERN,
  IMAGE_PATTERN,
  LOG_GROUP_NAME_MAX,
  LOG_GROUP_NAME_PATTERN,
  LOG_RETENTION_DAYS,
  REGION_PATTERN,
  SECRET_ARN_PATTERN,
  SUBNET_ID_PATTERN,
  TAG_KEY_MAX,
  TAG_PATTERN,
  TAG_VALUE_MAX,
  USER_TAGS_MAX,
  VPC_ID_PATTERN,
} from "./aws-limits.ts";
import { isAwsRegion, unknownRegionMessage } from "./aws-regions.ts";
import { defaultLogGroupName, SERVICE_NAME_MAX } from "./derived-names.ts";
import { FARGATE_CPU_UNITS } from "./fargate.ts";
import {
  checkAutoscalingRules,
  checkDeploymentRules,
  checkDocumentRules,
  checkHealthCheckRules,
} from "./rules.ts";

export const API_VERSION = "ecs-converge/v1";
export const KIND = "Service";
/** Tag keys under this prefix mark ownership; users may not set them. */
export const RESERVED_TAG_PREFIX = "ecs-converge.io/";

const integer = (min: number, max: number) => z.int().min(min).max(max);
const port = () => integer(1, 65535);

const tagsSchema = z
  .record(
    z
      .string()
      .min(1)
      .max(TAG_KEY_MAX)
      .regex(TAG_PATTERN, { error: "tag keys may use letters, digits, spaces and _ . : / = + - @" })
      .refine((key) => !key.toLowerCase().startsWith("aws:"), {
        error: 'tag keys starting with "aws:" are reserved by AWS',
      })
      .refine((key) => !key.startsWith(RESERVED_TAG_PREFIX), {
        error: `tag keys starting with "${RESERVED_TAG_PREFIX}" are reserved for ownership tags`,
      }),
    z
      .string()
      .max(TAG_VALUE_MAX)
      .regex(TAG_PATTERN, { error: "tag values may use letters, digits, spaces and _ . : / = + - @" }),
  )
  .refine((tags) => Object.keys(tags).length <= USER_TAGS_MAX, {
    error: `at most ${USER_TAGS_MAX} tags (AWS allows 50 per resource; ecs-converge needs the rest)`,
  });

const metadataSchema = z.strictObject({
  name: z
    .string()
    .min(1, { error: "must not be empty" })
    .max(SERVICE_NAME_MAX, {
      error: `at most ${SERVICE_NAME_MAX} characters, so that the target group name "{name}-{8-char hash}" fits ELB's 32`,
    })
    .regex(/^[a-z](?:[a-z0-9-]*[a-z0-9])?$/, {
      error: "use lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen",
    })
    .refine((name) => !name.startsWith("internal-"), {
      error: 'must not start with "internal-" (ELB reserves it)',
    })
    .refine((name) => !name.startsWith("sg-"), {
      error: 'must not start with "sg-" (EC2 reserves it for group ids)',
    })
    .describe(
      "The service's name; every AWS resource name derives from it. [a-z0-9-], at most 23 characters.",
    ),
  tags: tagsSchema.default({}).describe("Tags added to every resource, beside the ownership tags."),
  adopt: z
    .boolean()
    .default(false)
    .describe(
      "Take over existing resources with the derived names that lack ownership tags (they get tagged, then managed). Off by default: a name collision is an error.",
    ),
});

const VPC_MESSAGE = 'expected "default" or a VPC id like vpc-0abc1234';

const networkSchema = z.strictObject({
  vpc: z
    .union([z.literal("default"), z.string().regex(VPC_ID_PATTERN, { error: VPC_MESSAGE })], {
      error: VPC_MESSAGE,
    })
    .default("default")
    .describe('"default" for the region\'s default VPC, or a VPC id (vpc-…).'),
  loadBalancerSubnets: z
    .array(z.string().regex(SUBNET_ID_PATTERN, { error: "expected a subnet id like subnet-0abc1234" }))
    .default([])
    .describe(
      "Subnets for the load balancer, in at least two Availability Zones. Empty: the VPC's default-for-AZ subnets.",
    ),
  taskSubnets: z
    .array(z.string().regex(SUBNET_ID_PATTERN, { error: "expected a subnet id like subnet-0abc1234" }))
    .default([])
    .describe("Subnets for the tasks. Empty: the load balancer's subnets."),
  assignPublicIp: z
    .boolean()
    .default(true)
    .describe("Give tasks a public IP (needed in public subnets without a NAT gateway to pull images)."),
});

const containerSchema = z.strictObject({
  name: z
    .string()
    .max(ECS_NAME_MAX)
    .regex(ECS_NAME_PATTERN, { error: "use letters, digits, hyphens and underscores" })
    .default("app")
    .describe("The container's name in the task definition."),
  image: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? "required: the image to run, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2"
          : undefined,
    })
    .min(1, { error: "must not be empty" })
    .regex(IMAGE_PATTERN, {
      error: "expected an image reference like registry/repository:tag (lowercase repository, no spaces)",
    })
    .describe("The image to run: registry/repository:tag or @sha256 digest."),
  port: port()
    .default(3000)
    .describe("The port the container listens on; the target group sends traffic here."),
  command: z.array(z.string()).min(1).optional().describe("Overrides the image's command."),
  environment: z
    .record(
      z.string().regex(ENV_NAME_PATTERN, {
        error: "environment names use letters, digits and _, not starting with a digit",
      }),
      z
        .union([z.string(), z.number(), z.boolean()], { error: "expected a string, number or boolean" })
        .transform(String),
    )
    .default({})
    .describe("Plain environment variables. Numbers and booleans are passed as strings."),
  secrets: z
    .record(
      z.string().regex(ENV_NAME_PATTERN, {
        error: "secret names use letters, digits and _, not starting with a digit",
      }),
      z.string().regex(SECRET_ARN_PATTERN, {
        error:
          "expected a Secrets Manager or SSM parameter ARN (arn:aws:secretsmanager:… or arn:aws:ssm:…:parameter/…)",
      }),
    )
    .default({})
    .describe(
      "Environment variables read from Secrets Manager or SSM at task start; values are ARNs and are never printed.",
    ),
});

const taskSchema = z.strictObject({
  cpu: z
    .literal(FARGATE_CPU_UNITS, {
      error: `must be one of Fargate's CPU values: ${FARGATE_CPU_UNITS.join(", ")}`,
    })
    .default(256)
    .describe("Task CPU units (1024 = 1 vCPU)."),
  memory: integer(512, 122_880).default(512).describe("Task memory in MiB; must be a Fargate pair with cpu."),
  executionRoleArn: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? "required: the IAM role ECS uses to pull the image and write logs"
          : undefined,
    })
    .regex(IAM_ROLE_ARN_PATTERN, {
      error: "expected an IAM role ARN like arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
    })
    .describe("IAM role ECS uses to pull the image, write logs and read secrets."),
  taskRoleArn: z
    .string()
    .regex(IAM_ROLE_ARN_PATTERN, {
      error: "expected an IAM role ARN like arn:aws:iam::123456789012:role/web-task",
    })
    .optional()
    .describe("IAM role the application's code runs as."),
  container: containerSchema.describe("The one container of the task."),
});

const loggingSchema = z.strictObject({
  logGroup: z
    .string()
    .min(1)
    .max(LOG_GROUP_NAME_MAX)
    .regex(LOG_GROUP_NAME_PATTERN, { error: "log group names use letters, digits and . - _ / #" })
    .optional()
    .describe("CloudWatch Logs group. Default: /ecs/{metadata.name}."),
  retentionDays: z
    .literal(LOG_RETENTION_DAYS, {
      error: `must be one of CloudWatch's retention values: ${LOG_RETENTION_DAYS.join(", ")}`,
    })
    .default(30)
    .describe("Days CloudWatch keeps the logs."),
});

const healthCheckSchema = z
  .strictObject({
    path: z
      .string()
      .max(1024)
      .regex(/^\/\S*$/, { error: 'must start with "/" and contain no spaces' })
      .default("/health")
      .describe("HTTP path the load balancer probes."),
    intervalSeconds: integer(5, 300).default(30).describe("Seconds between probes."),
    timeoutSeconds: integer(2, 120)
      .default(5)
      .describe("Seconds before a probe fails; less than intervalSeconds."),
    healthyThreshold: integer(2, 10).default(5).describe("Consecutive passes before a target is healthy."),
    unhealthyThreshold: integer(2, 10)
      .default(2)
      .describe("Consecutive failures before a target is unhealthy."),
    matcher: z
      .string()
      .regex(HEALTH_CHECK_MATCHER_PATTERN, {
        error: 'expected HTTP codes like "200", "200,202" or "200-299"',
      })
      .default("200")
      .describe('HTTP codes that mean healthy: "200", "200,202" or "200-299".'),
  })
  .superRefine(checkHealthCheckRules);

const loadBalancerSchema = z.strictObject({
  listenerPort: port().default(80).describe("The HTTP listener's port."),
  healthCheck: healthCheckSchema.prefault({}).describe("Target group health check."),
  deregistrationDelaySeconds: integer(0, 3600)
    .default(30)
    .describe("Seconds a target keeps serving in-flight requests after it is deregistered."),
});

const deploymentSchema = z
  .strictObject({
    minimumHealthyPercent: integer(0, 100)
      .default(100)
      .describe("Lower bound of running tasks during a deployment, in % of desired."),
    maximumPercent: integer(100, 400)
      .default(200)
      .describe("Upper bound of running tasks during a deployment, in % of desired."),
    circuitBreaker: z
      .strictObject({
        enable: z.boolean().default(true).describe("Stop a deployment whose tasks keep failing."),
        rollback: z
          .boolean()
          .default(true)
          .describe("Roll back to the last good deployment when the breaker trips."),
      })
      .prefault({})
      .describe("ECS deployment circuit breaker."),
  })
  .superRefine(checkDeploymentRules);

const serviceSchema = z.strictObject({
  desiredCount: integer(0, 1000)
    .optional()
    .describe(
      "Tasks to run. Default 2 (within [minTasks, maxTasks] when autoscaling is set). With autoscaling, used only at creation.",
    ),
  healthCheckGracePeriodSeconds: integer(0, 2_147_483_647)
    .optional()
    .describe(
      "Seconds after a task starts during which failing health checks are ignored. Default: 60, or healthyThreshold × intervalSeconds when that is longer, so a new task has time to turn healthy.",
    ),
  deployment: deploymentSchema.prefault({}).describe("Rolling deployment settings."),
});

const autoscalingSchema = z
  .strictObject({
    minTasks: integer(0, 1000).describe("Fewest tasks autoscaling may run."),
    maxTasks: integer(1, 1000).describe("Most tasks autoscaling may run."),
    targetCpuPercent: integer(1, 100)
      .default(60)
      .describe("Average service CPU % that target tracking holds."),
    scaleInCooldownSeconds: integer(0, 86_400).default(300).describe("Seconds between scale-in steps."),
    scaleOutCooldownSeconds: integer(0, 86_400).default(60).describe("Seconds between scale-out steps."),
  })
  .superRefine(checkAutoscalingRules);

const specSchema = z.strictObject({
  region: z
    .string()
    .regex(REGION_PATTERN, { error: "expected an AWS region like us-east-1", abort: true })
    .refine(isAwsRegion, { error: (issue) => unknownRegionMessage(String(issue.input)) })
    .optional()
    .describe("AWS region. Default: the SDK's usual resolution (AWS_REGION, profile)."),
  cluster: z
    .string()
    .max(ECS_NAME_MAX)
    .regex(ECS_NAME_PATTERN, { error: "use letters, digits, hyphens and underscores" })
    .optional()
    .describe("ECS cluster; created if missing. Default: metadata.name."),
  driftPolicy: z
    .enum(["correct", "report"])
    .default("correct")
    .describe("What the daemon does with drift: correct it, or only report it."),
  network: networkSchema.prefault({}).describe("Where the load balancer and tasks run."),
  task: taskSchema.describe("The Fargate task: size, roles and container."),
  logging: loggingSchema.prefault({}).describe("Container logs in CloudWatch Logs."),
  loadBalancer: loadBalancerSchema.prefault({}).describe("The internet-facing Application Load Balancer."),
  service: serviceSchema.prefault({}).describe("The ECS service."),
  autoscaling: autoscalingSchema.optional().describe("Target tracking on CPU. Absent: a fixed desiredCount."),
});

const documentSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION, { error: `must be "${API_VERSION}"` }).describe("The API version."),
    kind: z.literal(KIND, { error: `must be "${KIND}"` }).describe("The document kind."),
    metadata: metadataSchema.describe("The service's identity."),
    spec: specSchema.describe("The desired state of the service."),
  })
  // Cross-section rules run even when some field failed, so one run reports every problem.
  .superRefine(checkDocumentRules, { when: () => true });

/** The Service document: validates what users write and yields the fully defaulted spec. */
export const serviceDocumentSchema = documentSchema.transform(fillNameDerivedDefaults);

type ParsedDocument = z.output<typeof documentSchema>;

/** Defaults that depend on other fields (the name, the other subnets, autoscaling bounds, the health check). */
function fillNameDerivedDefaults(document: ParsedDocument) {
  const { metadata, spec } = document;
  return {
    ...document,
    spec: {
      ...spec,
      cluster: spec.cluster ?? metadata.name,
      network: {
        ...spec.network,
        taskSubnets:
          spec.network.taskSubnets.length > 0 ? spec.network.taskSubnets : spec.network.loadBalancerSubnets,
      },
      logging: { ...spec.logging, logGroup: spec.logging.logGroup ?? defaultLogGroupName(metadata.name) },
      service: {
        ...spec.service,
        desiredCount: spec.service.desiredCount ?? defaultDesiredCount(spec.autoscaling),
        healthCheckGracePeriodSeconds:
          spec.service.healthCheckGracePeriodSeconds ?? defaultGracePeriod(spec.loadBalancer.healthCheck),
      },
    },
  };
}

const DEFAULT_DESIRED_COUNT = 2;
const DEFAULT_GRACE_PERIOD_SECONDS = 60;

function defaultGracePeriod(check: { healthyThreshold: number; intervalSeconds: number }): number {
  return Math.max(DEFAULT_GRACE_PERIOD_SECONDS, check.healthyThreshold * check.intervalSeconds);
}

function defaultDesiredCount(autoscaling: { minTasks: number; maxTasks: number } | undefined): number {
  if (!autoscaling) return DEFAULT_DESIRED_COUNT;
  return Math.min(Math.max(DEFAULT_DESIRED_COUNT, autoscaling.minTasks), autoscaling.maxTasks);
}

/** A validated, fully defaulted service spec. */
export type ServiceSpec = z.output<typeof serviceDocumentSchema>;
/** A service spec as written in YAML (defaults optional). */
export type ServiceSpecInput = z.input<typeof serviceDocumentSchema>;
