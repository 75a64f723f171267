/**
 * Describe* filters (`Filter.N.Name`, `Filter.N.Value.M`): filters AND together, the values of one
 * filter OR together, and values may use AWS's wildcards (`*` any run of characters, `?` exactly one,
 * `\` escapes either). Tag filters (`tag:<key>`, `tag-key`, `tag-value`) work on every resource.
 */
import type { Input } from "../../protocols/input.ts";
import { invalidParameterValue, missingParameter } from "./errors.ts";
import { structureList } from "./input.ts";
import type { Tags } from "./state.ts";

type FieldValue = string | number | boolean | undefined;

/** For each filter name a resource supports, the values the resource has for it. */
export type FilterFields<T> = Record<string, (resource: T) => FieldValue | readonly FieldValue[]>;

/** `a*b?` → a RegExp that matches the whole value. */
export function wildcardPattern(value: string): RegExp {
  let source = "";
  for (let index = 0; index < value.length; index++) {
    const char = value.charAt(index);
    if (char === "\\" && index + 1 < value.length) {
      index++;
      source += escapeRegExp(value.charAt(index));
    } else if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`, "s");
}

function escapeRegExp(char: string): string {
  return char.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
}

function tagValues(tags: Tags, name: string): FieldValue[] | undefined {
  if (name.startsWith("tag:")) {
    const value = tags.get(name.slice("tag:".length));
    return value === undefined ? [] : [value];
  }
  if (name === "tag-key") return [...tags.keys()];
  if (name === "tag-value") return [...tags.values()];
  return undefined;
}

/**
 * Reads the request's filters and returns a predicate for resources; an unknown filter name is
 * `InvalidParameterValue` as in AWS. A filter sent without values matches nothing.
 */
export function readFilters<T extends { tags: Tags }>(
  input: Input,
  fields: FilterFields<T>,
): (resource: T) => boolean {
  const filters = structureList(input.Filter, "Filter").map((filter, index) => {
    const name = filter.Name;
    if (typeof name !== "string" || name === "") throw missingParameter(`Filter.${index + 1}.Name`);
    const isTagFilter = name.startsWith("tag:") || name === "tag-key" || name === "tag-value";
    if (!isTagFilter && !Object.hasOwn(fields, name)) {
      throw invalidParameterValue(`The filter '${name}' is invalid`);
    }
    const values = filter.Value === undefined || filter.Value === "" ? [] : filter.Value;
    if (!Array.isArray(values) || !values.every((value) => typeof value === "string")) {
      throw invalidParameterValue(`The filter '${name}' must have a list of string values`);
    }
    return { name, patterns: values.map(wildcardPattern) };
  });
  return (resource) =>
    filters.every(({ name, patterns }) => {
      const found = tagValues(resource.tags, name) ?? [fields[name]?.(resource)].flat();
      return found.some(
        (value) => value !== undefined && patterns.some((pattern) => pattern.test(String(value))),
      );
    });
}
