/**
 * AWS's naming and value rules that the spec checks before any API call, so a user learns about a
 * bad name from `validate` instead of from a half-applied stack.
 */

/** Log retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** ELBv2 names (load balancers, target groups): alphanumerics and hyphens, no hyphen at either end. */
export const ELB_NAME_MAX = 32;
export const ELB_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** ECS cluster, service, task family and container names. */
export const ECS_NAME_MAX = 255;
export const ECS_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/** EC2 security group names: up to 255 characters and never starting with "sg-". */
export const SECURITY_GROUP_NAME_MAX = 255;

/** CloudWatch Logs group names. */
export const LOG_GROUP_NAME_MAX = 512;
export const LOG_GROUP_NAME_PATTERN = /^[.\-_/#A-Za-z0-9]+$/;

/** Application Auto Scaling policy names. */
export const SCALING_POLICY_NAME_MAX = 256;

/** Tags: every service caps a resource at 50; three are ours (ownership), so users get the rest. */
export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const USER_TAGS_MAX = 40;
export const TAG_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** The shape of a region name (`eusc-de-east-1` included); `aws-regions.ts` has the regions themselves. */
export const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
export const VPC_ID_PATTERN = /^vpc-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
export const SUBNET_ID_PATTERN = /^subnet-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
export const IAM_ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** Secrets come from Secrets Manager or SSM Parameter Store; both are given to ECS as ARNs. */
export const SECRET_ARN_PATTERN =
  /^arn:aws[a-z-]*:(?:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@:-]+|ssm:[a-z0-9-]+:\d{12}:parameter\/[\w/.-]+)$/;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** ALB health check success codes: "200", "200,202", "200-299" (HTTP codes 200-499). */
export const HEALTH_CHECK_MATCHER_PATTERN = /^[2-4]\d\d(?:-[2-4]\d\d)?(?:,[2-4]\d\d(?:-[2-4]\d\d)?)*$/;
/** A container image reference: no whitespace, no uppercase repository (registries reject it). */
export const IMAGE_PATTERN = /^[a-z0-9][a-z0-9._\-/:]*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
