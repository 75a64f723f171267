/**
 * Where a service runs: the VPC and subnets its spec names, resolved against EC2 ("default" → the
 * region's default VPC and its default-for-AZ subnets). Bad references are terminal errors that point
 * at the spec field to fix.
 */
import { DescribeSubnetsCommand, DescribeVpcsCommand, type Subnet } from "@aws-sdk/client-ec2";
import type { ServiceSpec } from "../../specs/index.ts";
import type { AwsClients } from "../aws/clients.ts";
import { awsErrorCode } from "../aws/errors.ts";

export interface ResolvedNetwork {
  vpcId: string;
  /** Sorted, one per Availability Zone. */
  loadBalancerSubnets: string[];
  taskSubnets: string[];
}

/** A spec value that does not match AWS: names the field, so the error can point at file:line:col. */
export class SpecReferenceError extends Error {
  readonly path: readonly PropertyKey[];
  readonly hint: string;

  constructor(path: readonly PropertyKey[], message: string, hint: string) {
    super(message);
    this.name = "SpecReferenceError";
    this.path = path;
    this.hint = hint;
  }
}

async function resolveVpc(clients: AwsClients, vpc: string): Promise<string> {
  if (vpc === "default") {
    const { Vpcs = [] } = await clients.ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }),
    );
    const found = Vpcs[0]?.VpcId;
    if (!found) {
      throw new SpecReferenceError(
        ["spec", "network", "vpc"],
        `region ${clients.region} has no default VPC`,
        "name a VPC id in spec.network.vpc",
      );
    }
    return found;
  }
  try {
    await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: [vpc] }));
    return vpc;
  } catch (error) {
    if (awsErrorCode(error) === "InvalidVpcID.NotFound") {
      throw new SpecReferenceError(
        ["spec", "network", "vpc"],
        `${vpc} does not exist in ${clients.region}`,
        "check the VPC id and the region",
      );
    }
    throw error;
  }
}

async function resolveSubnets(
  clients: AwsClients,
  vpcId: string,
  listed: string[],
  field: string,
  needTwoZones: boolean,
): Promise<string[]> {
  let subnets: Subnet[];
  if (listed.length === 0) {
    ({ Subnets: subnets = [] } = await clients.ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "default-for-az", Values: ["true"] },
        ],
      }),
    ));
    if (subnets.length === 0) {
      throw new SpecReferenceError(
        ["spec", "network", field],
        `${vpcId} has no default subnets`,
        `list subnets in spec.network.${field}`,
      );
    }
  } else {
    try {
      ({ Subnets: subnets = [] } = await clients.ec2.send(new DescribeSubnetsCommand({ SubnetIds: listed })));
    } catch (error) {
      if (awsErrorCode(error) === "InvalidSubnetID.NotFound") {
        const missing = (error as Error).message.match(/subnet-[0-9a-f]+/)?.[0];
        const index = Math.max(0, listed.indexOf(missing ?? ""));
        throw new SpecReferenceError(
          ["spec", "network", field, index],
          `${missing ?? "a subnet"} does not exist in ${clients.region}`,
          "check the subnet ids and the region",
        );
      }
      throw error;
    }
    const outside = subnets.find((subnet) => subnet.VpcId !== vpcId);
    if (outside?.SubnetId) {
      throw new SpecReferenceError(
        ["spec", "network", field, listed.indexOf(outside.SubnetId)],
        `${outside.SubnetId} is in ${outside.VpcId}, not in ${vpcId}`,
        "use subnets of the service's VPC",
      );
    }
  }
  const zones = new Set(subnets.map((subnet) => subnet.AvailabilityZone));
  if (needTwoZones && zones.size < 2) {
    throw new SpecReferenceError(
      ["spec", "network", field],
      "the load balancer's subnets must span at least two Availability Zones",
      "add a subnet in another Availability Zone",
    );
  }
  return subnets.map((subnet) => subnet.SubnetId ?? "").sort();
}

/**
 * Resolved networks by region and spec: VPC and subnet ids do not change under a running service,
 * so the daemon resolves each once. (A process restart picks up a subnet added to the default VPC.)
 */
export class NetworkCache {
  readonly #networks = new Map<string, Promise<ResolvedNetwork>>();

  resolve(clients: AwsClients, document: ServiceSpec): Promise<ResolvedNetwork> {
    const key = JSON.stringify([clients.region, document.spec.network]);
    let network = this.#networks.get(key);
    if (!network) {
      network = resolveNetwork(clients, document);
      network.catch(() => this.#networks.delete(key));
      this.#networks.set(key, network);
    }
    return network;
  }
}

/** Resolves the spec's network against EC2: two or three read calls. */
export async function resolveNetwork(clients: AwsClients, document: ServiceSpec): Promise<ResolvedNetwork> {
  const { network } = document.spec;
  const vpcId = await resolveVpc(clients, network.vpc);
  const loadBalancerSubnets = await resolveSubnets(
    clients,
    vpcId,
    network.loadBalancerSubnets,
    "loadBalancerSubnets",
    true,
  );
  const sameSubnets =
    network.taskSubnets.length === 0 || network.taskSubnets.join() === network.loadBalancerSubnets.join();
  const taskSubnets = sameSubnets
    ? loadBalancerSubnets
    : await resolveSubnets(clients, vpcId, network.taskSubnets, "taskSubnets", false);
  return { vpcId, loadBalancerSubnets, taskSubnets };
}
