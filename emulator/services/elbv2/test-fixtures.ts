/** Builders with defaults for the ELBv2 tests: the default VPC's subnets, a group, an ALB, a target group, a listener. */
import { CreateSecurityGroupCommand, DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  CreateListenerCommand,
  type CreateListenerCommandInput,
  CreateLoadBalancerCommand,
  type CreateLoadBalancerCommandInput,
  CreateTargetGroupCommand,
  type CreateTargetGroupCommandInput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Emulator } from "../../server.ts";
import type { TestClients } from "../../test-clients.ts";

export interface DefaultNetwork {
  vpcId: string;
  /** One default subnet per availability zone, in zone order. */
  subnetIds: string[];
}

/** The default VPC and its default subnets, read through EC2's API. */
export async function defaultNetwork(clients: TestClients): Promise<DefaultNetwork> {
  const { Subnets = [] } = await clients.ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }),
  );
  const sorted = [...Subnets].sort((a, b) =>
    (a.AvailabilityZone ?? "").localeCompare(b.AvailabilityZone ?? ""),
  );
  return {
    vpcId: sorted[0]?.VpcId ?? "",
    subnetIds: sorted.map((subnet) => subnet.SubnetId ?? ""),
  };
}

/**
 * A second subnet in the first default subnet's zone. EC2's API has no CreateSubnet here (the product
 * never creates subnets), so the test seeds EC2's state directly.
 */
export function seedSubnetBesideFirst(emulator: Emulator, network: DefaultNetwork): string {
  const { ec2 } = emulator.world.region("us-east-1");
  const first = ec2.subnets.get(network.subnetIds[0] ?? "");
  if (!first) throw new Error("the default subnet is missing");
  const subnetId = "subnet-0000000000000beef";
  ec2.subnets.set(subnetId, {
    ...first,
    subnetId,
    cidrBlock: "172.31.200.0/24",
    defaultForAz: false,
    tags: new Map(),
  });
  return subnetId;
}

/** A security group in the default VPC. */
export async function createGroup(clients: TestClients, network: DefaultNetwork, name = "web-alb") {
  const { GroupId } = await clients.ec2.send(
    new CreateSecurityGroupCommand({ GroupName: name, Description: "load balancer", VpcId: network.vpcId }),
  );
  return GroupId ?? "";
}

/** An internet-facing ALB in the first two default subnets; returns what CreateLoadBalancer returned. */
export async function createAlb(
  clients: TestClients,
  network: DefaultNetwork,
  overrides: Partial<CreateLoadBalancerCommandInput> = {},
) {
  const { LoadBalancers } = await clients.elbv2.send(
    new CreateLoadBalancerCommand({ Name: "web", Subnets: network.subnetIds.slice(0, 2), ...overrides }),
  );
  const loadBalancer = LoadBalancers?.[0];
  if (!loadBalancer?.LoadBalancerArn) throw new Error("CreateLoadBalancer returned no load balancer");
  return { ...loadBalancer, LoadBalancerArn: loadBalancer.LoadBalancerArn };
}

/** An HTTP ip target group on port 8080 in the default VPC, health checks as given. */
export async function createTargetGroup(
  clients: TestClients,
  network: DefaultNetwork,
  overrides: Partial<CreateTargetGroupCommandInput> = {},
) {
  const { TargetGroups } = await clients.elbv2.send(
    new CreateTargetGroupCommand({
      Name: "web-tg",
      Protocol: "HTTP",
      Port: 8080,
      VpcId: network.vpcId,
      TargetType: "ip",
      ...overrides,
    }),
  );
  const group = TargetGroups?.[0];
  if (!group?.TargetGroupArn) throw new Error("CreateTargetGroup returned no target group");
  return { ...group, TargetGroupArn: group.TargetGroupArn };
}

/** An HTTP listener on port 80 forwarding to `targetGroupArn`. */
export async function createListener(
  clients: TestClients,
  loadBalancerArn: string,
  targetGroupArn: string,
  overrides: Partial<CreateListenerCommandInput> = {},
) {
  const { Listeners } = await clients.elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: "HTTP",
      Port: 80,
      DefaultActions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
      ...overrides,
    }),
  );
  const listener = Listeners?.[0];
  if (!listener?.ListenerArn) throw new Error("CreateListener returned no listener");
  return { ...listener, ListenerArn: listener.ListenerArn };
}

/** Attributes as ELBv2 lists them (`[{ Key, Value }]`), as a map for assertions. */
export function attributeMap(
  attributes: ReadonlyArray<{ Key?: string; Value?: string }> = [],
): Record<string, string | undefined> {
  return Object.fromEntries(attributes.map((attribute) => [attribute.Key, attribute.Value]));
}
