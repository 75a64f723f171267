/**
 * Targets of a target group: registration, draining on deregistration, and the health AWS reports
 * (`initial`, `healthy`, `unhealthy`, `unused`, `draining`). The health checks themselves run in
 * `health-checks.ts`; the API operations and the ECS scheduler (through `internal.ts`) share this model.
 */
import { AwsError } from "../../errors.ts";
import type { Input } from "../../protocols/input.ts";
import type { RegionState } from "../../world.ts";
import { vpcContainsIp } from "../ec2/internal.ts";
import type { Operation } from "../service-definition.ts";
import { isServing, loadBalancerArnsOf } from "./associations.ts";
import { optionalIntIn, read, structures, validationError } from "./errors.ts";
import { wakeTargetGroup } from "./health-check-schedule.ts";
import type { Elbv2State, Target, TargetGroup } from "./state.ts";
import { noteTargetChanged } from "./target-changes.ts";

const MAX_TARGETS_PER_GROUP = 1000;

export type TargetHealthState = "initial" | "healthy" | "unhealthy" | "draining" | "unused";

export interface TargetHealthView {
  State: TargetHealthState;
  Reason?: string;
  Description?: string;
}

export const targetKey = (id: string, port: number) => `${id}:${port}`;

/** Registers a target in `initial`; registering it again is a no-op, unless it was draining. */
export function addTarget(
  state: Elbv2State,
  group: TargetGroup,
  id: string,
  port: number,
  availabilityZone?: string,
): void {
  const existing = group.targets.get(targetKey(id, port));
  if (existing && existing.drainingUntil === undefined) return;
  noteTargetChanged(state, id);
  wakeTargetGroup(state, group, Number.NEGATIVE_INFINITY);
  group.targets.set(targetKey(id, port), {
    id,
    port,
    availabilityZone,
    health: "initial",
    unhealthyReason: "Target.FailedHealthChecks",
    unhealthyDescription: "Health checks failed",
    passes: 0,
    failures: 0,
    nextCheckAt: undefined,
    drainingUntil: undefined,
  });
}

/** Starts draining a registered target for the group's deregistration delay; unknown targets are ignored. */
export function drainTarget(
  state: Elbv2State,
  group: TargetGroup,
  id: string,
  port: number,
  now: number,
): void {
  const target = group.targets.get(targetKey(id, port));
  if (!target || target.drainingUntil !== undefined) return;
  noteTargetChanged(state, id);
  wakeTargetGroup(state, group, Number.NEGATIVE_INFINITY);
  const delaySeconds = Number(group.attributes.get("deregistration_delay.timeout_seconds") ?? "300");
  target.drainingUntil = now + delaySeconds * 1000;
}

/** What DescribeTargetHealth reports for a registered target. */
export function healthOf(state: Elbv2State, group: TargetGroup, target: Target): TargetHealthView {
  if (target.drainingUntil !== undefined) {
    return {
      State: "draining",
      Reason: "Target.DeregistrationInProgress",
      Description: "Target deregistration is in progress",
    };
  }
  if (loadBalancerArnsOf(state, group.arn).length === 0) {
    return {
      State: "unused",
      Reason: "Target.NotInUse",
      Description: "Target group is not configured to receive traffic from the load balancer",
    };
  }
  if (target.health === "healthy") return { State: "healthy" };
  if (target.health === "unhealthy") {
    return { State: "unhealthy", Reason: target.unhealthyReason, Description: target.unhealthyDescription };
  }
  // Until the load balancer is active and has checked once, the target is still being registered.
  return target.passes + target.failures === 0 || !isServing(state, group.arn)
    ? {
        State: "initial",
        Reason: "Elb.RegistrationInProgress",
        Description: "Target registration is in progress",
      }
    : {
        State: "initial",
        Reason: "Elb.InitialHealthChecking",
        Description: "Initial health checks in progress",
      };
}

/** The port health checks use for a target: its own, unless the group names a fixed one. */
export const healthCheckPortOf = (group: TargetGroup, target: { port: number }) =>
  group.healthCheck.port === "traffic-port" ? target.port : Number(group.healthCheck.port);

const isIpv4 = (ip: string) =>
  /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(ip) &&
  ip.split(".").every((part) => Number(part) <= 255);

