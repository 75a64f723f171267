/**
 * The ECS cluster. Several services may share one: a cluster another service (or nobody) owns is
 * used as it is and never changed or deleted; one we created carries our tags and is ours to remove.
 */
import {
  type Cluster,
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ListServicesCommand,
} from "@aws-sdk/client-ecs";
import type { ServiceSpec } from "../../../specs/index.ts";
import type { AwsClients } from "../../aws/clients.ts";
import { addEcsTags, ecsTagList } from "../../aws/ecs-tags.ts";
import { awsErrorCode, isNotFound } from "../../aws/errors.ts";
import { diffFields } from "../../engine/field-diff.ts";
import { absent, present, type ResourceDiff } from "../../engine/resource-diff.ts";
import type { ObservationReads } from "../../inventory/observation-reads.ts";
import { missingTags, type Ownership, ownershipOf, resourceTags } from "../../ownership.ts";

export interface DesiredCluster {
  name: string;
  tags: Record<string, string>;
}

export interface ObservedCluster {
  arn: string;
  name: string;
  activeServicesCount: number;
  tags: Record<string, string>;
  ownership: Ownership;
}

export function desiredCluster(document: ServiceSpec): DesiredCluster {
  return { name: document.spec.cluster, tags: resourceTags(document, "cluster") };
}

const tagMap = (tags: readonly { key?: string; value?: string }[] = []) =>
  Object.fromEntries(tags.map((tag) => [tag.key ?? "", tag.value ?? ""]));

/** Clusters per DescribeClusters call (the API's limit). */
export const CLUSTERS_PER_CALL = 100;

/** The ACTIVE clusters among `names`, with their tags (an INACTIVE one is as good as gone). */
export async function describeActiveClusters(
  clients: AwsClients,
  names: readonly string[],
): Promise<Cluster[]> {
  const { clusters = [] } = await clients.ecs.send(
    new DescribeClustersCommand({ clusters: [...names], include: ["TAGS"] }),
  );
  return clusters.filter(
    (cluster) => names.includes(cluster.clusterName ?? "") && cluster.status === "ACTIVE",
  );
}

/** The ACTIVE cluster with this name, if any. */
export async function describeClusterNamed(clients: AwsClients, name: string): Promise<Cluster | undefined> {
  return (await describeActiveClusters(clients, [name]))[0];
}

/** The ACTIVE cluster with this name, as this service's pass sees it. */
export async function observeCluster(
  reads: ObservationReads,
  service: string,
  name: string,
): Promise<ObservedCluster | undefined> {
  const cluster = await reads.cluster(name);
  if (!cluster) return undefined;
  const tags = tagMap(cluster.tags);
  return {
    arn: cluster.clusterArn ?? "",
    name,
    activeServicesCount: cluster.activeServicesCount ?? 0,
    tags,
    ownership: ownershipOf(tags, service),
  };
}

/** Only a cluster we own is compared: a shared one is used as it is. */
export function diffCluster(desired: DesiredCluster, observed: ObservedCluster | undefined): ResourceDiff {
  const tags = (source: Record<string, string>) => ({
    tags: Object.fromEntries(Object.keys(desired.tags).map((key) => [key, source[key]])),
  });
  if (!observed) return absent(diffFields(tags(desired.tags), {}));
  if (observed.ownership !== "ours") return present([]);
  return present(diffFields(tags(desired.tags), tags(observed.tags)));
}

/** CreateCluster is idempotent in ECS; returns the cluster's ARN. */
export async function createCluster(clients: AwsClients, desired: DesiredCluster): Promise<string> {
  const { cluster } = await clients.ecs.send(
    new CreateClusterCommand({
      clusterName: desired.name,
      tags: ecsTagList(desired.tags),
    }),
  );
  return cluster?.clusterArn ?? "";
}

export async function updateCluster(
  clients: AwsClients,
  desired: DesiredCluster,
  observed: ObservedCluster,
): Promise<void> {
  await addEcsTags(clients, observed.arn, missingTags(desired.tags, observed.tags));
}

/**
 * Deletes a cluster we own once no service uses it; one still used by another service stays. Tasks
 * still stopping, or a service still draining (ECS may count it a moment after it reads INACTIVE),
 * pass by themselves: those errors are thrown for the caller's retry.
 */
export async function deleteCluster(clients: AwsClients, name: string): Promise<"deleted" | "in-use"> {
  try {
    await clients.ecs.send(new DeleteClusterCommand({ cluster: name }));
    return "deleted";
  } catch (error) {
    if (isNotFound(error)) return "deleted";
    if (awsErrorCode(error) !== "ClusterContainsServicesException") throw error;
    // ListServices shows ACTIVE services only: none means the ones in the way are draining.
    const { serviceArns = [] } = await clients.ecs.send(
      new ListServicesCommand({ cluster: name, maxResults: 1 }),
    );
    if (serviceArns.length > 0) return "in-use";
    throw error;
  }
}
