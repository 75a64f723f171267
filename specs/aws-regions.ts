/**
 * The AWS regions a spec may name, by partition: the regions the AWS SDK's endpoint data lists
 * (`partitions` in @aws-sdk/core). A region pattern alone lets `us-east-9` through, which then fails
 * at the first call with a DNS error; a list catches the typo at `validate`, with a suggestion.
 * `aws-regions.test.ts` fails when the installed SDK knows a region missing here, so upgrading the
 * SDK brings new regions in. A region newer than both: leave `spec.region` out and set `AWS_REGION`.
 */
import { closestMatch } from "./did-you-mean.ts";

export const AWS_REGIONS_BY_PARTITION: Readonly<Record<string, readonly string[]>> = {
  aws: [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "me-west-1",
    "mx-central-1",
    "sa-east-1",
    "sa-west-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
  ],
  "aws-cn": ["cn-north-1", "cn-northwest-1"],
  "aws-eusc": ["eusc-de-east-1"],
  "aws-iso": ["us-iso-east-1", "us-iso-west-1"],
  "aws-iso-b": ["us-isob-east-1", "us-isob-west-1"],
  "aws-iso-e": ["eu-isoe-west-1"],
  "aws-iso-f": ["us-isof-east-1", "us-isof-south-1"],
  "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
};

export const AWS_REGIONS: readonly string[] = Object.values(AWS_REGIONS_BY_PARTITION).flat();

const KNOWN_REGIONS: ReadonlySet<string> = new Set(AWS_REGIONS);

export function isAwsRegion(region: string): boolean {
  return KNOWN_REGIONS.has(region);
}

/** Why `region` is not one, with the closest region when it looks like a typo of one. */
export function unknownRegionMessage(region: string): string {
  const suggestion = closestMatch(region, AWS_REGIONS);
  const shown = JSON.stringify(region.length > 40 ? `${region.slice(0, 39)}…` : region);
  return suggestion
    ? `${shown} is not an AWS region; did you mean "${suggestion}"?`
    : `${shown} is not an AWS region: use one like us-east-1 or eu-west-1 (a region newer than ecs-converge: leave spec.region out and set AWS_REGION)`;
}
