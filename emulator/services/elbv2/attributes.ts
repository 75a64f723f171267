/**
 * Load balancer and target group attributes: AWS's keys with their defaults, read back as strings, and
 * the values each accepts. Only the attributes of Application Load Balancers and their (instance or ip)
 * target groups exist here.
 */
import type { Input } from "../../protocols/input.ts";
import { invalidConfiguration, validationError } from "./errors.ts";

/** One attribute: its default and a check that explains a refused value. */
interface AttributeSpec {
  defaultValue: string;
  /** Undefined when the value is acceptable, else the reason it is not. */
  problem(value: string): string | undefined;
}

const bool = (defaultValue: "true" | "false"): AttributeSpec => ({
  defaultValue,
  problem: (value) => (value === "true" || value === "false" ? undefined : "must be 'true' or 'false'"),
});

const oneOf = (defaultValue: string, values: string[]): AttributeSpec => ({
  defaultValue,
  problem: (value) => (values.includes(value) ? undefined : `must be one of: ${values.join(", ")}`),
});

const integer = (
  defaultValue: string,
  min: number,
  max: number,
  alsoAllowed: string[] = [],
): AttributeSpec => ({
  defaultValue,
  problem: (value) =>
    alsoAllowed.includes(value) || (/^\d+$/.test(value) && Number(value) >= min && Number(value) <= max)
      ? undefined
      : `must be ${alsoAllowed.map((allowed) => `'${allowed}' or `).join("")}between '${min}' and '${max}'`,
});

const text = (defaultValue = ""): AttributeSpec => ({ defaultValue, problem: () => undefined });

const fixed = (defaultValue: string, why: string): AttributeSpec => ({
  defaultValue,
  problem: (value) => (value === defaultValue ? undefined : why),
});

const s3Logs = (kind: string): Record<string, AttributeSpec> => ({
  [`${kind}.s3.enabled`]: bool("false"),
  [`${kind}.s3.bucket`]: text(),
  [`${kind}.s3.prefix`]: text(),
});

function loadBalancerSpecs(scheme: "internet-facing" | "internal"): Record<string, AttributeSpec> {
  return {
    ...s3Logs("access_logs"),
    "client_keep_alive.seconds": integer("3600", 60, 604_800),
    ...s3Logs("connection_logs"),
    "deletion_protection.enabled": bool("false"),
    ...s3Logs("health_check_logs"),
    "idle_timeout.timeout_seconds": integer("60", 1, 4000),
    // Internal load balancers block internet-gateway IPv6 traffic by default.
    "ipv6.deny_all_igw_traffic": bool(scheme === "internal" ? "true" : "false"),
    "load_balancing.cross_zone.enabled": fixed(
      "true",
      "cannot be changed: cross-zone load balancing is always on for Application Load Balancers",
    ),
    "routing.http.desync_mitigation_mode": oneOf("defensive", ["monitor", "defensive", "strictest"]),
    "routing.http.drop_invalid_header_fields.enabled": bool("false"),
    "routing.http.preserve_host_header.enabled": bool("false"),
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": bool("false"),
    "routing.http.xff_client_port.enabled": bool("false"),
    "routing.http.xff_header_processing.mode": oneOf("append", ["append", "preserve", "remove"]),
    "routing.http2.enabled": bool("true"),
    "waf.fail_open.enabled": bool("false"),
    "zonal_shift.config.enabled": bool("false"),
  };
}

const TARGET_GROUP_SPECS: Record<string, AttributeSpec> = {
  "deregistration_delay.timeout_seconds": integer("300", 0, 3600),
  "stickiness.enabled": bool("false"),
  "stickiness.type": oneOf("lb_cookie", ["lb_cookie", "app_cookie"]),
  "stickiness.lb_cookie.duration_seconds": integer("86400", 1, 604_800),
  "stickiness.app_cookie.cookie_name": {
    defaultValue: "",
    problem: (value) =>
      /^AWSALB/i.test(value) ? "cannot start with AWSALB, AWSALBAPP or AWSALBTG (reserved)" : undefined,
  },
  "stickiness.app_cookie.duration_seconds": integer("86400", 1, 604_800),
  // 0 turns slow start off; otherwise AWS accepts 30 s to 15 min.
  "slow_start.duration_seconds": integer("0", 30, 900, ["0"]),
  "load_balancing.algorithm.type": oneOf("round_robin", [
    "round_robin",
    "least_outstanding_requests",
    "weighted_random",
  ]),
  "load_balancing.algorithm.anomaly_mitigation": oneOf("off", ["on", "off"]),
  "load_balancing.cross_zone.enabled": oneOf("use_load_balancer_configuration", [
    "true",
    "false",
    "use_load_balancer_configuration",
  ]),
  "target_group_health.dns_failover.minimum_healthy_targets.count": integer("1", 1, 1_000_000, ["off"]),
  "target_group_health.dns_failover.minimum_healthy_targets.percentage": integer("off", 1, 100, ["off"]),
  "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": integer("1", 1, 1_000_000),
  "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": integer("off", 1, 100, [
    "off",
  ]),
};

const defaults = (specs: Record<string, AttributeSpec>) =>
  new Map(Object.entries(specs).map(([key, spec]) => [key, spec.defaultValue]));

/** A new Application Load Balancer's attributes. */
export const defaultLoadBalancerAttributes = (scheme: "internet-facing" | "internal") =>
  defaults(loadBalancerSpecs(scheme));

/** A new target group's attributes. */
export const defaultTargetGroupAttributes = () => defaults(TARGET_GROUP_SPECS);

/** Attributes as the wire shows them. */
export const describeAttributes = (attributes: Map<string, string>) =>
  [...attributes].map(([Key, Value]) => ({ Key, Value }));

/**
 * The attributes after applying a Modify*Attributes call's `Attributes`, checked in full first so a
 * refused call changes nothing.
 */
export function modifiedAttributes(
  kind: "loadBalancer" | "targetGroup",
  current: Map<string, string>,
  changes: Input[],
  scheme: "internet-facing" | "internal" = "internet-facing",
): Map<string, string> {
  const specs = kind === "loadBalancer" ? loadBalancerSpecs(scheme) : TARGET_GROUP_SPECS;
  const label = kind === "loadBalancer" ? "Load balancer" : "Target group";
  if (changes.length === 0) throw validationError("At least one attribute must be specified");
  const next = new Map(current);
  for (const change of changes) {
    const { Key: key, Value: value = "" } = change;
    if (typeof key !== "string" || typeof value !== "string")
      throw validationError("Each attribute needs a Key and a Value");
    const spec = specs[key];
    if (!spec) throw validationError(`${label} attribute key '${key}' is not recognized`);
    const problem = spec.problem(value);
    if (problem) throw validationError(`The value of '${key}' ${problem}`);
    next.set(key, value);
  }
  for (const logs of ["access_logs", "connection_logs", "health_check_logs"]) {
    if (next.get(`${logs}.s3.enabled`) === "true" && !next.get(`${logs}.s3.bucket`))
      throw invalidConfiguration(`'${logs}.s3.bucket' must name an S3 bucket when '${logs}' are enabled`);
  }
  return next;
}
