/** DynamoDB's wire details the SDK does not show: awsJson1_0 content type and namespaced error types. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../server.ts";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator?.close();
});

const call = (operation: string, body: unknown) =>
  fetch(emulator.url, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${operation}`,
    },
    body: JSON.stringify(body),
  });

describe("DynamoDB on the wire", () => {
  it("answers in application/x-amz-json-1.0", async () => {
    const response = await call("ListTables", {});
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.0");
    expect(await response.json()).toEqual({ TableNames: [] });
  });

  it.each<[string, object, string, string]>([
    [
      "DescribeTable",
      { TableName: "missing" },
      "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
      "the service's own error",
    ],
    [
      "DescribeTable",
      { TableName: "x" },
      "com.amazon.coral.validate#ValidationException",
      "validation comes from the framework",
    ],
    ["Frobnicate", {}, "com.amazon.coral.service#UnknownOperationException", "unknown operations too"],
  ])("%s %j → __type %s (%s)", async (operation, body, type) => {
    const response = await call(operation, body);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.0");
    expect(((await response.json()) as { __type: string }).__type).toBe(type);
  });
});
