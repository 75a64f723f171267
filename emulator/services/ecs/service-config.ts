/**
 * The settings of CreateService and UpdateService, read and checked against the rest of the world:
 * subnets and security groups must exist in EC2, target groups must be attached to a load balancer
 * and match the task definition's containers, deployment percentages must make sense.
 */
import type { Input } from "../../protocols/input.ts";
import type { RegionState } from "../../world.ts";
import { findSecurityGroup, findSubnet } from "../ec2/internal.ts";
import { findTargetGroup } from "../elbv2/internal.ts";
import { invalidParameter, read, structures } from "./errors.ts";
import type {
  CircuitBreakerSettings,
  DeploymentSettings,
  LoadBalancerBinding,
  NetworkSettings,
  TaskDefinitionRevision,
} from "./state.ts";

const MAX_SUBNETS = 16;
const MAX_SECURITY_GROUPS = 5;
const MAX_LOAD_BALANCERS = 5;
const THRESHOLD_TYPES = new Set(["COUNT", "BOUNDED_PERCENT", "UNBOUNDED_PERCENT"]);

export const DEFAULT_DEPLOYMENT_SETTINGS: DeploymentSettings = {
  minimumHealthyPercent: 100,
  maximumPercent: 200,
  circuitBreaker: { enable: false, rollback: false, resetOnHealthyTask: undefined, threshold: undefined },
};

/** `networkConfiguration.awsvpcConfiguration`, its subnets and groups checked in EC2 (one VPC). */
export function readNetwork(region: RegionState, configuration: Input | undefined): NetworkSettings {
  const awsvpc = configuration && read(configuration).optionalObject("awsvpcConfiguration");
  if (!awsvpc)
    throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  const args = read(awsvpc);
  const subnets = args.stringList("subnets");
  const securityGroups = args.stringList("securityGroups");
  if (subnets.length === 0) throw invalidParameter("subnets can not be empty.");
  if (subnets.length > MAX_SUBNETS) throw invalidParameter(`subnets can have at most ${MAX_SUBNETS} items.`);
  if (securityGroups.length > MAX_SECURITY_GROUPS)
    throw invalidParameter(`securityGroups can have at most ${MAX_SECURITY_GROUPS} items.`);
  const assignPublicIp = args.optionalString("assignPublicIp") ?? "DISABLED";
  if (assignPublicIp !== "ENABLED" && assignPublicIp !== "DISABLED")
    throw invalidParameter(`Invalid assignPublicIp: ${assignPublicIp}`);
  const vpcs = new Set<string>();
  for (const subnetId of subnets) {
    const subnet = findSubnet(region, subnetId);
    if (!subnet) {
      throw invalidParameter(
        `Error retrieving subnet information for [${subnetId}]: The subnet ID '${subnetId}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`,
      );
    }
    vpcs.add(subnet.vpcId);
  }
  if (vpcs.size > 1) throw invalidParameter("The subnets must all belong to the same VPC.");
  for (const groupId of securityGroups) {
    const group = findSecurityGroup(region, groupId);
    if (!group) {
      throw invalidParameter(
        `Error retrieving security group information for [${groupId}]: The security group '${groupId}' does not exist (ErrorCode: InvalidGroup.NotFound)`,
      );
    }
    if (!vpcs.has(group.vpcId))
      throw invalidParameter(`Security group ${groupId} and the subnets must belong to the same VPC.`);
  }
  return { subnets: [...subnets], securityGroups: [...securityGroups], assignPublicIp };
}

/** `loadBalancers`, each an ALB target group (with a listener) and a container port of the task definition. */
export function readLoadBalancers(
  region: RegionState,
  input: Input,
  definition: TaskDefinitionRevision,
): LoadBalancerBinding[] {
  const bindings = structures(input, "loadBalancers").map((item): LoadBalancerBinding => {
    const args = read(item);
    if (args.has("loadBalancerName"))
      throw invalidParameter(
        "loadBalancerName (Classic Load Balancer) is not supported with awsvpc: use targetGroupArn.",
      );
    const targetGroupArn = args.string("targetGroupArn");
    const containerName = args.string("containerName");
    const containerPort = args.int("containerPort");
    const group = findTargetGroup(region, targetGroupArn);
    if (!group) throw invalidParameter(`Target group ${targetGroupArn} does not exist.`);
    if (group.loadBalancerArns.length === 0) {
      throw invalidParameter(
        `The target group with targetGroupArn ${targetGroupArn} does not have an associated load balancer.`,
      );
    }
    if (definition.networkMode === "awsvpc" && group.targetType !== "ip") {
      throw invalidParameter(
        `The provided target group ${targetGroupArn} has target type ${group.targetType}, which is incompatible with the awsvpc network mode specified in the task definition.`,
      );
    }
    const container = definition.containers.find((candidate) => candidate.name === containerName);
    if (!container)
      throw invalidParameter(`The container ${containerName} does not exist in the task definition.`);
    if (!container.containerPorts.includes(containerPort)) {
      throw invalidParameter(
        `The container ${containerName} did not have a container port ${containerPort} defined.`,
      );
    }
    return { targetGroupArn, containerName, containerPort };
  });
  if (bindings.length > MAX_LOAD_BALANCERS)
    throw invalidParameter(`loadBalancers can have at most ${MAX_LOAD_BALANCERS} items.`);
  return bindings;
}

function readCircuitBreaker(
  input: Input | undefined,
  current: CircuitBreakerSettings,
): CircuitBreakerSettings {
  if (!input) return current;
  const args = read(input);
  const threshold = args.optionalObject("thresholdConfiguration");
  let parsed: CircuitBreakerSettings["threshold"];
  if (threshold) {
    const type = read(threshold).string("type");
    const value = read(threshold).int("value");
    if (!THRESHOLD_TYPES.has(type)) throw invalidParameter(`Invalid thresholdConfiguration type: ${type}`);
    if (value < 0) throw invalidParameter("thresholdConfiguration value must not be negative.");
    parsed = { type: type as NonNullable<CircuitBreakerSettings["threshold"]>["type"], value };
  }
  const enable = args.optionalBool("enable");
  const rollback = args.optionalBool("rollback");
  if (enable === undefined || rollback === undefined)
    throw invalidParameter("deploymentCircuitBreaker needs both enable and rollback.");
  return { enable, rollback, resetOnHealthyTask: args.optionalBool("resetOnHealthyTask"), threshold: parsed };
}

/** `deploymentConfiguration`; fields left out keep their `current` value (AWS's defaults at creation). */
export function readDeploymentSettings(
  input: Input | undefined,
  current: DeploymentSettings = DEFAULT_DEPLOYMENT_SETTINGS,
): DeploymentSettings {
  if (!input) return current;
  const args = read(input);
  const minimumHealthyPercent = args.optionalInt("minimumHealthyPercent") ?? current.minimumHealthyPercent;
  const maximumPercent = args.optionalInt("maximumPercent") ?? current.maximumPercent;
  if (minimumHealthyPercent < 0 || minimumHealthyPercent > 100)
    throw invalidParameter("minimumHealthyPercent must be between 0 and 100.");
  if (maximumPercent < 100) throw invalidParameter("maximumPercent must be greater than or equal to 100.");
  return {
    minimumHealthyPercent,
    maximumPercent,
    circuitBreaker: readCircuitBreaker(
      args.optionalObject("deploymentCircuitBreaker"),
      current.circuitBreaker,
    ),
  };
}
