/** Target groups: create (idempotent), describe, modify health checks, delete, attributes. */
import { AwsError } from "../../errors.ts";
import type { Input } from "../../protocols/input.ts";
import type { RegionState } from "../../world.ts";
import type { Operation, OperationContext } from "../service-definition.ts";
import { loadBalancerArnsOf, referencesTo } from "./associations.ts";
import { defaultTargetGroupAttributes, describeAttributes, modifiedAttributes } from "./attributes.ts";
import {
  atMost,
  optionalEnum,
  optionalIntIn,
  read,
  structures,
  targetGroupNotFound,
  validationError,
} from "./errors.ts";
import { defaultHealthCheck, healthCheckWith } from "./health-check-settings.ts";
import { loadBalancerByArn } from "./load-balancers.ts";
import { checkName, targetGroupArn } from "./names.ts";
import { paginate } from "./pagination.ts";
import type { Elbv2State, HealthCheck, TargetGroup } from "./state.ts";
import { readTags } from "./tags.ts";
import { noteTargetChanged } from "./target-changes.ts";

const MAX_NAMES_PER_CALL = 20;
const MAX_TAGS = 50;

/** The target group an ARN names, or TargetGroupNotFound. */
export function targetGroupByArn(region: RegionState, arn: string): TargetGroup {
  const group = region.elbv2.targetGroups.get(arn);
  if (!group) throw targetGroupNotFound();
  return group;
}

/** A target group as DescribeTargetGroups shows it. */
export function describeTargetGroup(state: Elbv2State, group: TargetGroup) {
  const { healthCheck } = group;
  return {
    TargetGroupArn: group.arn,
    TargetGroupName: group.name,
    Protocol: group.protocol,
    Port: group.port,
    VpcId: group.vpcId,
    HealthCheckProtocol: healthCheck.protocol,
    HealthCheckPort: healthCheck.port,
    HealthCheckEnabled: healthCheck.enabled,
    HealthCheckIntervalSeconds: healthCheck.intervalSeconds,
    HealthCheckTimeoutSeconds: healthCheck.timeoutSeconds,
    HealthyThresholdCount: healthCheck.healthyThreshold,
    UnhealthyThresholdCount: healthCheck.unhealthyThreshold,
    HealthCheckPath: healthCheck.path,
    Matcher: healthCheck.matcher,
    LoadBalancerArns: loadBalancerArnsOf(state, group.arn),
    TargetType: group.targetType,
    ProtocolVersion: group.protocolVersion,
    IpAddressType: group.ipAddressType,
  };
}

const sameHealthCheck = (a: HealthCheck, b: HealthCheck) => JSON.stringify(a) === JSON.stringify(b);

function createTargetGroup(input: Input, context: OperationContext) {
  const { region } = context;
  const args = read(input);
  const name = args.string("Name");
  checkName("Target group", name);
  const targetType = optionalEnum(args, "TargetType", ["instance", "ip", "lambda", "alb"]) ?? "instance";
  if (targetType === "lambda" || targetType === "alb") {
    throw validationError(
      `The emulator serves instance and ip target groups only; target type '${targetType}' is not supported`,
    );
  }
  const protocol = args.optionalString("Protocol");
  if (protocol === undefined) throw validationError("A protocol must be specified");
  if (protocol !== "HTTP" && protocol !== "HTTPS") {
    throw validationError(
      `The emulator serves Application Load Balancer target groups only; protocol '${protocol}' is not supported`,
    );
  }
  const port = optionalIntIn(args, "Port", 1, 65_535);
  if (port === undefined) throw validationError("A port must be specified");
  const vpcId = args.optionalString("VpcId");
  if (vpcId === undefined) throw validationError("A VPC ID must be specified");
  const protocolVersion = optionalEnum(args, "ProtocolVersion", ["HTTP1", "HTTP2", "GRPC"]) ?? "HTTP1";
  const ipAddressType = optionalEnum(args, "IpAddressType", ["ipv4", "ipv6"]) ?? "ipv4";
  const healthCheck = healthCheckWith(args, defaultHealthCheck(protocolVersion), {
    targetType,
    protocolVersion,
  });
  const tags = readTags(args);
  if (tags.size > MAX_TAGS)
    throw new AwsError("TooManyTags", `A target group can have at most ${MAX_TAGS} tags`);

  const existing = [...region.elbv2.targetGroups.values()].find((group) => group.name === name);
  if (existing) {
    // Create is idempotent: the same settings return the group that exists.
    const same =
      existing.protocol === protocol &&
      existing.protocolVersion === protocolVersion &&
      existing.port === port &&
      existing.vpcId === vpcId &&
      existing.targetType === targetType &&
      existing.ipAddressType === ipAddressType &&
      sameHealthCheck(existing.healthCheck, healthCheck);
    if (!same) {
      throw new AwsError(
        "DuplicateTargetGroupName",
        `A target group with the same name '${name}' exists, but with different settings`,
      );
    }
    return { TargetGroups: [describeTargetGroup(region.elbv2, existing)] };
  }

  const arn = targetGroupArn(region.name, name, context.random.hex(16));
  const group: TargetGroup = {
    arn,
    name,
    protocol,
    protocolVersion,
    port,
    vpcId,
    targetType,
    ipAddressType,
    healthCheck,
    attributes: defaultTargetGroupAttributes(),
    targets: new Map(),
    tags,
  };
  region.elbv2.targetGroups.set(arn, group);
  return { TargetGroups: [describeTargetGroup(region.elbv2, group)] };
}

