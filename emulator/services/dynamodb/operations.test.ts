/** The rest of the DynamoDB contract through the real SDK: Query, projections, ReturnValues, limits, tags, throttling. */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBServiceException,
  GetItemCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TagResourceCommand,
  ThrottlingException,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { Emulator } from "../../server.ts";
import { startTestEmulator, type TestClients } from "../../test-clients.ts";

let emulator: Emulator;
let clients: TestClients;

beforeEach(async () => {
  if (!emulator) ({ emulator, clients } = await startTestEmulator());
  emulator.reset();
  emulator.clearFaults();
});
afterAll(async () => {
  await emulator?.close();
});

/** A table with a sort key, ACTIVE. */
async function createEvents(overrides: Partial<CreateTableCommandInput> = {}): Promise<void> {
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: "events",
      AttributeDefinitions: [
        { AttributeName: "service", AttributeType: "S" },
        { AttributeName: "tick", AttributeType: "N" },
      ],
      KeySchema: [
        { AttributeName: "service", KeyType: "HASH" },
        { AttributeName: "tick", KeyType: "RANGE" },
      ],
      ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      ...overrides,
    }),
  );
  emulator.advance(emulator.world.timings.dynamodbTableCreationMs);
}

const put = (service: string, tick: number, extra: Record<string, unknown> = {}) =>
  clients.dynamodb.send(
    new PutItemCommand({
      TableName: "events",
      Item: { service: { S: service }, tick: { N: String(tick) }, ...(extra as object) },
    }),
  );

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: DynamoDBServiceException) => ({ name: error.name, message: error.message }),
  );

describe("Query", () => {
  beforeEach(async () => {
    await createEvents();
    for (const tick of [30, 10, 20, 40]) await put("web", tick);
    await put("api", 15);
  });

  const query = (condition: string, values: Record<string, unknown>, extra: object = {}) =>
    clients.dynamodb.send(
      new QueryCommand({
        TableName: "events",
        KeyConditionExpression: condition,
        ExpressionAttributeValues: values as never,
        ...extra,
      }),
    );
  const ats = (items: Record<string, { N?: string }>[] | undefined) =>
    items?.map((item) => Number(item.tick?.N));

  it.each<[string, Record<string, unknown>, object, number[], string]>([
    ["service = :s", { ":s": { S: "web" } }, {}, [10, 20, 30, 40], "one partition, in sort key order"],
    ["service = :s", { ":s": { S: "web" } }, { ScanIndexForward: false }, [40, 30, 20, 10], "backwards"],
    [
      "service = :s AND tick > :t",
      { ":s": { S: "web" }, ":t": { N: "20" } },
      {},
      [30, 40],
      "a range condition",
    ],
    [
      "service = :s AND tick BETWEEN :a AND :b",
      { ":s": { S: "web" }, ":a": { N: "15" }, ":b": { N: "30" } },
      {},
      [20, 30],
      "BETWEEN on the sort key",
    ],
    ["service = :s", { ":s": { S: "api" } }, {}, [15], "another partition"],
  ])("%s %j %j → %j (%s)", async (condition, values, extra, expected) => {
    expect(ats((await query(condition, values, extra)).Items)).toEqual(expected);
  });

  it("pages with Limit and continues from LastEvaluatedKey", async () => {
    const first = await query("service = :s", { ":s": { S: "web" } }, { Limit: 3 });
    expect(ats(first.Items)).toEqual([10, 20, 30]);
    expect(first.LastEvaluatedKey).toEqual({ service: { S: "web" }, tick: { N: "30" } });
    const second = await query(
      "service = :s",
      { ":s": { S: "web" } },
      { Limit: 3, ExclusiveStartKey: first.LastEvaluatedKey },
    );
    expect(ats(second.Items)).toEqual([40]);
    expect(second.LastEvaluatedKey).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["tick = :t", { ":t": { N: "1" } }, "Query condition missed key schema element: service"],
    [
      "service = :s OR tick = :t",
      { ":s": { S: "web" }, ":t": { N: "1" } },
      "Invalid operator used in KeyConditionExpression: OR",
    ],
    ["service < :s", { ":s": { S: "web" } }, "Query key condition not supported"],
    [
      "service = :n",
      { ":n": { N: "1" } },
      "One or more parameter values were invalid: Condition parameter type does not match schema type",
    ],
  ])("refuses %s (%s)", async (condition, values, message) => {
    expect(await failure(query(condition, values))).toEqual({ name: "ValidationException", message });
  });
});

