/** Tags on scalable targets (the only taggable Application Auto Scaling resource), addressed by ARN. */
import { AwsError } from "../../errors.ts";
import type { Operation, OperationContext } from "../service-definition.ts";
import { constraint, missing, read, validation } from "./input.ts";
import type { ScalableTarget } from "./state.ts";

const MAX_TAGS = 50;
/** The model's AmazonResourceName pattern: only a scalable target's ARN (never a policy's) can be tagged. */
const SCALABLE_TARGET_ARN = /^arn:.+:application-autoscaling:.+:[0-9]+:scalable-target\/[a-zA-Z0-9-]+$/;

/** A `Tags` map from the request, checked against AWS's tag rules. */
export function readTags(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw validation("Tags must be a map");
  for (const [key, tag] of Object.entries(value)) {
    if (key.length === 0 || key.length > 128) throw validation(`Tag key must be 1 to 128 characters: ${key}`);
    if (key.toLowerCase().startsWith("aws:")) throw validation(`Tag keys may not start with aws: ${key}`);
    if (typeof tag !== "string" || tag.length > 256)
      throw validation(`Tag value for ${key} must be a string of at most 256 characters`);
  }
  return value as Record<string, string>;
}

/** The target's tags with `added` merged in; refuses more than AWS's 50 before anything changes. */
export function mergedTags(target: ScalableTarget | undefined, added: Record<string, string>) {
  const merged = { ...target?.tags, ...added };
  if (Object.keys(merged).length > MAX_TAGS) {
    throw new AwsError("TooManyTagsException", `A scalable target can have at most ${MAX_TAGS} tags.`);
  }
  return merged;
}

function targetByArn(context: OperationContext, arn: string): ScalableTarget {
  if (arn.length > 1011 || !SCALABLE_TARGET_ARN.test(arn)) {
    throw constraint(
      "resourceARN",
      arn,
      `Member must satisfy regular expression pattern: ${SCALABLE_TARGET_ARN.source}`,
    );
  }
  for (const target of context.region.autoscaling.targets.values()) if (target.arn === arn) return target;
  throw new AwsError("ResourceNotFoundException", `No scalable target found for ARN: ${arn}`);
}

export const tagOperations: Record<string, Operation> = {
  TagResource(input, context) {
    const args = read(input);
    const target = targetByArn(context, args.string("ResourceARN"));
    if (!args.has("Tags")) throw missing("Tags");
    target.tags = mergedTags(target, readTags(input.Tags));
    return {};
  },

  UntagResource(input, context) {
    const args = read(input);
    const target = targetByArn(context, args.string("ResourceARN"));
    if (!args.has("TagKeys")) throw missing("TagKeys");
    const keys = new Set(args.stringList("TagKeys"));
    target.tags = Object.fromEntries(Object.entries(target.tags).filter(([key]) => !keys.has(key)));
    return {};
  },

  ListTagsForResource(input, context) {
    return { Tags: { ...targetByArn(context, read(input).string("ResourceARN")).tags } };
  },
};
