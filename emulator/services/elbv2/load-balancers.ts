/** Application Load Balancers: create (with one ENI per subnet), describe, delete, attributes. */
import { AwsError } from "../../errors.ts";
import type { Input, InputReader } from "../../protocols/input.ts";
import type { RegionState } from "../../world.ts";
import {
  allocateNetworkInterface,
  findSecurityGroup,
  findSubnet,
  releaseNetworkInterface,
  type SubnetFacts,
} from "../ec2/internal.ts";
import type { Operation, OperationContext } from "../service-definition.ts";
import { defaultLoadBalancerAttributes, describeAttributes, modifiedAttributes } from "./attributes.ts";
import {
  atMost,
  invalidConfiguration,
  loadBalancerNotFound,
  optionalEnum,
  read,
  structures,
  validationError,
} from "./errors.ts";
import { removeListener } from "./listener-records.ts";
import { canonicalHostedZoneId, checkName, loadBalancerArn } from "./names.ts";
import { paginate } from "./pagination.ts";
import type { LoadBalancer } from "./state.ts";
import { readTags } from "./tags.ts";

const MAX_NAMES_PER_CALL = 20;
const MAX_TAGS = 50;

/** The load balancer an ARN names, or LoadBalancerNotFound. */
export function loadBalancerByArn(region: RegionState, arn: string): LoadBalancer {
  const loadBalancer = region.elbv2.loadBalancers.get(arn);
  if (!loadBalancer) throw loadBalancerNotFound();
  return loadBalancer;
}

/** A load balancer as DescribeLoadBalancers shows it. */
export function describeLoadBalancer(loadBalancer: LoadBalancer) {
  return {
    LoadBalancerArn: loadBalancer.arn,
    DNSName: loadBalancer.dnsName,
    CanonicalHostedZoneId: loadBalancer.canonicalHostedZoneId,
    CreatedTime: new Date(loadBalancer.createdAt),
    LoadBalancerName: loadBalancer.name,
    Scheme: loadBalancer.scheme,
    VpcId: loadBalancer.vpcId,
    State: { Code: loadBalancer.state },
    Type: loadBalancer.type,
    AvailabilityZones: loadBalancer.zones.map((zone) => ({
      ZoneName: zone.zoneName,
      SubnetId: zone.subnetId,
      LoadBalancerAddresses: [],
    })),
    SecurityGroups: loadBalancer.securityGroups,
    IpAddressType: loadBalancer.ipAddressType,
  };
}

/** The subnets of `Subnets` or `SubnetMappings` (exactly one of them), resolved through EC2. */
function requestedSubnets(region: RegionState, args: InputReader): SubnetFacts[] {
  const subnets = args.stringList("Subnets");
  const mappings = structures(args, "SubnetMappings");
  if (subnets.length > 0 && mappings.length > 0)
    throw validationError("You can specify subnets or subnet mappings, but not both");
  const ids =
    subnets.length > 0
      ? subnets
      : mappings.map((mapping) => {
          if (typeof mapping.SubnetId !== "string")
            throw validationError("A subnet mapping needs a SubnetId");
          if (mapping.AllocationId !== undefined || mapping.PrivateIPv4Address !== undefined)
            throw invalidConfiguration("Application Load Balancers do not support Elastic IP addresses");
          return mapping.SubnetId;
        });
  if (ids.length === 0)
    throw validationError("At least two subnets in two different Availability Zones must be specified");
  const found = [...new Set(ids)].map((subnetId) => {
    const subnet = findSubnet(region, subnetId);
    if (!subnet) throw new AwsError("SubnetNotFound", `The subnet ID '${subnetId}' is not valid`);
    return subnet;
  });
  const vpcs = new Set(found.map((subnet) => subnet.vpcId));
  if (vpcs.size > 1) throw invalidConfiguration("The subnets must all belong to the same VPC");
  const zones = new Set<string>();
  for (const subnet of found) {
    if (zones.has(subnet.availabilityZone)) {
      throw invalidConfiguration(
        "A load balancer cannot be attached to multiple subnets in the same Availability Zone",
      );
    }
    zones.add(subnet.availabilityZone);
  }
  if (zones.size < 2)
    throw validationError("At least two subnets in two different Availability Zones must be specified");
  return found;
}

function requestedSecurityGroups(region: RegionState, args: InputReader, vpcId: string): string[] {
  const groupIds = [...new Set(args.stringList("SecurityGroups"))];
  for (const groupId of groupIds) {
    const group = findSecurityGroup(region, groupId);
    if (!group) throw new AwsError("InvalidSecurityGroup", `Security group '${groupId}' does not exist`);
    if (group.vpcId !== vpcId) {
      throw new AwsError(
        "InvalidSecurityGroup",
        `Security group '${groupId}' does not belong to VPC '${vpcId}' of the load balancer's subnets`,
      );
    }
  }
  return groupIds;
}

const sameMembers = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

