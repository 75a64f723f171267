/**
 * Network interfaces. Only other services create them (an ALB's nodes, a Fargate task's awsvpc ENI),
 * through `internal.ts`; the API describes them. A group an ENI is in cannot be deleted.
 */
import { AwsError } from "../../errors.ts";
import { ACCOUNT_ID, ec2Id } from "../../identity.ts";
import type { Random } from "../../random.ts";
import type { Operation } from "../service-definition.ts";
import { allocateAddress } from "./addresses.ts";
import { readFilters } from "./filters.ts";
import { read } from "./input.ts";
import { requireGroup, requireNetworkInterface, requireSubnet } from "./lookup.ts";
import { paginate } from "./pagination.ts";
import type { Ec2State, NetworkInterface } from "./state.ts";
import { tagSetOf } from "./tags.ts";

export interface NewNetworkInterface {
  subnetId: string;
  groupIds: string[];
  description: string;
  interfaceType: "interface" | "load_balancer";
  requesterId: string;
  now: number;
}

/** Creates an in-use ENI with a free address of the subnet; checks subnet and groups first. */
export function addNetworkInterface(
  state: Ec2State,
  request: NewNetworkInterface,
  random: Random,
): NetworkInterface {
  const subnet = requireSubnet(state, request.subnetId);
  for (const groupId of request.groupIds) {
    if (requireGroup(state, groupId).vpcId !== subnet.vpcId) {
      throw new AwsError(
        "InvalidParameter",
        `Security group ${groupId} and subnet ${subnet.subnetId} belong to different networks.`,
      );
    }
  }
  const privateIpAddress = allocateAddress(state, subnet, random);
  const networkInterface: NetworkInterface = {
    networkInterfaceId: ec2Id("eni", random),
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: subnet.availabilityZoneId,
    privateIpAddress,
    macAddress: macAddress(random),
    groupIds: [...new Set(request.groupIds)],
    description: request.description,
    interfaceType: request.interfaceType,
    requesterId: request.requesterId,
    attachmentId: ec2Id("ela-attach", random),
    attachedAt: request.now,
    tags: new Map(),
  };
  state.networkInterfaces.set(networkInterface.networkInterfaceId, networkInterface);
  return networkInterface;
}

/** A locally administered unicast MAC, as AWS gives ENIs (`02:…`). */
function macAddress(random: Random): string {
  return ["02", ...Array.from({ length: 5 }, () => random.hex(2))].join(":");
}

/** `ip-172-31-5-9.ec2.internal` in us-east-1, `ip-….{region}.compute.internal` elsewhere. */
function privateDnsName(region: string, address: string): string {
  const host = `ip-${address.replaceAll(".", "-")}`;
  return region === "us-east-1" ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

function networkInterfaceView(state: Ec2State, networkInterface: NetworkInterface) {
  const dnsName = privateDnsName(state.region, networkInterface.privateIpAddress);
  return {
    attachment: {
      attachTime: new Date(networkInterface.attachedAt),
      attachmentId: networkInterface.attachmentId,
      deleteOnTermination: false,
      deviceIndex: 1,
      networkCardIndex: 0,
      instanceOwnerId: networkInterface.interfaceType === "load_balancer" ? "amazon-elb" : "amazon-aws",
      status: "attached",
    },
    availabilityZone: networkInterface.availabilityZone,
    availabilityZoneId: networkInterface.availabilityZoneId,
    description: networkInterface.description,
    groupSet: networkInterface.groupIds.map((groupId) => ({
      groupId,
      groupName: state.securityGroups.get(groupId)?.groupName,
    })),
    interfaceType: networkInterface.interfaceType,
    ipv6AddressesSet: [],
    macAddress: networkInterface.macAddress,
    networkInterfaceId: networkInterface.networkInterfaceId,
    ownerId: ACCOUNT_ID,
    privateDnsName: dnsName,
    privateIpAddress: networkInterface.privateIpAddress,
    privateIpAddressesSet: [
      { primary: true, privateDnsName: dnsName, privateIpAddress: networkInterface.privateIpAddress },
    ],
    requesterId: networkInterface.requesterId,
    requesterManaged: true,
    sourceDestCheck: true,
    status: "in-use",
    subnetId: networkInterface.subnetId,
    tagSet: tagSetOf(networkInterface.tags),
    vpcId: networkInterface.vpcId,
  };
}

export const networkInterfaceOperations: Record<string, Operation> = {
  DescribeNetworkInterfaces(input, context) {
    const state = context.region.ec2;
    const ids = read(input).stringList("NetworkInterfaceId");
    const matches = readFilters<NetworkInterface>(input, {
      "addresses.private-ip-address": (eni) => eni.privateIpAddress,
      "private-ip-address": (eni) => eni.privateIpAddress,
      "availability-zone": (eni) => eni.availabilityZone,
      description: (eni) => eni.description,
      "group-id": (eni) => eni.groupIds,
      "group-name": (eni) => eni.groupIds.map((groupId) => state.securityGroups.get(groupId)?.groupName),
      "interface-type": (eni) => eni.interfaceType,
      "mac-address": (eni) => eni.macAddress,
      "network-interface-id": (eni) => eni.networkInterfaceId,
      "owner-id": () => ACCOUNT_ID,
      "requester-id": (eni) => eni.requesterId,
      "requester-managed": () => true,
      status: () => "in-use",
      "subnet-id": (eni) => eni.subnetId,
      "vpc-id": (eni) => eni.vpcId,
      "attachment.status": () => "attached",
    });
    const candidates =
      ids.length > 0
        ? [...new Set(ids.map((id) => requireNetworkInterface(state, id)))]
        : [...state.networkInterfaces.values()];
    const { page, nextToken } = paginate(input, candidates.filter(matches), (eni) => eni.networkInterfaceId);
    return { networkInterfaceSet: page.map((eni) => networkInterfaceView(state, eni)), nextToken };
  },
};
