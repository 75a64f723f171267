/**
 * DynamoDB (awsJson1_0, `DynamoDB_20120810`): tables, single-item reads and conditional writes,
 * Scan and Query, with condition, update, filter and projection expressions.
 */
import type { JsonServiceDefinition, Operation } from "../service-definition.ts";
import { dynamodbErrorType } from "./errors.ts";
import { itemOperations } from "./items.ts";
import { readOperations } from "./reads.ts";
import { tableOperations } from "./tables.ts";

const operations: Record<string, Operation> = {
  ...tableOperations,
  ...itemOperations,
  ...readOperations,
};

export const dynamodbService: JsonServiceDefinition = {
  id: "dynamodb",
  iamPrefix: "dynamodb",
  protocol: "json",
  jsonVersion: "1.0",
  targetPrefix: "DynamoDB_20120810",
  messageKey: "message",
  errorType: dynamodbErrorType,
  // Listed on every data-plane operation and retried by the SDK (as is ProvisionedThroughputExceededException).
  throttlingCode: "ThrottlingException",
  throttlingStatus: 400,
  operations,
};