describe("items", () => {
  beforeEach(() => createEvents());

  it("projects attributes on GetItem and Scan", async () => {
    await put("web", 1, { detail: { M: { code: { N: "7" }, text: { S: "hello" } } }, other: { S: "x" } });
    const { Item } = await clients.dynamodb.send(
      new GetItemCommand({
        TableName: "events",
        Key: { service: { S: "web" }, tick: { N: "1" } },
        ProjectionExpression: "detail.code, #o",
        ExpressionAttributeNames: { "#o": "other" },
      }),
    );
    expect(Item).toEqual({ detail: { M: { code: { N: "7" } } }, other: { S: "x" } });
    const scan = await clients.dynamodb.send(new ScanCommand({ TableName: "events", Select: "COUNT" }));
    expect(scan).toMatchObject({ Count: 1, ScannedCount: 1 });
    expect(scan.Items).toBeUndefined();
  });

  it("returns UPDATED_OLD and UPDATED_NEW for only the attributes the update touched", async () => {
    await put("web", 1, { hits: { N: "1" }, note: { S: "keep" } });
    const update = (ReturnValues: "UPDATED_OLD" | "UPDATED_NEW") =>
      clients.dynamodb.send(
        new UpdateItemCommand({
          TableName: "events",
          Key: { service: { S: "web" }, tick: { N: "1" } },
          UpdateExpression: "ADD hits :one SET seen = :yes",
          ExpressionAttributeValues: { ":one": { N: "1" }, ":yes": { BOOL: true } },
          ReturnValues,
        }),
      );
    expect((await update("UPDATED_OLD")).Attributes).toEqual({ hits: { N: "1" } });
    expect((await update("UPDATED_NEW")).Attributes).toEqual({ hits: { N: "3" }, seen: { BOOL: true } });
  });

  it("creates the item on UpdateItem of a new key, and refuses to update a key attribute", async () => {
    const { Attributes } = await clients.dynamodb.send(
      new UpdateItemCommand({
        TableName: "events",
        Key: { service: { S: "web" }, tick: { N: "2" } },
        UpdateExpression: "SET hits = if_not_exists(hits, :zero) + :one",
        ExpressionAttributeValues: { ":zero": { N: "0" }, ":one": { N: "1" } },
        ReturnValues: "ALL_NEW",
      }),
    );
    expect(Attributes).toEqual({ service: { S: "web" }, tick: { N: "2" }, hits: { N: "1" } });
    expect(
      await failure(
        clients.dynamodb.send(
          new UpdateItemCommand({
            TableName: "events",
            Key: { service: { S: "web" }, tick: { N: "2" } },
            UpdateExpression: "SET service = :s",
            ExpressionAttributeValues: { ":s": { S: "api" } },
          }),
        ),
      ),
    ).toEqual({
      name: "ValidationException",
      message:
        "One or more parameter values were invalid: Cannot update attribute service. This attribute is part of the key",
    });
  });

  it.each<[Record<string, unknown>, string]>([
    [
      { service: { S: "web" } },
      "One or more parameter values were invalid: Missing the key tick in the item",
    ],
    [
      { service: { N: "1" }, tick: { N: "1" } },
      "One or more parameter values were invalid: Type mismatch for key service expected: S actual: N",
    ],
    [
      { service: { S: "" }, tick: { N: "1" } },
      "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: service",
    ],
    [
      { service: { S: "web" }, tick: { N: "1" }, big: { S: "x".repeat(400 * 1024) } },
      "Item size has exceeded the maximum allowed size",
    ],
    [
      { service: { S: "web" }, tick: { N: "not-a-number" } },
      "The parameter cannot be converted to a numeric value: not-a-number",
    ],
  ])("refuses PutItem of %j (%s)", async (Item, message) => {
    expect(
      await failure(clients.dynamodb.send(new PutItemCommand({ TableName: "events", Item: Item as never }))),
    ).toEqual({
      name: "ValidationException",
      message,
    });
  });

  it.each<[string, string, string]>([
    [
      `a = :v${" AND a = :v".repeat(400)}`,
      "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4406",
      "4 KB at most",
    ],
    [
      `a = :v${" OR a = :v".repeat(150)}`,
      "Invalid FilterExpression: The expression contains too many operators; operator count: 301",
      "300 operators at most",
    ],
  ])("bounds expressions (case %#)", async (FilterExpression, message) => {
    const scan = new ScanCommand({
      TableName: "events",
      FilterExpression,
      ExpressionAttributeValues: { ":v": { S: "x" } },
    });
    expect(await failure(clients.dynamodb.send(scan))).toEqual({ name: "ValidationException", message });
  });

  it("stops a Scan page at 1 MB of data and says where to continue", async () => {
    const big = { S: "x".repeat(390 * 1024) };
    for (const tick of [1, 2, 3]) await put("web", tick, { big });
    const first = await clients.dynamodb.send(new ScanCommand({ TableName: "events", Select: "COUNT" }));
    expect(first.ScannedCount).toBe(2);
    expect(first.LastEvaluatedKey).toBeDefined();
    const rest = await clients.dynamodb.send(
      new ScanCommand({ TableName: "events", Select: "COUNT", ExclusiveStartKey: first.LastEvaluatedKey }),
    );
    expect(rest.ScannedCount).toBe(1);
    expect(rest.LastEvaluatedKey).toBeUndefined();
  });
});

describe("tables and throttling", () => {
  it("lists tables and their tags", async () => {
    await createEvents({ Tags: [{ Key: "team", Value: "platform" }] });
    expect((await clients.dynamodb.send(new ListTablesCommand({}))).TableNames).toEqual(["events"]);
    const arn = "arn:aws:dynamodb:us-east-1:000000000000:table/events";
    await clients.dynamodb.send(
      new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "tier", Value: "1" }] }),
    );
    const { Tags } = await clients.dynamodb.send(new ListTagsOfResourceCommand({ ResourceArn: arn }));
    expect(Tags).toEqual([
      { Key: "team", Value: "platform" },
      { Key: "tier", Value: "1" },
    ]);
  });

  it("throttles with ThrottlingException, which the SDK retries", async () => {
    await createEvents();
    emulator.injectFaults({ seed: 1, rules: [{ service: "dynamodb", throttleRate: 1 }] });
    await expect(put("web", 1)).rejects.toBeInstanceOf(ThrottlingException);
    expect(emulator.calls.counts()).toMatchObject({ "dynamodb:PutItem": 1 });
  });
});
