/**
 * DynamoDB through the real SDK client, shaped after what a lease table needs: a table that turns
 * ACTIVE on the clock, conditional create, renew and steal, and a scan over every lease.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";

const TABLE = "ecs-converge-leases";

let emulator: Emulator;
let clients: TestClients;

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
});
afterAll(async () => {
  await emulator?.close();
});

async function createLeaseTable(): Promise<void> {
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
      Tags: [{ Key: "ecs-converge.io/managed-by", Value: "ecs-converge" }],
    }),
  );
  emulator.advance(emulator.world.timings.dynamodbTableCreationMs);
}

const takeLease = (service: string, owner: string) =>
  clients.dynamodb.send(
    new PutItemCommand({
      TableName: TABLE,
      Item: { pk: { S: service }, leaseOwner: { S: owner }, leaseCounter: { N: "1" } },
      ConditionExpression: "attribute_not_exists(pk)",
    }),
  );

const renew = (
  service: string,
  owner: string,
  counter: string,
  overrides: Partial<UpdateItemCommandInput> = {},
) =>
  clients.dynamodb.send(
    new UpdateItemCommand({
      TableName: TABLE,
      Key: { pk: { S: service } },
      UpdateExpression: "SET leaseCounter = leaseCounter + :one",
      ConditionExpression: "leaseOwner = :me AND leaseCounter = :c",
      ExpressionAttributeValues: { ":one": { N: "1" }, ":me": { S: owner }, ":c": { N: counter } },
      ReturnValues: "ALL_NEW",
      ...overrides,
    }),
  );

const storedLease = async (service: string) =>
  (
    await clients.dynamodb.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: service } }, ConsistentRead: true }),
    )
  ).Item;

describe("tables", () => {
  it("creates a table CREATING, ACTIVE after the creation delay, and refuses a second one", async () => {
    const { TableDescription } = await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
    expect(TableDescription).toMatchObject({
      TableName: TABLE,
      TableStatus: "CREATING",
      TableArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${TABLE}`,
      BillingModeSummary: { BillingMode: "PAY_PER_REQUEST" },
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    });
    expect(TableDescription?.CreationDateTime).toBeInstanceOf(Date);
    await expect(takeLease("web", "a")).rejects.toBeInstanceOf(ResourceNotFoundException);

    emulator.advance(emulator.world.timings.dynamodbTableCreationMs);
    const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(Table?.TableStatus).toBe("ACTIVE");
    await expect(
      clients.dynamodb.send(
        new CreateTableCommand({
          TableName: TABLE,
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceInUseException);
  });

  it("describes a missing table as ResourceNotFoundException", async () => {
    const error = await clients.dynamodb
      .send(new DescribeTableCommand({ TableName: "nope" }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe("Requested resource not found: Table: nope not found");
  });

  it("deletes a table: DELETING, then gone after the deletion delay", async () => {
    await createLeaseTable();
    const { TableDescription } = await clients.dynamodb.send(new DeleteTableCommand({ TableName: TABLE }));
    expect(TableDescription?.TableStatus).toBe("DELETING");
    emulator.advance(emulator.world.timings.dynamodbTableDeletionMs);
    await expect(
      clients.dynamodb.send(new DescribeTableCommand({ TableName: TABLE })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("shows tables and items in the state dump", async () => {
    await createLeaseTable();
    await takeLease("web", "replica-a");
    const response = await fetch(`${emulator.url}/_emulator/state`);
    const state = (await response.json()) as {
      regions: Record<string, { dynamodb: { tables: Record<string, { status: string; items: object }> } }>;
    };
    const table = state.regions["us-east-1"]?.dynamodb.tables[TABLE];
    expect(table?.status).toBe("ACTIVE");
    expect(Object.values(table?.items ?? {})).toEqual([
      { pk: { S: "web" }, leaseOwner: { S: "replica-a" }, leaseCounter: { N: "1" } },
    ]);
  });
});

describe("leases", () => {
  beforeEach(createLeaseTable);

  it("creates a lease once: a second attribute_not_exists(pk) put is ConditionalCheckFailedException", async () => {
    await takeLease("web", "replica-a");
    const error = await takeLease("web", "replica-b").catch((e) => e);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(error.message).toBe("The conditional request failed");
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(await storedLease("web")).toEqual({
      pk: { S: "web" },
      leaseOwner: { S: "replica-a" },
      leaseCounter: { N: "1" },
    });
  });

  it("renews by incrementing the counter when owner and counter match, returning ALL_NEW", async () => {
    await takeLease("web", "replica-a");
    const { Attributes } = await renew("web", "replica-a", "1");
    expect(Attributes).toEqual({
      pk: { S: "web" },
      leaseOwner: { S: "replica-a" },
      leaseCounter: { N: "2" },
    });
    expect((await renew("web", "replica-a", "2")).Attributes?.leaseCounter).toEqual({ N: "3" });
  });

  it("refuses a steal with a stale counter and changes nothing; the failure can carry the item", async () => {
    await takeLease("web", "replica-a");
    await renew("web", "replica-a", "1");
    const steal = {
      UpdateExpression: "SET leaseOwner = :thief, leaseCounter = leaseCounter + :one",
      ConditionExpression: "leaseCounter = :c",
      ExpressionAttributeValues: { ":thief": { S: "replica-b" }, ":one": { N: "1" }, ":c": { N: "1" } },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
    };
    const error = await renew("web", "replica-b", "1", steal).catch((e) => e);
    expect(error).toBeInstanceOf(ConditionalCheckFailedException);
    expect(error.Item).toEqual({
      pk: { S: "web" },
      leaseOwner: { S: "replica-a" },
      leaseCounter: { N: "2" },
    });
    expect((await storedLease("web"))?.leaseOwner).toEqual({ S: "replica-a" });

    const stolen = await renew("web", "replica-b", "2", {
      ...steal,
      ExpressionAttributeValues: { ...steal.ExpressionAttributeValues, ":c": { N: "2" } },
    });
    expect(stolen.Attributes).toMatchObject({ leaseOwner: { S: "replica-b" }, leaseCounter: { N: "3" } });
  });

  it("counts past 2^53 exactly", async () => {
    await clients.dynamodb.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { pk: { S: "web" }, leaseOwner: { S: "a" }, leaseCounter: { N: "9007199254740993" } },
      }),
    );
    const { Attributes } = await renew("web", "a", "9007199254740993");
    expect(Attributes?.leaseCounter).toEqual({ N: "9007199254740994" });
  });

  it("releases a lease only for its owner (conditional DeleteItem), returning ALL_OLD", async () => {
    await takeLease("web", "replica-a");
    const release = (owner: string) =>
      clients.dynamodb.send(
        new DeleteItemCommand({
          TableName: TABLE,
          Key: { pk: { S: "web" } },
          ConditionExpression: "leaseOwner = :me",
          ExpressionAttributeValues: { ":me": { S: owner } },
          ReturnValues: "ALL_OLD",
        }),
      );
    await expect(release("replica-b")).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    expect(await storedLease("web")).toBeDefined();
    const { Attributes } = await release("replica-a");
    expect(Attributes?.leaseOwner).toEqual({ S: "replica-a" });
    expect(await storedLease("web")).toBeUndefined();
  });

  it("pages a Scan with Limit and ExclusiveStartKey, every lease exactly once", async () => {
    const services = Array.from({ length: 7 }, (_, index) => `service-${index}`);
    for (const service of services) await takeLease(service, "replica-a");
    const seen: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const page = await clients.dynamodb.send(
        new ScanCommand({
          TableName: TABLE,
          Limit: 3,
          ConsistentRead: true,
          ExclusiveStartKey: startKey as never,
          FilterExpression: "leaseOwner = :owner",
          ExpressionAttributeValues: { ":owner": { S: "replica-a" } },
        }),
      );
      pages++;
      expect(page.ScannedCount).toBeLessThanOrEqual(3);
      for (const item of page.Items ?? []) seen.push(item.pk?.S ?? "");
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(services);
  });

  it("refuses malformed requests with ValidationException in AWS's words", async () => {
    const cases: [Partial<UpdateItemCommandInput>, string][] = [
      [
        {
          ConditionExpression: "leaseOwner = :me AND",
          ExpressionAttributeValues: { ":me": { S: "a" }, ":one": { N: "1" } },
        },
        'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"',
      ],
      [
        {
          ExpressionAttributeValues: { ":one": { N: "1" }, ":x": { S: "unused" } },
          ConditionExpression: undefined,
        },
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}",
      ],
      [
        {
          UpdateExpression: "SET owner = :one",
          ConditionExpression: undefined,
          ExpressionAttributeValues: { ":one": { N: "1" } },
        },
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: owner",
      ],
      [
        {
          Key: { pk: { N: "1" } },
          ConditionExpression: undefined,
          ExpressionAttributeValues: { ":one": { N: "1" } },
        },
        "The provided key element does not match the schema",
      ],
    ];
    await takeLease("web", "a");
    for (const [overrides, message] of cases) {
      const error = await renew("web", "a", "1", overrides).catch((e) => e);
      // The model declares no ValidationException class: the SDK raises its service exception by that name.
      expect(error, message).toBeInstanceOf(DynamoDBServiceException);
      expect(error.name).toBe("ValidationException");
      expect(error.message).toBe(message);
    }
    expect((await storedLease("web"))?.leaseCounter).toEqual({ N: "1" });
  });
});
