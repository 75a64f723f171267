/**
 * Tags of ELBv2 resources, batched: lookups asked for in the same turn of the event loop share
 * DescribeTags calls of up to 20 ARNs, so observing a load balancer, its target groups and its
 * listener costs one call, not three.
 */
import { AddTagsCommand, DescribeTagsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsClients } from "./clients.ts";
import type { TagCache } from "./tag-cache.ts";

const DESCRIBE_TAGS_LIMIT = 20;

type Tags = Record<string, string>;

export class ElbTagReader {
  readonly #clients: AwsClients;
  readonly #known: TagCache;
  #pending = new Map<string, { resolve: (tags: Tags) => void; reject: (error: unknown) => void }>();

  /** `known` is shared between passes (see tag-cache.ts); a fresh map reads everything. */
  constructor(clients: AwsClients, known: TagCache = new Map()) {
    this.#clients = clients;
    this.#known = known;
  }

  /** The tags of one resource; lookups made together are fetched together. */
  tagsOf(arn: string): Promise<Tags> {
    let tags = this.#known.get(arn);
    if (!tags) {
      tags = new Promise<Tags>((resolve, reject) => {
        if (this.#pending.size === 0) setImmediate(() => void this.#flush());
        this.#pending.set(arn, { resolve, reject });
      });
      this.#known.set(arn, tags);
    }
    return tags;
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    const arns = [...batch.keys()];
    for (let start = 0; start < arns.length; start += DESCRIBE_TAGS_LIMIT) {
      const chunk = arns.slice(start, start + DESCRIBE_TAGS_LIMIT);
      try {
        const { TagDescriptions = [] } = await this.#clients.elbv2.send(
          new DescribeTagsCommand({ ResourceArns: chunk }),
        );
        for (const arn of chunk) {
          const found = TagDescriptions.find((description) => description.ResourceArn === arn);
          batch
            .get(arn)
            ?.resolve(Object.fromEntries((found?.Tags ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""])));
        }
      } catch (error) {
        for (const arn of chunk) {
          this.#known.delete(arn);
          batch.get(arn)?.reject(error);
        }
      }
    }
  }
}

/** Adds (or overwrites) tags on an ELBv2 resource; nothing to add, no call. */
export async function addElbTags(
  clients: AwsClients,
  arn: string,
  tags: Record<string, string>,
): Promise<void> {
  if (Object.keys(tags).length === 0) return;
  await clients.elbv2.send(
    new AddTagsCommand({
      ResourceArns: [arn],
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}
