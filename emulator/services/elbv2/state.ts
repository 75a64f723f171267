/** ELBv2 state of one region: load balancers, target groups, listeners and their targets. */
import type { Random } from "../../random.ts";

/** Tags keep insertion order, as AWS reads them back. */
export type Tags = Map<string, string>;

export interface LoadBalancerZone {
  zoneName: string;
  subnetId: string;
  /** The ALB node's ENI in this subnet, released when the load balancer goes. */
  networkInterfaceId: string;
}

export interface LoadBalancer {
  arn: string;
  name: string;
  /** The 16 hex characters ending the ARN, also part of listener ARNs. */
  id: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  createdAt: number;
  scheme: "internet-facing" | "internal";
  type: "application";
  ipAddressType: string;
  vpcId: string;
  zones: LoadBalancerZone[];
  securityGroups: string[];
  state: "provisioning" | "active";
  attributes: Map<string, string>;
  tags: Tags;
}

export interface HealthCheck {
  enabled: boolean;
  protocol: string;
  /** `traffic-port` or a port number as a string, as AWS stores it. */
  port: string;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  matcher: { HttpCode: string } | { GrpcCode: string };
}

export type UnhealthyReason = "Target.FailedHealthChecks" | "Target.ResponseCodeMismatch" | "Target.Timeout";

/** One registration: AWS keys targets by id and port, so one IP can be registered on two ports. */
export interface Target {
  id: string;
  port: number;
  availabilityZone: string | undefined;
  /** The health-check verdict; what DescribeTargetHealth shows also depends on draining and use. */
  health: "initial" | "healthy" | "unhealthy";
  unhealthyReason: UnhealthyReason;
  unhealthyDescription: string;
  /** Consecutive passing and failing checks since the last change of direction. */
  passes: number;
  failures: number;
  /** When the next health check is due; undefined until the group is in use by an active load balancer. */
  nextCheckAt: number | undefined;
  /** Set on deregistration: the target drains until then, then disappears. */
  drainingUntil: number | undefined;
}

export interface TargetGroup {
  arn: string;
  name: string;
  protocol: string;
  protocolVersion: string;
  port: number;
  vpcId: string;
  targetType: "instance" | "ip";
  ipAddressType: string;
  healthCheck: HealthCheck;
  attributes: Map<string, string>;
  /** Keyed by `{id}:{port}`. */
  targets: Map<string, Target>;
  tags: Tags;
}

export interface TargetGroupTuple {
  targetGroupArn: string;
  weight: number;
}

/** A listener action, kept in one normal form whichever way the caller wrote it. */
export type ListenerAction =
  | {
      type: "forward";
      order: number | undefined;
      targetGroups: TargetGroupTuple[];
      stickiness: { enabled: boolean; durationSeconds: number | undefined };
    }
  | { type: "fixed-response"; order: number | undefined; config: Record<string, string> }
  | { type: "redirect"; order: number | undefined; config: Record<string, string> };

export interface Listener {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: "HTTP" | "HTTPS";
  certificates: string[];
  sslPolicy: string | undefined;
  defaultActions: ListenerAction[];
  tags: Tags;
}

/** A rule condition, kept in one normal form whichever way the caller wrote it (`Values` or `*Config`). */
export type RuleCondition =
  | { field: "path-pattern" | "host-header" | "http-request-method" | "source-ip"; values: string[] }
  | { field: "http-header"; headerName: string; values: string[] }
  | { field: "query-string"; pairs: { key: string | undefined; value: string }[] };

/**
 * A listener rule. Every listener has one default rule, created and deleted with it: it has no
 * priority or conditions of its own, and its actions are the listener's default actions.
 */
export type ListenerRule = { arn: string; listenerArn: string; tags: Tags } & (
  | { isDefault: true }
  | { isDefault: false; priority: number; conditions: RuleCondition[]; actions: ListenerAction[] }
);

export interface Elbv2State {
  /** Every map is keyed by ARN and kept in creation order, the order Describe* returns. */
  loadBalancers: Map<string, LoadBalancer>;
  targetGroups: Map<string, TargetGroup>;
  listeners: Map<string, Listener>;
  rules: Map<string, ListenerRule>;
}

export function createElbv2State(_region: string, _random: Random): Elbv2State {
  return { loadBalancers: new Map(), targetGroups: new Map(), listeners: new Map(), rules: new Map() };
}
