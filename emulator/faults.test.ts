/** Rate limits as AWS applies them: per region, buckets shared by groups of operations, AWS's figures as a preset. */
import { describe, expect, it } from "vitest";
import { type FaultConfig, InjectedFaults } from "./faults.ts";

/** Faults on a clock that moves only when the test says. */
function faultsAt(config: FaultConfig) {
  let now = 0;
  const faults = new InjectedFaults(config, () => now);
  return {
    faults,
    advance: (ms: number) => {
      now += ms;
    },
    /** How many of `count` calls pass, in one instant. */
    served: (service: "ecs" | "elbv2" | "ec2" | "logs", operation: string, count: number, region?: string) =>
      Array.from({ length: count }, () => faults.decide(service, operation, region)).filter(
        (fault) => fault === undefined,
      ).length,
  };
}

describe("rate limits", () => {
  it("a bucket shared by a group of operations serves its burst across all of them", () => {
    const { served, advance } = faultsAt({
      rateLimits: [
        {
          service: "ecs",
          bucket: "cluster-read",
          operations: ["DescribeClusters", "ListClusters"],
          burst: 5,
          perSecond: 2,
        },
      ],
    });
    expect(served("ecs", "DescribeClusters", 3)).toBe(3);
    expect(served("ecs", "ListClusters", 3)).toBe(2);
    // Operations outside the group are not limited.
    expect(served("ecs", "DescribeServices", 50)).toBe(50);
    advance(1000);
    expect(served("ecs", "ListClusters", 5)).toBe(2);
  });

  it("keeps a bucket per region, shared by every caller in it", () => {
    const { served } = faultsAt({
      rateLimits: [{ service: "ecs", operation: "DescribeServices", burst: 2, perSecond: 0 }],
    });
    expect(served("ecs", "DescribeServices", 3, "us-east-1")).toBe(2);
    expect(served("ecs", "DescribeServices", 3, "eu-west-1")).toBe(2);
    // No region in the request: the default region's bucket.
    expect(served("ecs", "DescribeServices", 1)).toBe(0);
  });

  it("without a bucket name, each matching operation has its own bucket", () => {
    const { served } = faultsAt({
      rateLimits: [{ service: "ec2", operationPattern: "^Describe", burst: 1, perSecond: 0 }],
    });
    expect(served("ec2", "DescribeVpcs", 2)).toBe(1);
    expect(served("ec2", "DescribeSubnets", 2)).toBe(1);
  });

  it("an account-wide bucket applies besides the operation's own, and a throttled call spends no token", () => {
    const { served } = faultsAt({
      rateLimits: [
        { service: "elbv2", bucket: "non-mutating", operationPattern: "^Describe", burst: 10, perSecond: 0 },
        { service: "elbv2", bucket: "account", alsoApplies: true, burst: 4, perSecond: 0 },
      ],
    });
    expect(served("elbv2", "DescribeTags", 3)).toBe(3);
    expect(served("elbv2", "CreateRule", 3)).toBe(1);
    expect(served("elbv2", "DescribeTags", 1)).toBe(0);
  });

  it("the aws preset throttles as AWS documents: ECS service reads 100 at once, then 20 a second", () => {
    const { served, advance } = faultsAt({ preset: "aws" });
    expect(served("ecs", "DescribeServices", 60) + served("ecs", "ListServices", 60)).toBe(100);
    advance(1000);
    expect(served("ecs", "DescribeServices", 30)).toBe(20);
    // ELB: the account-wide bucket (40) runs out before the non-mutating one.
    expect(served("elbv2", "DescribeLoadBalancers", 30) + served("elbv2", "DescribeTargetGroups", 30)).toBe(
      40,
    );
    // Limits given with the preset come first.
    const custom = faultsAt({
      preset: "aws",
      rateLimits: [{ service: "ecs", operation: "DescribeServices", burst: 1, perSecond: 0 }],
    });
    expect(custom.served("ecs", "DescribeServices", 5)).toBe(1);
  });

  it("refuses an unknown preset and a pattern that does not compile", () => {
    expect(() => new InjectedFaults({ preset: "gcp" as "aws" })).toThrow(/preset/);
    expect(
      () => new InjectedFaults({ rateLimits: [{ operationPattern: "(", burst: 1, perSecond: 1 }] }),
    ).toThrow();
  });
});
