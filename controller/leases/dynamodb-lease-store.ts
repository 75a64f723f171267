/**
 * Leases in a DynamoDB table, one item per lease: `leaseKey` (the hash key), `leaseOwner` (absent when
 * free) and `leaseCounter`. Every write is conditional on the counter read before it, so two replicas
 * can never both believe their write won: the loser gets ConditionalCheckFailedException.
 */

import { setTimeout as sleep } from "node:timers/promises";
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ResourceInUseException,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { type CallGuard, guardClient } from "../aws/call-guard.ts";
import { type ClientOptions, defaultRateLimiter, sdkClientConfig } from "../aws/clients.ts";
import { limitClientRate } from "../aws/rate-limit-middleware.ts";
import { type Lease, LeaseConflictError, type LeaseStore } from "./lease-store.ts";

/** How long a new table may take to become ACTIVE (seconds on AWS; minutes would mean something is wrong). */
const TABLE_READY_TIMEOUT_MS = 5 * 60_000;
/** A new table is usually ACTIVE within seconds: look soon, then less often. */
const TABLE_POLL_FIRST_MS = 100;
const TABLE_POLL_MAX_MS = 2000;
/** A scan is bounded: a fleet has at most thousands of services, each one small item. */
const MAX_SCAN_PAGES = 100;

export interface DynamoDbLeaseStoreOptions extends ClientOptions {
  region: string;
  table: string;
  /** Bounds every call (the coordinator's round deadline). */
  guard?: CallGuard;
}

export class DynamoDbLeaseStore implements LeaseStore {
  readonly description: string;
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(options: DynamoDbLeaseStoreOptions) {
    this.#client = new DynamoDBClient(sdkClientConfig(options));
    // Before the guard: its gate must come after the wait for tokens.
    const limiter =
      options.rateLimiter === undefined ? defaultRateLimiter(options.endpoint) : options.rateLimiter;
    if (limiter) limitClientRate(this.#client, "dynamodb", options.region, limiter);
    if (options.guard) guardClient(this.#client, "dynamodb", options.guard);
    this.#table = options.table;
    this.description = `dynamodb:${options.region}/${options.table}`;
  }

  async ensureReady(): Promise<void> {
    try {
      await this.#client.send(
        new CreateTableCommand({
          TableName: this.#table,
          AttributeDefinitions: [{ AttributeName: "leaseKey", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "leaseKey", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
          Tags: [{ Key: "ecs-converge.io/managed-by", Value: "ecs-converge" }],
        }),
      );
    } catch (error) {
      // Another replica created it first, or it was created beforehand: either way, use it.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    const deadline = Date.now() + TABLE_READY_TIMEOUT_MS;
    let pollMs = TABLE_POLL_FIRST_MS;
    for (;;) {
      const { Table } = await this.#client.send(new DescribeTableCommand({ TableName: this.#table }));
      if (Table?.TableStatus === "ACTIVE") return;
      if (Date.now() > deadline)
        throw new Error(
          `lease table ${this.#table} is still ${Table?.TableStatus ?? "missing"} after 5 minutes`,
        );
      await sleep(pollMs);
      pollMs = Math.min(pollMs * 2, TABLE_POLL_MAX_MS);
    }
  }

  async list(): Promise<Lease[]> {
    const leases: Lease[] = [];
    let start: Record<string, AttributeValue> | undefined;
    for (let page = 0; page < MAX_SCAN_PAGES; page++) {
      const output = await this.#client.send(
        new ScanCommand({ TableName: this.#table, ConsistentRead: true, ExclusiveStartKey: start }),
      );
      for (const item of output.Items ?? []) {
        const lease = leaseOf(item);
        if (lease) leases.push(lease);
      }
      start = output.LastEvaluatedKey;
      if (!start) return leases;
    }
    throw new Error(`lease table ${this.#table} holds more than ${MAX_SCAN_PAGES} pages of leases`);
  }

  async create(key: string, owner: string): Promise<Lease> {
    const lease = { key, owner, counter: 1 };
    await this.#conditional(
      key,
      this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: itemOf(lease),
          ConditionExpression: "attribute_not_exists(leaseKey)",
        }),
      ),
    );
    return lease;
  }

  async write(seen: Lease, owner: string | undefined): Promise<Lease> {
    const next = { key: seen.key, owner, counter: seen.counter + 1 };
    await this.#conditional(
      seen.key,
      this.#client.send(
        new UpdateItemCommand({
          TableName: this.#table,
          Key: { leaseKey: { S: seen.key } },
          ...(owner === undefined
            ? { UpdateExpression: "SET leaseCounter = :next REMOVE leaseOwner" }
            : { UpdateExpression: "SET leaseCounter = :next, leaseOwner = :owner" }),
          ...this.#unchangedSince(seen, {
            ":next": { N: String(next.counter) },
            ...(owner === undefined ? {} : { ":owner": { S: owner } }),
          }),
        }),
      ),
    );
    return next;
  }

  async remove(seen: Lease): Promise<void> {
    await this.#conditional(
      seen.key,
      this.#client.send(
        new DeleteItemCommand({
          TableName: this.#table,
          Key: { leaseKey: { S: seen.key } },
          ...this.#unchangedSince(seen, {}),
        }),
      ),
    );
  }

  /** Closes the client's connections. */
  destroy(): void {
    this.#client.destroy();
  }

  /** The condition every change carries: the item is as it was read (same counter, same owner). */
  #unchangedSince(seen: Lease, values: Record<string, AttributeValue>) {
    return {
      ConditionExpression:
        seen.owner === undefined
          ? "leaseCounter = :seen AND attribute_not_exists(leaseOwner)"
          : "leaseCounter = :seen AND leaseOwner = :seenOwner",
      ExpressionAttributeValues: {
        ...values,
        ":seen": { N: String(seen.counter) },
        ...(seen.owner === undefined ? {} : { ":seenOwner": { S: seen.owner } }),
      },
    };
  }

  async #conditional(key: string, write: Promise<unknown>): Promise<void> {
    try {
      await write;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new LeaseConflictError(key);
      throw error;
    }
  }
}

function itemOf(lease: Lease): Record<string, AttributeValue> {
  return {
    leaseKey: { S: lease.key },
    leaseCounter: { N: String(lease.counter) },
    ...(lease.owner === undefined ? {} : { leaseOwner: { S: lease.owner } }),
  };
}

/** An item of the table as a lease; an item that is not one (written by hand, say) is ignored. */
function leaseOf(item: Record<string, AttributeValue>): Lease | undefined {
  const key = item.leaseKey?.S;
  const counter = Number(item.leaseCounter?.N);
  if (key === undefined || !Number.isSafeInteger(counter)) return undefined;
  return { key, owner: item.leaseOwner?.S, counter };
}
