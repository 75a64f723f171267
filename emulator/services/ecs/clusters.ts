/** Clusters: CreateCluster (idempotent), DescribeClusters (missing ones in `failures`), DeleteCluster, ListClusters. */

import type { Cluster as ClusterShape } from "@aws-sdk/client-ecs";
import { AwsError } from "../../errors.ts";
import type { Operation } from "../service-definition.ts";
import { clusterArn, clusterNameOf } from "./arns.ts";
import { clusterNotFound, invalidParameter, maxResults, read, structures } from "./errors.ts";
import { paginate } from "./pagination.ts";
import { ServiceTable } from "./service-table.ts";
import type { Cluster, EcsState } from "./state.ts";
import { copyTags, readTags } from "./tags.ts";
import { TaskTable } from "./task-table.ts";

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,255}$/;
const DEFAULT_CLUSTER = "default";

/** The ACTIVE cluster a request names (by name or ARN; `default` when unnamed), else ClusterNotFoundException. */
export function clusterFor(state: EcsState, reference: string | undefined): Cluster {
  const cluster = state.clusters.get(clusterNameOf(reference ?? DEFAULT_CLUSTER));
  if (cluster?.status !== "ACTIVE") throw clusterNotFound();
  return cluster;
}

/** A cluster as the API shows it; tags and settings only when asked for (as `include` does). */
export function describeCluster(
  cluster: Cluster,
  include: { tags?: boolean; settings?: boolean } = {},
): ClusterShape {
  const tasks = [...cluster.tasks.values()].filter((task) => task.desiredStatus === "RUNNING");
  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: cluster.status,
    registeredContainerInstancesCount: 0,
    runningTasksCount: tasks.filter((task) => task.lastStatus === "RUNNING").length,
    pendingTasksCount: tasks.filter((task) =>
      ["PROVISIONING", "PENDING", "ACTIVATING"].includes(task.lastStatus),
    ).length,
    activeServicesCount: [...cluster.services.values()].filter((service) => service.status === "ACTIVE")
      .length,
    statistics: [],
    ...(include.tags ? { tags: copyTags(cluster.tags) } : {}),
    ...(include.settings ? { settings: cluster.settings.map((setting) => ({ ...setting })) } : {}),
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
  };
}

function readSettings(input: Record<string, unknown>): Cluster["settings"] {
  let insights = "disabled";
  for (const setting of structures(input, "settings")) {
    const args = read(setting);
    const name = args.string("name");
    const value = args.string("value");
    if (name !== "containerInsights") throw invalidParameter(`Unsupported cluster setting: ${name}`);
    if (!["enabled", "disabled", "enhanced"].includes(value))
      throw invalidParameter(`Invalid value for containerInsights: ${value}`);
    insights = value;
  }
  return [{ name: "containerInsights", value: insights }];
}

export const clusterOperations: Record<string, Operation> = {
  CreateCluster(input, context) {
    const name = read(input).optionalString("clusterName") ?? DEFAULT_CLUSTER;
    if (!NAME_PATTERN.test(name))
      throw invalidParameter(
        "Cluster name can only contain letters, numbers, underscores and hyphens, up to 255 characters.",
      );
    const tags = readTags(input);
    const settings = readSettings(input);
    const state = context.region.ecs;
    const existing = state.clusters.get(name);
    // Creating an ACTIVE cluster again is a no-op that returns it.
    if (existing?.status === "ACTIVE")
      return { cluster: describeCluster(existing, { tags: true, settings: true }) };
    // An INACTIVE one comes back to life: its stopped tasks keep their lingering ENIs to release.
    const cluster: Cluster = existing ?? {
      name,
      arn: clusterArn(context.region.name, name),
      status: "ACTIVE",
      tags,
      settings,
      services: new ServiceTable(),
      tasks: new TaskTable(),
    };
    Object.assign(cluster, { status: "ACTIVE", tags, settings });
    state.clusters.set(name, cluster);
    return { cluster: describeCluster(cluster, { tags: true, settings: true }) };
  },

  DescribeClusters(input, context) {
    const args = read(input);
    const references = args.stringList("clusters");
    if (references.length > 100) throw invalidParameter("clusters can have at most 100 items.");
    const include = new Set(args.stringList("include"));
    const clusters: ClusterShape[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const reference of references.length === 0 ? [DEFAULT_CLUSTER] : references) {
      const name = clusterNameOf(reference);
      const cluster = context.region.ecs.clusters.get(name);
      if (cluster) {
        clusters.push(
          describeCluster(cluster, { tags: include.has("TAGS"), settings: include.has("SETTINGS") }),
        );
      } else {
        failures.push({ arn: clusterArn(context.region.name, name), reason: "MISSING" });
      }
    }
    return { clusters, failures };
  },

  DeleteCluster(input, context) {
    const cluster = clusterFor(context.region.ecs, read(input).string("cluster"));
    const services = [...cluster.services.values()];
    if (services.some((service) => service.status !== "INACTIVE")) {
      throw new AwsError(
        "ClusterContainsServicesException",
        "The Cluster cannot be deleted while Services are active.",
      );
    }
    if ([...cluster.tasks.values()].some((task) => task.lastStatus !== "STOPPED")) {
      throw new AwsError(
        "ClusterContainsTasksException",
        "The Cluster cannot be deleted while Tasks are active.",
      );
    }
    cluster.status = "INACTIVE";
    return { cluster: describeCluster(cluster, { tags: true, settings: true }) };
  },

  ListClusters(input, context) {
    const limit = maxResults(input, 100);
    const arns = [...context.region.ecs.clusters.values()]
      .filter((cluster) => cluster.status === "ACTIVE")
      .map((cluster) => cluster.arn)
      .sort();
    const { page, nextToken } = paginate(arns, read(input).optionalString("nextToken"), limit);
    return { clusterArns: page, nextToken };
  },
};
