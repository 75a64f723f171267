import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { REGION_PATTERN } from "./aws-limits.ts";
import { AWS_REGIONS, AWS_REGIONS_BY_PARTITION, isAwsRegion, unknownRegionMessage } from "./aws-regions.ts";

interface SdkPartition {
  id: string;
  regionRegex: string;
  regions: Record<string, unknown>;
}

/** The endpoint data the installed AWS SDK resolves regions with (not exported, so read from its file). */
async function sdkPartitions(): Promise<SdkPartition[]> {
  const packageJson = createRequire(import.meta.url).resolve("@aws-sdk/core/package.json");
  const file = join(dirname(packageJson), "dist-es/submodules/client/util-endpoints/lib/aws/partitions.js");
  const module = (await import(pathToFileURL(file).href)) as {
    partitionsInfo: { partitions: SdkPartition[] };
  };
  return module.partitionsInfo.partitions;
}

describe("AWS regions", () => {
  it("lists every region the installed SDK knows, in its partition (add any it names here)", async () => {
    for (const partition of await sdkPartitions()) {
      // `aws-global` and the like are signing pseudo-regions, not places to run a service.
      const regions = Object.keys(partition.regions).filter((region) =>
        new RegExp(partition.regionRegex).test(region),
      );
      expect(AWS_REGIONS_BY_PARTITION[partition.id], `partition ${partition.id}`).toEqual(
        expect.arrayContaining(regions),
      );
    }
  });

  it("lists only regions the SDK can resolve, each of the region's shape", async () => {
    const partitions = await sdkPartitions();
    for (const region of AWS_REGIONS) {
      expect(region).toMatch(REGION_PATTERN);
      expect(
        partitions.some((partition) => region in partition.regions),
        region,
      ).toBe(true);
    }
  });

  it.each([
    ["us-east-1", true, "the usual"],
    ["eusc-de-east-1", true, "the European Sovereign Cloud, whose prefix has four letters"],
    ["us-gov-west-1", true, "GovCloud"],
    ["us-east-9", false, "the right shape, but no such region"],
    ["US-EAST-1", false, "regions are lower case"],
  ])("%s: %s (%s)", (region, known) => {
    expect(isAwsRegion(region)).toBe(known);
  });

  it("suggests the closest region for a typo, and says what to do otherwise", () => {
    expect(unknownRegionMessage("eu-wset-1")).toBe(
      '"eu-wset-1" is not an AWS region; did you mean "eu-west-1"?',
    );
    expect(unknownRegionMessage("zz-nowhere-4")).toMatch(/use one like us-east-1 .*set AWS_REGION/);
  });
});
