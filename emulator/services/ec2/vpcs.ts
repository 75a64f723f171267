/**
 * Availability zones, VPCs and subnets: how they come to exist (the default VPC of every region, or
 * another one through the control API) and DescribeAvailabilityZones, DescribeVpcs, DescribeSubnets.
 * The API cannot create or delete them: the controller only reads the network it is given.
 */
import { AwsError } from "../../errors.ts";
import { ACCOUNT_ID, arn, ec2Id } from "../../identity.ts";
import type { Random } from "../../random.ts";
import type { Operation } from "../service-definition.ts";
import { availableAddressCount } from "./addresses.ts";
import { blockContains, blocksOverlap, formatIpv4Block, type Ipv4Block, parseIpv4Block } from "./cidr.ts";
import { invalidParameterValue } from "./errors.ts";
import { readFilters } from "./filters.ts";
import { read } from "./input.ts";
import { defaultVpcOf, requireSubnet, requireVpc } from "./lookup.ts";
import { paginate } from "./pagination.ts";
import { newRule } from "./permissions.ts";
import { addSecurityGroup } from "./security-groups.ts";
import type { AvailabilityZone, Ec2State, SecurityGroup, Subnet, Vpc } from "./state.ts";
import { tagSetOf } from "./tags.ts";

/** The zones the emulator gives every region. */
const ZONE_LETTERS = ["a", "b", "c"];
/** How AWS abbreviates a region's words in zone ids: `us-east-1` → `use1`, `ap-southeast-2` → `apse2`. */
const REGION_WORDS: Record<string, string> = {
  north: "n",
  south: "s",
  east: "e",
  west: "w",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
};
/** VPCs and subnets span /16 to /28, as in AWS. */
const LARGEST_PREFIX = 16;
const SMALLEST_PREFIX = 28;

/** `{region}a` … `{region}c` with AWS-shaped zone ids (`use1-az1`). */
export function availabilityZonesOf(region: string): AvailabilityZone[] {
  const words = region.split("-");
  const number = words.pop() ?? "";
  const [first = "", ...rest] = words;
  const code = first + rest.map((word) => REGION_WORDS[word] ?? word.charAt(0)).join("") + number;
  return ZONE_LETTERS.map((letter, index) => ({
    zoneName: `${region}${letter}`,
    zoneId: `${code}-az${index + 1}`,
  }));
}

export interface NewVpc {
  cidrBlock: string;
  /** The region's default VPC: its subnets are default for their zone. */
  isDefault?: boolean;
  subnets: { availabilityZone: string; cidrBlock: string; mapPublicIpOnLaunch?: boolean }[];
}

export interface CreatedVpc {
  vpc: Vpc;
  subnets: Subnet[];
  defaultSecurityGroup: SecurityGroup;
}

function sizedBlock(cidr: string, code: string): Ipv4Block {
  const block = parseIpv4Block(cidr);
  if (
    !block ||
    formatIpv4Block(block) !== cidr ||
    block.prefixLength < LARGEST_PREFIX ||
    block.prefixLength > SMALLEST_PREFIX
  ) {
    throw new AwsError(code, `The CIDR '${cidr}' is invalid.`);
  }
  return block;
}

/**
 * A VPC with its subnets and `default` security group (all traffic in from itself, all traffic out).
 * Checks everything first (CIDR sizes, subnets inside the VPC and apart, known zones), as CreateVpc and
 * CreateSubnet would.
 */
