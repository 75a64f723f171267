/** Tags of load balancers, target groups, listeners and rules: on create, and through AddTags/RemoveTags/DescribeTags. */
import { AwsError } from "../../errors.ts";
import type { InputReader } from "../../protocols/input.ts";
import type { Operation } from "../service-definition.ts";
import {
  atMost,
  listenerNotFound,
  loadBalancerNotFound,
  read,
  ruleNotFound,
  structures,
  targetGroupNotFound,
  validationError,
} from "./errors.ts";
import { resourceKindOf } from "./names.ts";
import type { Elbv2State, Tags } from "./state.ts";

const MAX_TAGS = 50;
const MAX_ARNS_PER_CALL = 20;

/** The `Tags` parameter of a create call or AddTags, checked the way AWS checks it. */
export function readTags(args: InputReader): Tags {
  const tags: Tags = new Map();
  for (const tag of structures(args, "Tags")) {
    const key = tag.Key;
    const value = tag.Value ?? "";
    if (typeof key !== "string" || key.length === 0 || key.length > 128)
      throw validationError("A tag key must be between 1 and 128 characters long");
    if (typeof value !== "string" || value.length > 256)
      throw validationError(`The value of tag '${key}' must be at most 256 characters long`);
    if (key.toLowerCase().startsWith("aws:"))
      throw validationError(`Tag key '${key}' cannot start with the reserved prefix 'aws:'`);
    if (tags.has(key)) throw new AwsError("DuplicateTagKeys", `Tag key '${key}' is duplicated`);
    tags.set(key, value);
  }
  return tags;
}

/** The tags `existing` would have after adding `added`; TooManyTags past AWS's 50. */
export function mergedTags(resourceArn: string, existing: Tags, added: Tags): Tags {
  const merged = new Map([...existing, ...added]);
  if (merged.size > MAX_TAGS)
    throw new AwsError("TooManyTags", `The following resource(s) have too many tags: ${resourceArn}`);
  return merged;
}

/** Tags as the wire shows them. */
export const describeTags = (tags: Tags) => [...tags].map(([Key, Value]) => ({ Key, Value }));

/** The tagged resource an ARN names, or its kind's not-found error. */
function taggedResource(state: Elbv2State, resourceArn: string): { arn: string; tags: Tags } {
  switch (resourceKindOf(resourceArn)) {
    case "loadbalancer":
      return state.loadBalancers.get(resourceArn) ?? throwError(loadBalancerNotFound());
    case "targetgroup":
      return state.targetGroups.get(resourceArn) ?? throwError(targetGroupNotFound());
    case "listener":
      return state.listeners.get(resourceArn) ?? throwError(listenerNotFound());
    case "listener-rule":
      return state.rules.get(resourceArn) ?? throwError(ruleNotFound());
    default:
      throw validationError(
        `'${resourceArn}' is not a valid load balancer, target group, listener or rule ARN`,
      );
  }
}

function resourcesNamed(state: Elbv2State, args: InputReader) {
  const arns = args.stringList("ResourceArns");
  if (arns.length === 0) throw validationError("At least one resource ARN must be specified");
  atMost(arns, MAX_ARNS_PER_CALL, "ResourceArns");
  return arns.map((resourceArn) => taggedResource(state, resourceArn));
}

export const tagOperations: Record<string, Operation> = {
  AddTags(input, context) {
    const args = read(input);
    const resources = resourcesNamed(context.region.elbv2, args);
    const added = readTags(args);
    if (added.size === 0) throw validationError("At least one tag must be specified");
    const merged = resources.map((resource) => mergedTags(resource.arn, resource.tags, added));
    resources.forEach((resource, index) => {
      resource.tags = merged[index] ?? resource.tags;
    });
    return {};
  },

  RemoveTags(input, context) {
    const args = read(input);
    const resources = resourcesNamed(context.region.elbv2, args);
    const keys = args.stringList("TagKeys");
    if (keys.length === 0) throw validationError("At least one tag key must be specified");
    for (const resource of resources) for (const key of keys) resource.tags.delete(key);
    return {};
  },

  DescribeTags(input, context) {
    const resources = resourcesNamed(context.region.elbv2, read(input));
    return {
      TagDescriptions: resources.map((resource) => ({
        ResourceArn: resource.arn,
        Tags: describeTags(resource.tags),
      })),
    };
  },
};

function throwError(error: AwsError): never {
  throw error;
}
