/** TagResource, UntagResource and ListTagsForResource for clusters, services, task definitions and tasks. */
import type { Operation, OperationContext } from "../service-definition.ts";
import { parseArn } from "./arns.ts";
import { clientException, clusterNotFound, invalidParameter, read, serviceNotFound } from "./errors.ts";
import type { Tag } from "./state.ts";
import { mergeTags, readTags } from "./tags.ts";
import { findTaskDefinition } from "./task-definitions.ts";

/** The resource an ARN names: anything that carries tags. */
function taggable(context: OperationContext, resourceArn: string): { tags: Tag[] } {
  const parsed = parseArn(resourceArn);
  if (!parsed) throw invalidParameter(`Invalid identifier: ${resourceArn}`);
  const state = context.region.ecs;
  const [first = "", second] = parsed.path.split("/");
  switch (parsed.type) {
    case "cluster": {
      const cluster = state.clusters.get(first);
      if (cluster?.status !== "ACTIVE") throw clusterNotFound();
      return cluster;
    }
    case "service": {
      const cluster = state.clusters.get(second === undefined ? "default" : first);
      const service = cluster?.services.get(second ?? first);
      if (!service || service.status === "INACTIVE") throw serviceNotFound();
      return service;
    }
    case "task": {
      const task = state.clusters.get(first)?.tasks.get(second ?? "");
      if (!task) throw invalidParameter("The specified task is stopped or does not exist.");
      return task;
    }
    case "task-definition": {
      const definition = findTaskDefinition(state, resourceArn);
      if (!definition) throw clientException("The specified task definition does not exist.");
      return definition;
    }
    default:
      throw invalidParameter(`Tagging is not supported for ${parsed.type} resources.`);
  }
}

export const tagOperations: Record<string, Operation> = {
  TagResource(input, context) {
    const resource = taggable(context, read(input).string("resourceArn"));
    const tags = readTags(input);
    if (tags.length === 0) throw invalidParameter("tags can not be empty.");
    resource.tags = mergeTags(resource.tags, tags);
    return {};
  },

  UntagResource(input, context) {
    const args = read(input);
    const resource = taggable(context, args.string("resourceArn"));
    const keys = new Set(args.stringList("tagKeys"));
    resource.tags = resource.tags.filter((tag) => !keys.has(tag.key));
    return {};
  },

  ListTagsForResource(input, context) {
    const resource = taggable(context, read(input).string("resourceArn"));
    return { tags: resource.tags.map((tag) => ({ ...tag })) };
  },
};