export function createVpc(state: Ec2State, spec: NewVpc, random: Random): CreatedVpc {
  const vpcBlock = sizedBlock(spec.cidrBlock, "InvalidVpc.Range");
  if (spec.isDefault && defaultVpcOf(state)) {
    throw new AwsError(
      "DefaultVpcAlreadyExists",
      "A Default VPC already exists for this account in this region.",
    );
  }
  const zoneNames = state.availabilityZones.map((zone) => zone.zoneName);
  const subnetBlocks: Ipv4Block[] = [];
  for (const subnet of spec.subnets) {
    if (!zoneNames.includes(subnet.availabilityZone)) {
      throw invalidParameterValue(
        `Value (${subnet.availabilityZone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zoneNames.join(", ")}.`,
      );
    }
    const block = sizedBlock(subnet.cidrBlock, "InvalidSubnet.Range");
    if (!blockContains(vpcBlock, block))
      throw new AwsError("InvalidSubnet.Range", `The CIDR '${subnet.cidrBlock}' is invalid.`);
    if (subnetBlocks.some((other) => blocksOverlap(other, block))) {
      throw new AwsError(
        "InvalidSubnet.Conflict",
        `The CIDR '${subnet.cidrBlock}' conflicts with another subnet`,
      );
    }
    subnetBlocks.push(block);
  }

  const isDefault = spec.isDefault ?? false;
  const vpc: Vpc = {
    vpcId: ec2Id("vpc", random),
    cidrBlock: spec.cidrBlock,
    cidrBlockAssociationId: ec2Id("vpc-cidr-assoc", random),
    dhcpOptionsId: ec2Id("dopt", random),
    isDefault,
    tags: new Map(),
  };
  state.vpcs.set(vpc.vpcId, vpc);
  const subnets = spec.subnets.map((request) => {
    const subnet: Subnet = {
      subnetId: ec2Id("subnet", random),
      vpcId: vpc.vpcId,
      availabilityZone: request.availabilityZone,
      availabilityZoneId:
        state.availabilityZones.find((zone) => zone.zoneName === request.availabilityZone)?.zoneId ?? "",
      cidrBlock: request.cidrBlock,
      defaultForAz: isDefault,
      mapPublicIpOnLaunch: request.mapPublicIpOnLaunch ?? isDefault,
      tags: new Map(),
    };
    state.subnets.set(subnet.subnetId, subnet);
    return subnet;
  });
  const defaultSecurityGroup = addSecurityGroup(
    state,
    { groupName: "default", description: "default VPC security group", vpcId: vpc.vpcId, tags: new Map() },
    random,
  );
  const fromItself = {
    isEgress: false,
    protocol: "-1",
    fromPort: undefined,
    toPort: undefined,
    peer: { kind: "group" as const, groupId: defaultSecurityGroup.groupId },
    description: undefined,
  };
  defaultSecurityGroup.rules.unshift(newRule(fromItself, defaultSecurityGroup.groupId, new Map(), random));
  return { vpc, subnets, defaultSecurityGroup };
}

function vpcView(vpc: Vpc) {
  return {
    ownerId: ACCOUNT_ID,
    instanceTenancy: "default",
    cidrBlockAssociationSet: [
      {
        associationId: vpc.cidrBlockAssociationId,
        cidrBlock: vpc.cidrBlock,
        cidrBlockState: { state: "associated" },
      },
    ],
    isDefault: vpc.isDefault,
    blockPublicAccessStates: { internetGatewayBlockMode: "off" },
    vpcId: vpc.vpcId,
    state: "available",
    cidrBlock: vpc.cidrBlock,
    dhcpOptionsId: vpc.dhcpOptionsId,
    tagSet: tagSetOf(vpc.tags),
  };
}

function subnetView(state: Ec2State, subnet: Subnet) {
  return {
    availabilityZoneId: subnet.availabilityZoneId,
    mapCustomerOwnedIpOnLaunch: false,
    ownerId: ACCOUNT_ID,
    assignIpv6AddressOnCreation: false,
    ipv6CidrBlockAssociationSet: [],
    tagSet: tagSetOf(subnet.tags),
    subnetArn: subnetArn(state.region, subnet),
    enableDns64: false,
    ipv6Native: false,
    privateDnsNameOptionsOnLaunch: {
      hostnameType: "ip-name",
      enableResourceNameDnsARecord: false,
      enableResourceNameDnsAAAARecord: false,
    },
    blockPublicAccessStates: { internetGatewayBlockMode: "off" },
    subnetId: subnet.subnetId,
    state: "available",
    vpcId: subnet.vpcId,
    cidrBlock: subnet.cidrBlock,
    availableIpAddressCount: availableAddressCount(state, subnet),
    availabilityZone: subnet.availabilityZone,
    defaultForAz: subnet.defaultForAz,
    mapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch,
  };
}

function subnetArn(region: string, subnet: Subnet): string {
  return arn("ec2", region, `subnet/${subnet.subnetId}`);
}

