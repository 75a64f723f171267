/**
 * EC2 state of one region: availability zones, VPCs and their subnets, security groups with their
 * rules, and network interfaces. Each region starts as a fresh AWS account does: a default VPC with
 * one default subnet per availability zone and the VPC's `default` security group.
 */

import type { Random } from "../../random.ts";
import { NetworkInterfaceTable } from "./network-interface-table.ts";
import { availabilityZonesOf, createVpc } from "./vpcs.ts";

/** Tags of a resource; a Map, because keys are the caller's text (`__proto__` is a valid tag key). */
export type Tags = Map<string, string>;

export interface AvailabilityZone {
  zoneName: string;
  zoneId: string;
}

export interface Vpc {
  vpcId: string;
  cidrBlock: string;
  cidrBlockAssociationId: string;
  dhcpOptionsId: string;
  isDefault: boolean;
  tags: Tags;
}

export interface Subnet {
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  availabilityZoneId: string;
  cidrBlock: string;
  defaultForAz: boolean;
  mapPublicIpOnLaunch: boolean;
  tags: Tags;
}

/** The other end of a rule: exactly one per rule, as AWS stores rules since security group rule ids. */
export type RulePeer =
  | { kind: "cidr-ipv4"; cidrIpv4: string }
  | { kind: "cidr-ipv6"; cidrIpv6: string }
  | { kind: "prefix-list"; prefixListId: string }
  | { kind: "group"; groupId: string };

export interface SecurityGroupRule {
  ruleId: string;
  groupId: string;
  isEgress: boolean;
  /** `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all traffic) or another protocol number. */
  protocol: string;
  /** Ports (or ICMP type and code); undefined for protocols without them, such as `-1`. */
  fromPort: number | undefined;
  toPort: number | undefined;
  peer: RulePeer;
  description: string | undefined;
  tags: Tags;
}

export interface SecurityGroup {
  groupId: string;
  groupName: string;
  description: string;
  vpcId: string;
  /** Ingress and egress rules in the order they were authorized. */
  rules: SecurityGroupRule[];
  tags: Tags;
}

export interface NetworkInterface {
  networkInterfaceId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  availabilityZoneId: string;
  privateIpAddress: string;
  macAddress: string;
  groupIds: string[];
  description: string;
  interfaceType: "interface" | "load_balancer";
  requesterId: string;
  attachmentId: string;
  attachedAt: number;
  tags: Tags;
}

export interface Ec2State {
  region: string;
  availabilityZones: AvailabilityZone[];
  vpcs: Map<string, Vpc>;
  subnets: Map<string, Subnet>;
  securityGroups: Map<string, SecurityGroup>;
  /** By id, with the addresses each subnet holds. */
  networkInterfaces: NetworkInterfaceTable;
}

/**
 * Where the default VPC's addresses come from: `aws` as AWS creates it (172.31.0.0/16), `loopback`
 * in 127.31.0.0/16, so that processes standing in for tasks can listen on their ENI's own IP
 * (every 127.x.y.z is a loopback address on Linux).
 */
export type NetworkMode = "aws" | "loopback";

/** The default VPC's CIDR and its default subnets' (one /20 per availability zone), as AWS creates them. */
const DEFAULT_VPC_FIRST_OCTET: Record<NetworkMode, number> = { aws: 172, loopback: 127 };

/** A region as a new account finds it: the default VPC, its default subnets and `default` security group. */
export function createEc2State(
  region: string,
  random: Random,
  network: NetworkMode = "aws",
  /** The second octet of the default VPC: 31 as AWS makes it (a loopback emulator may reserve another). */
  secondOctet = 31,
): Ec2State {
  const octet = DEFAULT_VPC_FIRST_OCTET[network];
  const state: Ec2State = {
    region,
    availabilityZones: availabilityZonesOf(region),
    vpcs: new Map(),
    subnets: new Map(),
    securityGroups: new Map(),
    networkInterfaces: new NetworkInterfaceTable(),
  };
  createVpc(
    state,
    {
      cidrBlock: `${octet}.${secondOctet}.0.0/16`,
      isDefault: true,
      subnets: state.availabilityZones.map((zone, index) => ({
        availabilityZone: zone.zoneName,
        cidrBlock: `${octet}.${secondOctet}.${index * 16}.0/20`,
        mapPublicIpOnLaunch: true,
      })),
    },
    random,
  );
  return state;
}
