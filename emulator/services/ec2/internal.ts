/**
 * What other services ask of EC2 inside the emulator (not API operations): network interfaces for
 * load balancers and tasks, and facts about subnets and groups. Signatures are a contract between
 * service folders; change them only together with their callers (elbv2/, ecs/).
 */
import type { Random } from "../../random.ts";
import type { RegionState } from "../../world.ts";

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
  _region: RegionState,
  _request: InterfaceRequest,
  _random: Random,
): AllocatedInterface {
  throw new Error("allocateNetworkInterface: to be implemented in ec2/");
}

/** Deletes an ENI (its groups become deletable). Releasing one that is already gone is fine. */
export function releaseNetworkInterface(_region: RegionState, _networkInterfaceId: string): void {
  throw new Error("releaseNetworkInterface: to be implemented in ec2/");
}

export function findSubnet(_region: RegionState, _subnetId: string): SubnetFacts | undefined {
  throw new Error("findSubnet: to be implemented in ec2/");
}

export function findSecurityGroup(
  _region: RegionState,
  _groupId: string,
): { groupId: string; vpcId: string } | undefined {
  throw new Error("findSecurityGroup: to be implemented in ec2/");
}