/** RFC 1918 and RFC 6598 ranges: the addresses AWS accepts for ip targets besides the VPC's own. */
function isPrivateIpv4(ip: string): boolean {
  const [a = 0, b = 0] = ip.split(".").map(Number);
  return (
    a === 10 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

interface RequestedTarget {
  id: string;
  port: number;
  availabilityZone: string | undefined;
}

/** The `Targets` of a call; a target without a port uses the group's. */
function requestedTargets(group: TargetGroup, input: Input, required: boolean): RequestedTarget[] {
  const targets = structures(read(input), "Targets");
  if (required && targets.length === 0) throw validationError("At least one target must be specified");
  return targets.map((target) => {
    const args = read(target);
    return {
      id: args.string("Id"),
      port: optionalIntIn(args, "Port", 1, 65_535) ?? group.port,
      availabilityZone: args.optionalString("AvailabilityZone"),
    };
  });
}

function checkRegistrable(region: RegionState, group: TargetGroup, target: RequestedTarget): void {
  if (group.targetType === "instance") {
    // The emulator runs no EC2 instances, so no instance is ever in a running state.
    throw new AwsError(
      "InvalidTarget",
      `The following targets are not in a running state and can not be registered: '${target.id}'`,
    );
  }
  if (group.ipAddressType === "ipv4" && !isIpv4(target.id))
    throw validationError(`The IP address '${target.id}' is not a valid IPv4 address`);
  if (
    group.ipAddressType === "ipv4" &&
    !isPrivateIpv4(target.id) &&
    !vpcContainsIp(region, group.vpcId, target.id)
  ) {
    throw new AwsError(
      "InvalidTarget",
      `The IP address '${target.id}' is not in the VPC of the target group or in a private address range`,
    );
  }
}

function groupForTargets(region: RegionState, arn: string): TargetGroup {
  const group = region.elbv2.targetGroups.get(arn);
  if (!group) throw new AwsError("TargetGroupNotFound", `Target groups '${arn}' not found`);
  return group;
}

export const targetOperations: Record<string, Operation> = {
  RegisterTargets(input, context) {
    const group = groupForTargets(context.region, read(input).string("TargetGroupArn"));
    const targets = requestedTargets(group, input, true);
    for (const target of targets) checkRegistrable(context.region, group, target);
    const after = new Set([
      ...group.targets.keys(),
      ...targets.map((target) => targetKey(target.id, target.port)),
    ]);
    if (after.size > MAX_TARGETS_PER_GROUP)
      throw new AwsError(
        "TooManyTargets",
        `A target group can have at most ${MAX_TARGETS_PER_GROUP} targets`,
      );
    for (const target of targets)
      addTarget(context.region.elbv2, group, target.id, target.port, target.availabilityZone);
    return {};
  },

  DeregisterTargets(input, context) {
    const group = groupForTargets(context.region, read(input).string("TargetGroupArn"));
    for (const target of requestedTargets(group, input, true))
      drainTarget(context.region.elbv2, group, target.id, target.port, context.now);
    return {};
  },

  DescribeTargetHealth(input, context) {
    const { elbv2 } = context.region;
    const group = groupForTargets(context.region, read(input).string("TargetGroupArn"));
    const requested = requestedTargets(group, input, false);
    const descriptions =
      requested.length === 0
        ? [...group.targets.values()].map((target) =>
            describeTarget(group, target, healthOf(elbv2, group, target)),
          )
        : requested.map((wanted) => {
            const target = group.targets.get(targetKey(wanted.id, wanted.port));
            return target
              ? describeTarget(group, target, healthOf(elbv2, group, target))
              : describeTarget(group, wanted, {
                  State: "unused",
                  Reason: "Target.NotRegistered",
                  Description: "Target is not registered to the target group",
                });
          });
    return { TargetHealthDescriptions: descriptions };
  },
};

function describeTarget(
  group: TargetGroup,
  target: { id: string; port: number; availabilityZone: string | undefined },
  health: TargetHealthView,
) {
  return {
    Target: { Id: target.id, Port: target.port, AvailabilityZone: target.availabilityZone },
    HealthCheckPort: String(healthCheckPortOf(group, target)),
    TargetHealth: health,
  };
}