function createLoadBalancer(input: Input, context: OperationContext) {
  const { region, random, now } = context;
  const args = read(input);
  const name = args.string("Name");
  checkName("Load balancer", name);
  const type = optionalEnum(args, "Type", ["application", "network", "gateway"]) ?? "application";
  if (type !== "application") {
    throw validationError(
      `The emulator serves Application Load Balancers only; load balancer type '${type}' is not supported`,
    );
  }
  const scheme = optionalEnum(args, "Scheme", ["internet-facing", "internal"]) ?? "internet-facing";
  const ipAddressType =
    optionalEnum(args, "IpAddressType", ["ipv4", "dualstack", "dualstack-without-public-ipv4"]) ?? "ipv4";
  const tags = readTags(args);
  if (tags.size > MAX_TAGS)
    throw new AwsError("TooManyTags", `A load balancer can have at most ${MAX_TAGS} tags`);
  const subnets = requestedSubnets(region, args);
  const vpcId = subnets[0]?.vpcId ?? "";
  const securityGroups = requestedSecurityGroups(region, args, vpcId);

  const existing = [...region.elbv2.loadBalancers.values()].find((candidate) => candidate.name === name);
  if (existing) {
    // Create is idempotent: the same settings return the load balancer that exists.
    const same =
      existing.scheme === scheme &&
      existing.ipAddressType === ipAddressType &&
      sameMembers(
        existing.zones.map((zone) => zone.subnetId),
        subnets.map((subnet) => subnet.subnetId),
      ) &&
      sameMembers(existing.securityGroups, securityGroups);
    if (!same) {
      throw new AwsError(
        "DuplicateLoadBalancerName",
        `A load balancer with the same name '${name}' exists, but with different settings`,
      );
    }
    return { LoadBalancers: [describeLoadBalancer(existing)] };
  }

  const id = random.hex(16);
  const arn = loadBalancerArn(region.name, name, id);
  const zones = allocateNodes(region, context, subnets, securityGroups, arn, `ELB app/${name}/${id}`);
  const dnsId = random.int(100_000_000, 2_147_483_647);
  const loadBalancer: LoadBalancer = {
    arn,
    name,
    id,
    dnsName: `${scheme === "internal" ? "internal-" : ""}${name}-${dnsId}.${region.name}.elb.amazonaws.com`,
    canonicalHostedZoneId: canonicalHostedZoneId(region.name),
    createdAt: now,
    scheme,
    type,
    ipAddressType,
    vpcId,
    zones,
    securityGroups,
    state: "provisioning",
    attributes: defaultLoadBalancerAttributes(scheme),
    tags,
  };
  region.elbv2.loadBalancers.set(arn, loadBalancer);
  return { LoadBalancers: [describeLoadBalancer(loadBalancer)] };
}

/** One ENI per subnet for the load balancer's nodes; all or none. */
function allocateNodes(
  region: RegionState,
  context: OperationContext,
  subnets: SubnetFacts[],
  groupIds: string[],
  requesterId: string,
  description: string,
): LoadBalancer["zones"] {
  const zones: LoadBalancer["zones"] = [];
  try {
    for (const subnet of subnets) {
      const allocated = allocateNetworkInterface(
        region,
        {
          subnetId: subnet.subnetId,
          groupIds,
          description,
          interfaceType: "load_balancer",
          requesterId,
          now: context.now,
        },
        context.random,
      );
      zones.push({
        zoneName: subnet.availabilityZone,
        subnetId: subnet.subnetId,
        networkInterfaceId: allocated.networkInterfaceId,
      });
    }
  } catch (error) {
    for (const zone of zones) releaseNetworkInterface(region, zone.networkInterfaceId);
    throw error;
  }
  return zones;
}

/** Removes a load balancer with its listeners, their rules, and its ENIs (so its security groups become deletable). */
export function removeLoadBalancer(region: RegionState, loadBalancer: LoadBalancer): void {
  for (const listener of [...region.elbv2.listeners.values()]) {
    if (listener.loadBalancerArn === loadBalancer.arn) removeListener(region.elbv2, listener.arn);
  }
  for (const zone of loadBalancer.zones) releaseNetworkInterface(region, zone.networkInterfaceId);
  region.elbv2.loadBalancers.delete(loadBalancer.arn);
}

export const loadBalancerOperations: Record<string, Operation> = {
  CreateLoadBalancer: createLoadBalancer,

  DescribeLoadBalancers(input, context) {
    const args = read(input);
    const arns = args.stringList("LoadBalancerArns");
    const names = args.stringList("Names");
    if (arns.length > 0 && names.length > 0)
      throw validationError(
        "Load balancer names and load balancer ARNs cannot be specified at the same time",
      );
    atMost(arns, MAX_NAMES_PER_CALL, "LoadBalancerArns");
    atMost(names, MAX_NAMES_PER_CALL, "Names");
    const all = [...context.region.elbv2.loadBalancers.values()];
    let selected = all;
    if (arns.length > 0) selected = arns.map((arn) => loadBalancerByArn(context.region, arn));
    if (names.length > 0) {
      selected = names.map((name) => {
        const found = all.find((loadBalancer) => loadBalancer.name === name);
        if (!found) throw loadBalancerNotFound();
        return found;
      });
    }
    const { page, nextMarker } = paginate(args, selected);
    return { LoadBalancers: page.map(describeLoadBalancer), NextMarker: nextMarker };
  },

  DeleteLoadBalancer(input, context) {
    const arn = read(input).string("LoadBalancerArn");
    const loadBalancer = context.region.elbv2.loadBalancers.get(arn);
    // Deleting a load balancer that is already gone succeeds, as AWS documents.
    if (!loadBalancer) return {};
    if (loadBalancer.attributes.get("deletion_protection.enabled") === "true") {
      throw new AwsError(
        "OperationNotPermitted",
        `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`,
      );
    }
    removeLoadBalancer(context.region, loadBalancer);
    return {};
  },

  DescribeLoadBalancerAttributes(input, context) {
    const loadBalancer = loadBalancerByArn(context.region, read(input).string("LoadBalancerArn"));
    return { Attributes: describeAttributes(loadBalancer.attributes) };
  },

  ModifyLoadBalancerAttributes(input, context) {
    const args = read(input);
    const loadBalancer = loadBalancerByArn(context.region, args.string("LoadBalancerArn"));
    loadBalancer.attributes = modifiedAttributes(
      "loadBalancer",
      loadBalancer.attributes,
      structures(args, "Attributes"),
      loadBalancer.scheme,
    );
    return { Attributes: describeAttributes(loadBalancer.attributes) };
  },
};
