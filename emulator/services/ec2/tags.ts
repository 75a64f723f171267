/**
 * EC2 tags: validation (key length, the reserved `aws:` prefix, 50 per resource), tags written by a
 * create call's TagSpecification, and CreateTags/DeleteTags on VPCs, subnets, groups, rules and ENIs.
 */

import { AwsError } from "../../errors.ts";
import type { Input } from "../../protocols/input.ts";
import type { Operation } from "../service-definition.ts";
import { invalidParameterValue, missingParameter } from "./errors.ts";
import { read, structureList } from "./input.ts";
import { requireTagsOf } from "./lookup.ts";
import type { Tags } from "./state.ts";

const MAX_TAGS_PER_RESOURCE = 50;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;

/** Tags as the wire shows them (`tagSet`); absent when there are none, as AWS leaves the element out. */
export function tagSetOf(tags: Tags): { key: string; value: string }[] | undefined {
  return tags.size === 0 ? undefined : [...tags].map(([key, value]) => ({ key, value }));
}

/** `Tag.N.Key` / `Tag.N.Value` pairs; a missing value is the empty string, as in AWS. */
function readTags(list: unknown, name: string): Tags {
  const tags: Tags = new Map();
  for (const [index, tag] of structureList(list, name).entries()) {
    const key = tag.Key;
    const value = tag.Value ?? "";
    if (typeof key !== "string" || key === "") throw missingParameter(`${name}.${index + 1}.Key`);
    if (typeof value !== "string") throw invalidParameterValue(`Tag value for ${key} must be a string`);
    checkKey(key);
    if (value.length > MAX_VALUE_LENGTH) {
      throw invalidParameterValue(
        `Value ( ${value} ) for parameter value is invalid. Tag values can be at most ${MAX_VALUE_LENGTH} characters long`,
      );
    }
    tags.set(key, value);
  }
  return tags;
}

function checkKey(key: string): void {
  if (key.toLowerCase().startsWith("aws:")) {
    throw invalidParameterValue(
      `Value ( ${key} ) for parameter key is invalid. Tag keys starting with 'aws:' are reserved for internal use`,
    );
  }
  if (key.length > MAX_KEY_LENGTH) {
    throw invalidParameterValue(
      `Value ( ${key} ) for parameter key is invalid. Tag keys can be at most ${MAX_KEY_LENGTH} characters long`,
    );
  }
}

/** Raises `TagLimitExceeded` when adding `adding` to `existing` would pass 50 tags. */
export function checkTagLimit(existing: Tags, adding: Tags): void {
  const keys = new Set([...existing.keys(), ...adding.keys()]);
  if (keys.size > MAX_TAGS_PER_RESOURCE) {
    throw new AwsError("TagLimitExceeded", "The maximum number of Tags for a resource has been reached.");
  }
}

/**
 * The tags a create call's `TagSpecification.N` asks for, for the one resource type the operation
 * creates; any other type is refused, as AWS refuses it.
 */
export function readTagSpecifications(input: Input, resourceType: string): Tags {
  const tags: Tags = new Map();
  for (const specification of structureList(input.TagSpecification, "TagSpecification")) {
    if (specification.ResourceType !== resourceType) {
      throw invalidParameterValue(
        `'${String(specification.ResourceType ?? "")}' is not a valid taggable resource type for this operation.`,
      );
    }
    for (const [key, value] of readTags(specification.Tag, "TagSpecification.Tag")) tags.set(key, value);
  }
  checkTagLimit(new Map(), tags);
  return tags;
}

export const tagOperations: Record<string, Operation> = {
  CreateTags(input, context) {
    const state = context.region.ec2;
    const resourceIds = read(input).stringList("ResourceId");
    if (resourceIds.length === 0) throw missingParameter("ResourceId");
    const adding = readTags(input.Tag, "Tag");
    if (adding.size === 0) throw missingParameter("Tag");
    const targets = resourceIds.map((resourceId) => requireTagsOf(state, resourceId));
    for (const tags of targets) checkTagLimit(tags, adding);
    for (const tags of targets) for (const [key, value] of adding) tags.set(key, value);
    return { return: true };
  },

  DeleteTags(input, context) {
    const state = context.region.ec2;
    const resourceIds = read(input).stringList("ResourceId");
    if (resourceIds.length === 0) throw missingParameter("ResourceId");
    // A key alone deletes the tag; a key with a value (even "") deletes it only when the value matches.
    const removing = structureList(input.Tag, "Tag").map((tag, index) => {
      if (typeof tag.Key !== "string" || tag.Key === "") throw missingParameter(`Tag.${index + 1}.Key`);
      checkKey(tag.Key);
      return { key: tag.Key, value: typeof tag.Value === "string" ? tag.Value : undefined };
    });
    const targets = resourceIds.map((resourceId) => requireTagsOf(state, resourceId));
    for (const tags of targets) {
      if (removing.length === 0) tags.clear();
      for (const { key, value } of removing) {
        if (value === undefined || tags.get(key) === value) tags.delete(key);
      }
    }
    return { return: true };
  },
};
