/**
 * The internet-facing Application Load Balancer. Subnets and security groups can change in place;
 * scheme and type cannot (a change replaces it). Creation returns at once: the load balancer is
 * `provisioning` for minutes, which callers treat as an expected wait, not an error.
 */
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeLoadBalancersCommand,
  type LoadBalancer,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { loadBalancerName, type ServiceSpec } from "../../../specs/index.ts";
import type { AwsClients } from "../../aws/clients.ts";
import { addElbTags, type ElbTagReader } from "../../aws/elb-tags.ts";
import { isNotFound } from "../../aws/errors.ts";
import { diffFields } from "../../engine/field-diff.ts";
import type { ResolvedNetwork } from "../../engine/network.ts";
import { absent, present, type ResourceDiff } from "../../engine/resource-diff.ts";
import type { ObservationReads } from "../../inventory/observation-reads.ts";
import { CLUSTER_TAG, missingTags, type Ownership, ownershipOf, resourceTags } from "../../ownership.ts";

export interface DesiredLoadBalancer {
  name: string;
  scheme: "internet-facing";
  type: "application";
  ipAddressType: "ipv4";
  subnets: string[];
  securityGroups: string[];
  tags: Record<string, string>;
}

export interface ObservedLoadBalancer {
  arn: string;
  name: string;
  dnsName: string;
  state: string;
  scheme: string;
  type: string;
  ipAddressType: string;
  subnets: string[];
  securityGroups: string[];
  tags: Record<string, string>;
  ownership: Ownership;
}

export function desiredLoadBalancer(
  document: ServiceSpec,
  network: ResolvedNetwork,
  securityGroupId: string,
): DesiredLoadBalancer {
  return {
    name: loadBalancerName(document.metadata.name),
    scheme: "internet-facing",
    type: "application",
    ipAddressType: "ipv4",
    subnets: [...network.loadBalancerSubnets].sort(),
    securityGroups: [securityGroupId],
    tags: { ...resourceTags(document, "load-balancer"), [CLUSTER_TAG]: document.spec.cluster },
  };
}

function toObserved(
  balancer: LoadBalancer,
  tags: Record<string, string>,
  service: string,
): ObservedLoadBalancer {
  return {
    arn: balancer.LoadBalancerArn ?? "",
    name: balancer.LoadBalancerName ?? "",
    dnsName: balancer.DNSName ?? "",
    state: balancer.State?.Code ?? "unknown",
    scheme: balancer.Scheme ?? "",
    type: balancer.Type ?? "",
    ipAddressType: balancer.IpAddressType ?? "ipv4",
    subnets: (balancer.AvailabilityZones ?? []).map((zone) => zone.SubnetId ?? "").sort(),
    securityGroups: [...(balancer.SecurityGroups ?? [])].sort(),
    tags,
    ownership: ownershipOf(tags, service),
  };
}

/** The load balancer with this name, whoever owns it; undefined when there is none. */
export async function describeLoadBalancerNamed(
  clients: AwsClients,
  name: string,
): Promise<LoadBalancer | undefined> {
  try {
    const { LoadBalancers = [] } = await clients.elbv2.send(
      new DescribeLoadBalancersCommand({ Names: [name] }),
    );
    return LoadBalancers[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Every load balancer of the account and region (400 a page): a fleet's in one read. */
export async function describeAllLoadBalancers(clients: AwsClients): Promise<LoadBalancer[]> {
  const balancers: LoadBalancer[] = [];
  let Marker: string | undefined;
  do {
    const page = await clients.elbv2.send(new DescribeLoadBalancersCommand({ PageSize: 400, Marker }));
    balancers.push(...(page.LoadBalancers ?? []));
    Marker = page.NextMarker;
  } while (Marker);
  return balancers;
}

/** The load balancer with our name, whoever owns it; undefined when there is none. */
export async function observeLoadBalancer(
  reads: ObservationReads,
  tags: ElbTagReader,
  service: string,
  name: string,
): Promise<ObservedLoadBalancer | undefined> {
  const balancer = await reads.loadBalancerNamed(name);
  return balancer
    ? toObserved(balancer, await tags.tagsOf(balancer.LoadBalancerArn ?? ""), service)
    : undefined;
}

const IMMUTABLE = ["scheme", "type"] as const;

export function diffLoadBalancer(
  desired: DesiredLoadBalancer,
  observed: ObservedLoadBalancer | undefined,
): ResourceDiff {
  const comparable = (balancer: DesiredLoadBalancer | ObservedLoadBalancer) => ({
    scheme: balancer.scheme,
    type: balancer.type,
    ipAddressType: balancer.ipAddressType,
    subnets: balancer.subnets,
    securityGroups: balancer.securityGroups,
    // The cluster tag is set at creation and moved only once a replaced service is gone (see service/service-move.ts).
    tags: Object.fromEntries(
      Object.keys(desired.tags)
        .filter((key) => key !== CLUSTER_TAG)
        .map((key) => [key, balancer.tags[key]]),
    ),
  });
  if (!observed) return absent(diffFields(comparable(desired), {}));
  const fields = diffFields(comparable(desired), comparable(observed));
  return present(fields, fields.find((field) => (IMMUTABLE as readonly string[]).includes(field.path))?.path);
}

/** Creates it with its tags (idempotent in ELBv2 for identical settings); returns its ARN. */
export async function createLoadBalancer(clients: AwsClients, desired: DesiredLoadBalancer): Promise<string> {
  const { LoadBalancers = [] } = await clients.elbv2.send(
    new CreateLoadBalancerCommand({
      Name: desired.name,
      Scheme: desired.scheme,
      Type: desired.type,
      IpAddressType: desired.ipAddressType,
      Subnets: desired.subnets,
      SecurityGroups: desired.securityGroups,
      Tags: Object.entries(desired.tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  const arn = LoadBalancers[0]?.LoadBalancerArn;
  if (!arn) throw new Error(`ELBv2 created load balancer ${desired.name} without returning its ARN`);
  return arn;
}

export async function updateLoadBalancer(
  clients: AwsClients,
  desired: DesiredLoadBalancer,
  observed: ObservedLoadBalancer,
): Promise<void> {
  // Tags first: adopting claims the resource before changing it, so a policy scoped to our tag allows the change.
  const { [CLUSTER_TAG]: _cluster, ...managedTags } = desired.tags;
  await addElbTags(clients, observed.arn, missingTags(managedTags, observed.tags));
  if (desired.subnets.join() !== observed.subnets.join()) {
    await clients.elbv2.send(
      new SetSubnetsCommand({ LoadBalancerArn: observed.arn, Subnets: desired.subnets }),
    );
  }
  if (desired.securityGroups.join() !== observed.securityGroups.join()) {
    await clients.elbv2.send(
      new SetSecurityGroupsCommand({ LoadBalancerArn: observed.arn, SecurityGroups: desired.securityGroups }),
    );
  }
}

/** Deletes it with its listeners; a load balancer already gone is fine (ELBv2 answers success). */
export async function deleteLoadBalancer(clients: AwsClients, arn: string): Promise<void> {
  await clients.elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
}
