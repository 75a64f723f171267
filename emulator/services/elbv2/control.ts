/**
 * ELBv2's routes in the emulator's control API (under /_emulator/), each with its in-process function:
 * skip a load balancer's provisioning, read the health of a group's targets.
 */
import { ControlError, type ControlRoute } from "../../control.ts";
import { DEFAULT_REGION } from "../../identity.ts";
import type { RegionState, World } from "../../world.ts";
import { servingChanged } from "./associations.ts";
import { describeLoadBalancer } from "./load-balancers.ts";
import { healthCheckPortOf, healthOf } from "./targets.ts";

/** Makes a provisioning load balancer `active` now, as if its provisioning time had passed. */
export function activateLoadBalancer(region: RegionState, name: string) {
  const loadBalancer = [...region.elbv2.loadBalancers.values()].find((candidate) => candidate.name === name);
  if (!loadBalancer) throw new ControlError(404, `no load balancer named ${name} in ${region.name}`);
  loadBalancer.state = "active";
  servingChanged(region.elbv2);
  return describeLoadBalancer(loadBalancer);
}

/** Every registered target of a group with its health, as DescribeTargetHealth would report it. */
export function targetHealthReport(region: RegionState, targetGroupArn: string) {
  const group = region.elbv2.targetGroups.get(targetGroupArn);
  if (!group) throw new ControlError(404, `no target group ${targetGroupArn} in ${region.name}`);
  return [...group.targets.values()].map((target) => ({
    id: target.id,
    port: target.port,
    healthCheckPort: healthCheckPortOf(group, target),
    ...healthOf(region.elbv2, group, target),
    consecutivePasses: target.passes,
    consecutiveFailures: target.failures,
    nextCheckAt: target.nextCheckAt === undefined ? undefined : new Date(target.nextCheckAt).toISOString(),
    drainingUntil:
      target.drainingUntil === undefined ? undefined : new Date(target.drainingUntil).toISOString(),
  }));
}

/** The region an ELBv2 ARN lives in. */
function regionOfArn(arn: string): string {
  const region = arn.match(/^arn:aws:elasticloadbalancing:([a-z0-9-]+):/)?.[1];
  if (!region) throw new ControlError(400, `not an ELBv2 ARN: ${arn}`);
  return region;
}

export function elbv2ControlRoutes(world: World): ControlRoute[] {
  return [
    {
      method: "POST",
      path: /^\/elbv2\/load-balancers\/(?<name>[^/]+)\/activate$/,
      handle: (request, params) =>
        activateLoadBalancer(world.region(request.query.get("region") ?? DEFAULT_REGION), params.name ?? ""),
    },
    {
      method: "GET",
      path: /^\/elbv2\/target-health$/,
      handle: (request) => {
        const arn = request.query.get("targetGroupArn");
        if (!arn) throw new ControlError(400, "query parameter targetGroupArn is required");
        return { targets: targetHealthReport(world.region(regionOfArn(arn)), arn) };
      },
    },
  ];
}
