/**
 * Private addresses of a subnet. AWS reserves five in every subnet (the network address, the router,
 * DNS, one for future use, and the broadcast address); the rest go to network interfaces, one each.
 */
import { AwsError } from "../../errors.ts";
import type { Random } from "../../random.ts";
import { blockSize, formatIpv4, parseIpv4Block } from "./cidr.ts";
import type { Ec2State, Subnet } from "./state.ts";

const RESERVED_AT_START = 4;
const RESERVED_AT_END = 1;

function subnetBlock(subnet: Subnet) {
  const block = parseIpv4Block(subnet.cidrBlock);
  if (!block) throw new Error(`subnet ${subnet.subnetId} has an invalid CIDR ${subnet.cidrBlock}`);
  return block;
}

/** What DescribeSubnets reports: usable addresses minus those held by network interfaces. */
export function availableAddressCount(state: Ec2State, subnet: Subnet): number {
  const usable = blockSize(subnetBlock(subnet)) - RESERVED_AT_START - RESERVED_AT_END;
  return usable - state.networkInterfaces.addressCountIn(subnet.subnetId);
}

/**
 * A free address of the subnet: a seeded random start, then the next free one, so runs repeat under
 * a seed while addresses look like AWS's (not handed out in order, so a released one is rarely reused soon).
 */
export function allocateAddress(state: Ec2State, subnet: Subnet, random: Random): string {
  const block = subnetBlock(subnet);
  const first = block.network + RESERVED_AT_START;
  const count = blockSize(block) - RESERVED_AT_START - RESERVED_AT_END;
  const start = random.int(0, count - 1);
  for (let step = 0; step < count; step++) {
    const address = first + ((start + step) % count);
    if (!state.networkInterfaces.holds(subnet.subnetId, address)) return formatIpv4(address);
  }
  throw new AwsError(
    "InsufficientFreeAddressesInSubnet",
    `There are not enough free addresses in subnet '${subnet.subnetId}' to satisfy the requested number of instances.`,
  );
}
