/** Names and ARNs of ELBv2 resources, shaped like AWS's. */
import { arn } from "../../identity.ts";
import { validationError } from "./errors.ts";

const MAX_NAME_LENGTH = 32;

/** AWS's rules for load balancer (`Load balancer`) and target group (`Target group`) names. */
export function checkName(kind: "Load balancer" | "Target group", name: string): void {
  if (name.length > MAX_NAME_LENGTH)
    throw validationError(`${kind} name '${name}' cannot be longer than '${MAX_NAME_LENGTH}' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) {
    throw validationError(
      `${kind} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`,
    );
  }
  if (name.startsWith("-") || name.endsWith("-"))
    throw validationError(`${kind} name '${name}' cannot begin or end with '-' character`);
  // The DNS name of an internal load balancer starts with `internal-`, so a name may not.
  if (kind === "Load balancer" && name.startsWith("internal-"))
    throw validationError(`${kind} name '${name}' cannot begin with 'internal-'`);
}

export const loadBalancerArn = (region: string, name: string, id: string) =>
  arn("elasticloadbalancing", region, `loadbalancer/app/${name}/${id}`);

export const targetGroupArn = (region: string, name: string, id: string) =>
  arn("elasticloadbalancing", region, `targetgroup/${name}/${id}`);

export const listenerArn = (region: string, loadBalancerName: string, loadBalancerId: string, id: string) =>
  arn("elasticloadbalancing", region, `listener/app/${loadBalancerName}/${loadBalancerId}/${id}`);

/** A rule's ARN: its listener's ARN under `listener-rule/`, then the rule's own id. */
export const ruleArn = (listenerArn: string, id: string) =>
  `${listenerArn.replace(":listener/", ":listener-rule/")}/${id}`;

const RESOURCE_KINDS = ["loadbalancer", "targetgroup", "listener", "listener-rule"] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** What an ELBv2 ARN names, from its resource part; undefined for anything else. */
export function resourceKindOf(resourceArn: string): ResourceKind | undefined {
  const match = resourceArn.match(/^arn:aws:elasticloadbalancing:[a-z0-9-]+:\d{12}:([a-z-]+)\//);
  return RESOURCE_KINDS.find((kind) => kind === match?.[1]);
}

/** Route 53 hosted zones of Application Load Balancers, per region (from AWS's endpoints table). */
const CANONICAL_HOSTED_ZONES: Record<string, string> = {
  "us-east-1": "Z35SXDOTRQ7X7K",
  "us-east-2": "Z3AADJGX6KTTL2",
  "us-west-1": "Z368ELLRRE2KJ0",
  "us-west-2": "Z1H1FL5HABSF5",
  "eu-west-1": "Z32O12XQLNTSW2",
  "eu-west-2": "ZHURV8PSTC4K8",
  "eu-central-1": "Z215JYRZR1TBD5",
  "ap-southeast-1": "Z1LMS91P8CMLE5",
  "ap-southeast-2": "Z1GM3OXH4ZPM65",
  "ap-northeast-1": "Z14GRHDCWA56QT",
};

/** The hosted zone for alias records; regions outside the table get a stable made-up id. */
export function canonicalHostedZoneId(region: string): string {
  return CANONICAL_HOSTED_ZONES[region] ?? `Z${region.replace(/[^a-z0-9]/g, "").toUpperCase()}ELB`;
}
