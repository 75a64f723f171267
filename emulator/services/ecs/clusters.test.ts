import {
  ClusterContainsServicesException,
  ClusterNotFoundException,
  CreateClusterCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  InvalidParameterException,
  ListClustersCommand,
} from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { CLUSTER, createWebService, createWebStack, MINUTE, useHarness } from "./test-fixtures.ts";

const harness = useHarness();

describe("CreateCluster", () => {
  it("creates an ACTIVE cluster and is idempotent", async () => {
    const { cluster } = await harness.ecs.send(
      new CreateClusterCommand({ clusterName: "prod", tags: [{ key: "team", value: "web" }] }),
    );
    expect(cluster).toMatchObject({
      clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/prod",
      clusterName: "prod",
      status: "ACTIVE",
      runningTasksCount: 0,
      pendingTasksCount: 0,
      activeServicesCount: 0,
      registeredContainerInstancesCount: 0,
      tags: [{ key: "team", value: "web" }],
      settings: [{ name: "containerInsights", value: "disabled" }],
    });
    const again = await harness.ecs.send(new CreateClusterCommand({ clusterName: "prod" }));
    expect(again.cluster?.clusterArn).toBe(cluster?.clusterArn);
    const { clusterArns } = await harness.ecs.send(new ListClustersCommand({}));
    expect(clusterArns).toEqual([cluster?.clusterArn]);
  });

  it("names the cluster `default` when no name is given", async () => {
    const { cluster } = await harness.ecs.send(new CreateClusterCommand({}));
    expect(cluster?.clusterName).toBe("default");
  });

  it("refuses a name with characters AWS does not allow", async () => {
    await expect(
      harness.ecs.send(new CreateClusterCommand({ clusterName: "prod cluster" })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });
});

describe("DescribeClusters", () => {
  it("puts missing clusters in failures with reason MISSING, and tags only when asked", async () => {
    await harness.ecs.send(
      new CreateClusterCommand({ clusterName: "prod", tags: [{ key: "a", value: "1" }] }),
    );
    const plain = await harness.ecs.send(new DescribeClustersCommand({ clusters: ["prod", "nope"] }));
    expect(plain.clusters?.map((cluster) => cluster.clusterName)).toEqual(["prod"]);
    expect(plain.clusters?.[0]?.tags).toBeUndefined();
    expect(plain.failures).toEqual([
      { arn: "arn:aws:ecs:us-east-1:000000000000:cluster/nope", reason: "MISSING" },
    ]);
    const tagged = await harness.ecs.send(
      new DescribeClustersCommand({
        clusters: ["arn:aws:ecs:us-east-1:000000000000:cluster/prod"],
        include: ["TAGS"],
      }),
    );
    expect(tagged.clusters?.[0]?.tags).toEqual([{ key: "a", value: "1" }]);
  });
});

describe("ListClusters", () => {
  it("pages with nextToken", async () => {
    for (const name of ["a", "b", "c"])
      await harness.ecs.send(new CreateClusterCommand({ clusterName: name }));
    const first = await harness.ecs.send(new ListClustersCommand({ maxResults: 2 }));
    expect(first.clusterArns).toHaveLength(2);
    const second = await harness.ecs.send(
      new ListClustersCommand({ maxResults: 2, nextToken: first.nextToken }),
    );
    expect(second.clusterArns?.map((arn) => arn.split("/")[1])).toEqual(["c"]);
    expect(second.nextToken).toBeUndefined();
  });
});

describe("DeleteCluster", () => {
  it("makes the cluster INACTIVE: still described, no longer listed, no longer usable", async () => {
    await harness.ecs.send(new CreateClusterCommand({ clusterName: "prod" }));
    const { cluster } = await harness.ecs.send(new DeleteClusterCommand({ cluster: "prod" }));
    expect(cluster?.status).toBe("INACTIVE");
    expect((await harness.ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
    const { clusters } = await harness.ecs.send(new DescribeClustersCommand({ clusters: ["prod"] }));
    expect(clusters?.[0]?.status).toBe("INACTIVE");
    await expect(harness.ecs.send(new DeleteClusterCommand({ cluster: "prod" }))).rejects.toBeInstanceOf(
      ClusterNotFoundException,
    );
  });

  it("says ClusterNotFoundException for a cluster that never existed", async () => {
    await expect(harness.ecs.send(new DeleteClusterCommand({ cluster: "nope" }))).rejects.toBeInstanceOf(
      ClusterNotFoundException,
    );
  });

  it("refuses while a service is active or draining (needs EC2 and ELBv2 for the service)", async () => {
    const stack = await createWebStack(harness.clients);
    await createWebService(harness.ecs, stack, { desiredCount: 0 });
    await expect(harness.ecs.send(new DeleteClusterCommand({ cluster: CLUSTER }))).rejects.toBeInstanceOf(
      ClusterContainsServicesException,
    );
    await harness.ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web" }));
    harness.emulator.advance(MINUTE);
    const { cluster } = await harness.ecs.send(new DeleteClusterCommand({ cluster: CLUSTER }));
    expect(cluster?.status).toBe("INACTIVE");
  });
});
