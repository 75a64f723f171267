/**
 * Tags of ELBv2 resources, batched: lookups made together share DescribeTags calls of up to 20 ARNs,
 * so observing a load balancer, its target groups and its listener costs one call, not three. A
 * pass's lookups are made together when they fall in the same turn of the event loop; the daemon's
 * passes share one batch per region (ElbTagBatch with a window), so a fleet's first round reads the
 * tags of many services per call.
 */
import { AddTagsCommand, DescribeTagsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { untilCallerEnds } from "./call-guard.ts";
import type { AwsClients } from "./clients.ts";
import type { TagCache } from "./tag-cache.ts";

const DESCRIBE_TAGS_LIMIT = 20;

type Tags = Record<string, string>;

interface Waiter {
  resolve: (tags: Tags) => void;
  reject: (error: unknown) => void;
}

/**
 * DescribeTags lookups gathered into calls of up to 20 ARNs. `windowMs`: how long a batch stays open
 * after its first lookup (0: until the end of the event loop's turn). While a batch's calls are in
 * flight (waiting for a rate-limit token, say) the next batch stays open and gathers every lookup made
 * meanwhile: under ELB's rate limits, a fleet's passes read their tags a few calls at a time, not one
 * each. The calls are made with the clients of the batch's first lookup (in the daemon, a region's
 * clients are shared by every pass).
 */
export class ElbTagBatch {
  readonly #windowMs: number;
  #pending = new Map<string, Waiter[]>();
  #clients: AwsClients | undefined;
  #scheduled = false;
  #inFlight = false;

  constructor(windowMs = 0) {
    this.#windowMs = windowMs;
  }

  lookup(clients: AwsClients, arn: string): Promise<Tags> {
    return new Promise<Tags>((resolve, reject) => {
      this.#clients ??= clients;
      this.#pending.set(arn, [...(this.#pending.get(arn) ?? []), { resolve, reject }]);
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight || this.#pending.size === 0) return;
    this.#scheduled = true;
    const flush = () => {
      this.#scheduled = false;
      void this.#flush();
    };
    if (this.#windowMs > 0) setTimeout(flush, this.#windowMs);
    else setImmediate(flush);
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    const clients = this.#clients;
    this.#pending = new Map();
    this.#clients = undefined;
    if (!clients || batch.size === 0) return;
    this.#inFlight = true;
    const arns = [...batch.keys()];
    const chunks: string[][] = [];
    for (let start = 0; start < arns.length; start += DESCRIBE_TAGS_LIMIT)
      chunks.push(arns.slice(start, start + DESCRIBE_TAGS_LIMIT));
    try {
      await Promise.all(
        chunks.map(async (chunk) => {
          try {
            const { TagDescriptions = [] } = await clients.elbv2.send(
              new DescribeTagsCommand({ ResourceArns: chunk }),
            );
            for (const arn of chunk) {
              const found = TagDescriptions.find((description) => description.ResourceArn === arn);
              const tags = Object.fromEntries(
                (found?.Tags ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]),
              );
              for (const waiter of batch.get(arn) ?? []) waiter.resolve(tags);
            }
          } catch (error) {
            for (const arn of chunk) for (const waiter of batch.get(arn) ?? []) waiter.reject(error);
          }
        }),
      );
    } finally {
      this.#inFlight = false;
      // What was asked for meanwhile goes out now.
      this.#schedule();
    }
  }
}

export class ElbTagReader {
  readonly #clients: AwsClients;
  readonly #known: TagCache;
  readonly #batch: ElbTagBatch;

  /**
   * `known` is shared between passes (see tag-cache.ts); a fresh map reads everything. `batch`: the
   * region's, shared with other passes (default: this reader's own).
   */
  constructor(clients: AwsClients, known: TagCache = new Map(), batch: ElbTagBatch = new ElbTagBatch()) {
    this.#clients = clients;
    this.#known = known;
    this.#batch = batch;
  }

  /** The tags of one resource; lookups made together are fetched together. */
  tagsOf(arn: string): Promise<Tags> {
    let tags = this.#known.get(arn);
    if (!tags) {
      tags = this.#batch.lookup(this.#clients, arn);
      this.#known.set(arn, tags);
      // A failed read is not kept: the next lookup reads again.
      tags.catch(() => {
        if (this.#known.get(arn) === tags) this.#known.delete(arn);
      });
    }
    // A shared batch may be waiting on another pass's call: this pass gives up when it is cut short.
    return untilCallerEnds(tags, "elbv2:DescribeTags");
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