function describeTargetGroups(input: Input, context: OperationContext) {
  const { region } = context;
  const args = read(input);
  const loadBalancerArn = args.optionalString("LoadBalancerArn");
  const arns = args.stringList("TargetGroupArns");
  const names = args.stringList("Names");
  const filters = [loadBalancerArn !== undefined, arns.length > 0, names.length > 0].filter(Boolean);
  if (filters.length > 1)
    throw validationError("Specify at most one of LoadBalancerArn, TargetGroupArns and Names");
  atMost(arns, MAX_NAMES_PER_CALL, "TargetGroupArns");
  atMost(names, MAX_NAMES_PER_CALL, "Names");
  const all = [...region.elbv2.targetGroups.values()];
  let selected = all;
  if (loadBalancerArn !== undefined) {
    loadBalancerByArn(region, loadBalancerArn);
    selected = all.filter((group) => loadBalancerArnsOf(region.elbv2, group.arn).includes(loadBalancerArn));
  }
  if (arns.length > 0) selected = arns.map((arn) => targetGroupByArn(region, arn));
  if (names.length > 0) {
    selected = names.map((name) => {
      const found = all.find((group) => group.name === name);
      if (!found) throw targetGroupNotFound();
      return found;
    });
  }
  const { page, nextMarker } = paginate(args, selected);
  return {
    TargetGroups: page.map((group) => describeTargetGroup(region.elbv2, group)),
    NextMarker: nextMarker,
  };
}

export const targetGroupOperations: Record<string, Operation> = {
  CreateTargetGroup: createTargetGroup,
  DescribeTargetGroups: describeTargetGroups,

  /** Only health checks can change: name, protocol, port, VPC and target type are fixed at creation. */
  ModifyTargetGroup(input, context) {
    const args = read(input);
    const group = targetGroupByArn(context.region, args.string("TargetGroupArn"));
    group.healthCheck = healthCheckWith(args, group.healthCheck, group);
    return { TargetGroups: [describeTargetGroup(context.region.elbv2, group)] };
  },

  DeleteTargetGroup(input, context) {
    const arn = read(input).string("TargetGroupArn");
    const { elbv2 } = context.region;
    if (!elbv2.targetGroups.has(arn)) return {};
    if (referencesTo(elbv2, arn).length > 0)
      throw new AwsError(
        "ResourceInUse",
        `Target group '${arn}' is currently in use by a listener or a rule`,
      );
    for (const target of elbv2.targetGroups.get(arn)?.targets.values() ?? [])
      noteTargetChanged(elbv2, target.id);
    elbv2.targetGroups.delete(arn);
    return {};
  },

  DescribeTargetGroupAttributes(input, context) {
    const group = targetGroupByArn(context.region, read(input).string("TargetGroupArn"));
    return { Attributes: describeAttributes(group.attributes) };
  },

  ModifyTargetGroupAttributes(input, context) {
    const args = read(input);
    const group = targetGroupByArn(context.region, args.string("TargetGroupArn"));
    group.attributes = modifiedAttributes("targetGroup", group.attributes, structures(args, "Attributes"));
    return { Attributes: describeAttributes(group.attributes) };
  },
};
