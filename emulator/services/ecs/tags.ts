/** ECS tags (`[{key, value}]`): reading them from a request and merging them into a resource's. */
import type { Input } from "../../protocols/input.ts";
import { invalidParameter, structures } from "./errors.ts";
import type { Tag } from "./state.ts";

const MAX_TAGS = 50;

/** The `tags` list of a request, validated like AWS: key 1–128 characters, value ≤ 256, not `aws:`. */
export function readTags(input: Input, name = "tags"): Tag[] {
  const tags = structures(input, name).map((tag) => {
    const { key, value } = tag;
    if (typeof key !== "string" || key.length === 0 || key.length > 128)
      throw invalidParameter("Tag keys must be between 1 and 128 characters.");
    if (value !== undefined && (typeof value !== "string" || value.length > 256))
      throw invalidParameter("Tag values must be at most 256 characters.");
    if (key.toLowerCase().startsWith("aws:")) throw invalidParameter("Tag keys may not begin with 'aws:'.");
    return { key, value: (value as string | undefined) ?? "" };
  });
  return mergeTags([], tags);
}

/** `current` with `added` set (a later key wins), refusing more than 50 tags. */
export function mergeTags(current: readonly Tag[], added: readonly Tag[]): Tag[] {
  const merged = new Map(current.map((tag) => [tag.key, tag.value]));
  for (const tag of added) merged.set(tag.key, tag.value);
  if (merged.size > MAX_TAGS) throw invalidParameter(`A resource can have at most ${MAX_TAGS} tags.`);
  return [...merged].map(([key, value]) => ({ key, value }));
}

/** Copies of tags, for outputs (state is never handed out). */
export const copyTags = (tags: readonly Tag[]): Tag[] => tags.map((tag) => ({ ...tag }));