export const vpcOperations: Record<string, Operation> = {
  DescribeVpcs(input, context) {
    const state = context.region.ec2;
    const ids = read(input).stringList("VpcId");
    const isDefault = (vpc: Vpc) => vpc.isDefault;
    const cidr = (vpc: Vpc) => vpc.cidrBlock;
    const matches = readFilters<Vpc>(input, {
      "vpc-id": (vpc) => vpc.vpcId,
      "is-default": isDefault,
      isDefault,
      cidr,
      "cidr-block-association.cidr-block": cidr,
      "cidr-block-association.association-id": (vpc) => vpc.cidrBlockAssociationId,
      "cidr-block-association.state": () => "associated",
      "dhcp-options-id": (vpc) => vpc.dhcpOptionsId,
      "owner-id": () => ACCOUNT_ID,
      state: () => "available",
    });
    const candidates =
      ids.length > 0 ? [...new Set(ids.map((id) => requireVpc(state, id)))] : [...state.vpcs.values()];
    const { page, nextToken } = paginate(input, candidates.filter(matches), (vpc) => vpc.vpcId);
    return { vpcSet: page.map(vpcView), nextToken };
  },

  DescribeSubnets(input, context) {
    const state = context.region.ec2;
    const ids = read(input).stringList("SubnetId");
    const zone = (subnet: Subnet) => subnet.availabilityZone;
    const cidr = (subnet: Subnet) => subnet.cidrBlock;
    const defaultForAz = (subnet: Subnet) => subnet.defaultForAz;
    const matches = readFilters<Subnet>(input, {
      "subnet-id": (subnet) => subnet.subnetId,
      "subnet-arn": (subnet) => subnetArn(state.region, subnet),
      "vpc-id": (subnet) => subnet.vpcId,
      "availability-zone": zone,
      availabilityZone: zone,
      "availability-zone-id": (subnet) => subnet.availabilityZoneId,
      "available-ip-address-count": (subnet) => availableAddressCount(state, subnet),
      "cidr-block": cidr,
      cidr,
      cidrBlock: cidr,
      "default-for-az": defaultForAz,
      defaultForAz,
      "map-public-ip-on-launch": (subnet) => subnet.mapPublicIpOnLaunch,
      "owner-id": () => ACCOUNT_ID,
      state: () => "available",
    });
    const candidates =
      ids.length > 0 ? [...new Set(ids.map((id) => requireSubnet(state, id)))] : [...state.subnets.values()];
    const { page, nextToken } = paginate(input, candidates.filter(matches), (subnet) => subnet.subnetId);
    return { subnetSet: page.map((subnet) => subnetView(state, subnet)), nextToken };
  },

  DescribeAvailabilityZones(input, context) {
    const state = context.region.ec2;
    const args = read(input);
    const names = args.stringList("ZoneName");
    const zoneIds = args.stringList("ZoneId");
    const unknown = [
      ...names.filter((name) => !state.availabilityZones.some((zone) => zone.zoneName === name)),
      ...zoneIds.filter((id) => !state.availabilityZones.some((zone) => zone.zoneId === id)),
    ];
    if (unknown.length > 0) throw invalidParameterValue(`Invalid availability zone: [${unknown.join(", ")}]`);
    const matches = readFilters<AvailabilityZone & { tags: Map<string, string> }>(input, {
      "zone-name": (zone) => zone.zoneName,
      "zone-id": (zone) => zone.zoneId,
      "region-name": () => state.region,
      "group-name": () => state.region,
      "opt-in-status": () => "opt-in-not-required",
      "zone-type": () => "availability-zone",
      state: () => "available",
    });
    const zones = state.availabilityZones
      .filter((zone) => names.length === 0 || names.includes(zone.zoneName))
      .filter((zone) => zoneIds.length === 0 || zoneIds.includes(zone.zoneId))
      .filter((zone) => matches({ ...zone, tags: new Map() }));
    return {
      availabilityZoneInfo: zones.map((zone) => ({
        optInStatus: "opt-in-not-required",
        messageSet: [],
        regionName: state.region,
        zoneName: zone.zoneName,
        zoneId: zone.zoneId,
        groupName: state.region,
        networkBorderGroup: state.region,
        zoneType: "availability-zone",
        zoneState: "available",
      })),
    };
  },
};
