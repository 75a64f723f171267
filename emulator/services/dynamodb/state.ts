/** DynamoDB state of one region: tables and their items. */
import type { Item } from "./attribute-values.ts";
import type { KeySchema } from "./keys.ts";

export type TableStatus = "CREATING" | "ACTIVE" | "DELETING";

export interface Table {
  name: string;
  arn: string;
  id: string;
  status: TableStatus;
  createdAt: number;
  /** When DeleteTable was called; the table disappears a deletion time later. */
  deletingSince: number | undefined;
  keySchema: KeySchema;
  attributeDefinitions: { AttributeName: string; AttributeType: string }[];
  billingMode: "PROVISIONED" | "PAY_PER_REQUEST";
  provisionedThroughput: { ReadCapacityUnits: number; WriteCapacityUnits: number } | undefined;
  /** While set, DeleteTable is refused. */
  deletionProtection: boolean;
  tags: Record<string, string>;
  /** By `encodeKey(keySchema, key)`. */
  items: Map<string, Item>;
}

export interface DynamodbState {
  tables: Map<string, Table>;
}

export function createDynamodbState(): DynamodbState {
  return { tables: new Map() };
}
