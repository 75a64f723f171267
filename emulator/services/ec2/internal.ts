/**
 * What other services ask of EC2 inside the emulator (not API operations): network interfaces for
 * load balancers and tasks, and facts about subnets and groups. Signatures are a contract between
 * service folders; change them only together with their callers (elbv2/, ecs/).
 */
import type { Random } from "../../random.ts";
import type { RegionState } from "../../world.ts";
import { blockContains, parseIpv4, parseIpv4Block } from "./cidr.ts";
import { addNetworkInterface } from "./network-interfaces.ts";

export interface SubnetFacts {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  cidrBlock: string;
  defaultForAz: boolean;
}

export interface InterfaceRequest {
  subnetId: string;
  groupIds: string[];
  description: string;
  /** `interface` for tasks (awsvpc), `load_balancer` for ALB nodes. */
  interfaceType: "interface" | "load_balancer";
  /** The owner shown as the ENI's requester (a task or load balancer ARN). */
  requesterId: string;
  now: number;
}

export interface AllocatedInterface {
  networkInterfaceId: string;
  privateIpAddress: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
}

/** Creates an in-use ENI with a free private IP of the subnet. Throws AwsError for an unknown subnet or group. */
export function allocateNetworkInterface(
  region: RegionState,
  request: InterfaceRequest,
  random: Random,
): AllocatedInterface {
  const { networkInterfaceId, privateIpAddress, subnetId, vpcId, availabilityZone } = addNetworkInterface(
    region.ec2,
    request,
    random,
  );
  return { networkInterfaceId, privateIpAddress, subnetId, vpcId, availabilityZone };
}

/** Deletes an ENI (its groups become deletable). Releasing one that is already gone is fine. */
export function releaseNetworkInterface(region: RegionState, networkInterfaceId: string): void {
  region.ec2.networkInterfaces.delete(networkInterfaceId);
}

/** Whether `ip` lies in one of the VPC's IPv4 blocks (false for an unknown VPC). */
export function vpcContainsIp(region: RegionState, vpcId: string, ip: string): boolean {
  const vpc = region.ec2.vpcs.get(vpcId);
  const address = parseIpv4(ip);
  const block = vpc ? parseIpv4Block(vpc.cidrBlock) : undefined;
  return (
    address !== undefined &&
    block !== undefined &&
    blockContains(block, { network: address, prefixLength: 32 })
  );
}

/** The subnet's placement facts, or undefined when there is no such subnet in the region. */
export function findSubnet(region: RegionState, subnetId: string): SubnetFacts | undefined {
  const subnet = region.ec2.subnets.get(subnetId);
  if (!subnet) return undefined;
  const { vpcId, availabilityZone, cidrBlock, defaultForAz } = subnet;
  return { subnetId, vpcId, availabilityZone, cidrBlock, defaultForAz };
}

/** The group and its VPC, or undefined when there is no such group in the region. */
export function findSecurityGroup(
  region: RegionState,
  groupId: string,
): { groupId: string; vpcId: string } | undefined {
  const group = region.ec2.securityGroups.get(groupId);
  return group && { groupId: group.groupId, vpcId: group.vpcId };
}
