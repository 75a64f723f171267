/** CreateTable, DescribeTable, DeleteTable, ListTables and table tags. */
import { AwsError } from "../../errors.ts";
import { arn } from "../../identity.ts";
import { type Input, inputReader } from "../../protocols/input.ts";
import type { Operation, OperationContext } from "../service-definition.ts";
import { itemSize } from "./attribute-values.ts";
import { resourceNotFound, validation } from "./errors.ts";
import type { KeyAttribute, KeySchema, KeyType } from "./keys.ts";
import type { Table } from "./state.ts";

const TABLE_NAME = /^[a-zA-Z0-9_.-]+$/;
/** The default quota of tables per account and region. */
const MAX_TABLES = 2500;
const MAX_TAGS = 50;
const MAX_CAPACITY_UNITS = 1_000_000_000_000;
/** Settings the emulator does not model; refusing them beats pretending they took effect. */
const NOT_EMULATED = ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"];

export const read = (input: Input) =>
  inputReader(input, {
    missing: (name) =>
      validation(
        `1 validation error detected: Value null at '${lowerFirst(name)}' failed to satisfy constraint: Member must not be null`,
      ),
    invalid: (name, detail) => validation(`Invalid parameter ${name}: ${detail}`),
  });

const lowerFirst = (name: string) => `${name[0]?.toLowerCase() ?? ""}${name.slice(1)}`;

const constraint = (value: unknown, member: string, rule: string) =>
  validation(
    `1 validation error detected: Value ${typeof value === "string" ? `'${value}'` : JSON.stringify(value)} at '${member}' failed to satisfy constraint: ${rule}`,
  );

/** A TableName parameter: a name, or (as AWS now accepts) the table's ARN. */
export function tableNameOf(input: Input): string {
  const raw = read(input).string("TableName");
  const fromArn = /^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table\/([a-zA-Z0-9_.-]{3,255})$/.exec(raw);
  const name = fromArn?.[1] ?? raw;
  if (name.length < 3)
    throw constraint(name, "tableName", "Member must have length greater than or equal to 3");
  if (name.length > 255)
    throw constraint(name, "tableName", "Member must have length less than or equal to 255");
  if (!TABLE_NAME.test(name))
    throw constraint(name, "tableName", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  return name;
}

/** The table a data-plane call names; one that is missing or not ACTIVE yet is "not found", as in AWS. */
export function activeTable(input: Input, context: OperationContext): Table {
  const table = context.region.dynamodb.tables.get(tableNameOf(input));
  if (table?.status !== "ACTIVE") throw resourceNotFound();
  return table;
}

function tableNamed(input: Input, context: OperationContext): Table {
  const name = tableNameOf(input);
  const table = context.region.dynamodb.tables.get(name);
  if (!table) throw resourceNotFound(`Requested resource not found: Table: ${name} not found`);
  return table;
}

function tableByArn(resourceArn: string, context: OperationContext): Table {
  const table = [...context.region.dynamodb.tables.values()].find(
    (candidate) => candidate.arn === resourceArn,
  );
  if (!table) throw resourceNotFound(`Requested resource not found: ResourcArn: ${resourceArn} not found`);
  return table;
}

/** The TableDescription every table call returns. */
export function describeTable(table: Table) {
  const items = [...table.items.values()];
  return {
    TableName: table.name,
    TableArn: table.arn,
    TableId: table.id,
    TableStatus: table.status,
    CreationDateTime: new Date(table.createdAt),
    AttributeDefinitions: table.attributeDefinitions.map((definition) => ({ ...definition })),
    KeySchema: [
      { AttributeName: table.keySchema.hash.name, KeyType: "HASH" },
      ...(table.keySchema.range ? [{ AttributeName: table.keySchema.range.name, KeyType: "RANGE" }] : []),
    ],
    ProvisionedThroughput: {
      NumberOfDecreasesToday: 0,
      ReadCapacityUnits: table.provisionedThroughput?.ReadCapacityUnits ?? 0,
      WriteCapacityUnits: table.provisionedThroughput?.WriteCapacityUnits ?? 0,
    },
    ...(table.billingMode === "PAY_PER_REQUEST"
      ? {
          BillingModeSummary: {
            BillingMode: "PAY_PER_REQUEST",
            LastUpdateToPayPerRequestDateTime: new Date(table.createdAt),
          },
        }
      : {}),
    ItemCount: items.length,
    TableSizeBytes: items.reduce((sum, item) => sum + itemSize(item), 0),
    DeletionProtectionEnabled: table.deletionProtection,
  };
}

function readKeySchema(input: Input): { keySchema: KeySchema; definitions: Table["attributeDefinitions"] } {
  const args = read(input);
  for (const required of ["AttributeDefinitions", "KeySchema"]) {
    if (!args.has(required)) throw constraint(null, lowerFirst(required), "Member must not be null");
  }
  const definitions = args.list<Record<string, unknown>>("AttributeDefinitions").map((definition, index) => {
    const name = definition?.AttributeName;
    const type = definition?.AttributeType;
    if (typeof name !== "string" || name.length === 0)
      throw constraint(
        name ?? null,
        `attributeDefinitions.${index + 1}.member.attributeName`,
        "Member must not be null",
      );
    if (type !== "S" && type !== "N" && type !== "B")
      throw constraint(
        type ?? null,
        `attributeDefinitions.${index + 1}.member.attributeType`,
        "Member must satisfy enum value set: [B, N, S]",
      );
    return { AttributeName: name, AttributeType: type as string };
  });
  const elements = args.list<Record<string, unknown>>("KeySchema");
  if (elements.length < 1)
    throw constraint("[]", "keySchema", "Member must have length greater than or equal to 1");
  if (elements.length > 2)
    throw constraint("[…]", "keySchema", "Member must have length less than or equal to 2");
  for (const [index, element] of elements.entries()) {
    if (typeof element?.AttributeName !== "string" || element.AttributeName === "")
      throw constraint(null, `keySchema.${index + 1}.member.attributeName`, "Member must not be null");
    if (element.KeyType !== "HASH" && element.KeyType !== "RANGE")
      throw constraint(
        element.KeyType ?? null,
        `keySchema.${index + 1}.member.keyType`,
        "Member must satisfy enum value set: [HASH, RANGE]",
      );
  }
  const [hash, range] = elements as { AttributeName: string; KeyType: string }[];
  if (hash?.KeyType !== "HASH")
    throw validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (range && range.KeyType !== "RANGE")
    throw validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  if (range && range.AttributeName === hash.AttributeName)
    throw validation("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  const keyNames = elements.map((element) => element.AttributeName as string);
  const definedNames = definitions.map((definition) => definition.AttributeName);
  if (new Set(definedNames).size !== definedNames.length)
    throw validation(
      "One or more parameter values were invalid: Duplicate value in attribute name: AttributeDefinitions",
    );
  if (!keyNames.every((name) => definedNames.includes(name)))
    throw validation(
      `One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [${keyNames.join(", ")}], AttributeDefinitions: [${definedNames.join(", ")}]`,
    );
  if (definitions.length !== keyNames.length)
    throw validation(
      "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
    );
  const attribute = (name: string): KeyAttribute => ({
    name,
    type: definitions.find((definition) => definition.AttributeName === name)?.AttributeType as KeyType,
  });
  return {
    keySchema: {
      hash: attribute(hash.AttributeName),
      range: range ? attribute(range.AttributeName) : undefined,
    },
    definitions,
  };
}

function readThroughput(input: Input): Pick<Table, "billingMode" | "provisionedThroughput"> {
  const args = read(input);
  const billingMode = args.optionalString("BillingMode") ?? "PROVISIONED";
  if (billingMode !== "PROVISIONED" && billingMode !== "PAY_PER_REQUEST")
    throw constraint(
      billingMode,
      "billingMode",
      "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]",
    );
  const throughput = args.optionalObject("ProvisionedThroughput");
  if (billingMode === "PAY_PER_REQUEST") {
    if (throughput)
      throw validation(
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
      );
    return { billingMode, provisionedThroughput: undefined };
  }
  const units = (name: "ReadCapacityUnits" | "WriteCapacityUnits"): number => {
    const value = throughput?.[name];
    if (typeof value !== "number")
      throw validation(
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
      );
    if (!Number.isInteger(value) || value < 1)
      throw constraint(
        value,
        `provisionedThroughput.${lowerFirst(name)}`,
        "Member must have value greater than or equal to 1",
      );
    if (value > MAX_CAPACITY_UNITS) throw validation(`Given value ${value} for ${name} is out of bounds`);
    return value;
  };
  return {
    billingMode,
    provisionedThroughput: {
      ReadCapacityUnits: units("ReadCapacityUnits"),
      WriteCapacityUnits: units("WriteCapacityUnits"),
    },
  };
}

function readTags(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!Array.isArray(raw)) throw validation("Tags must be a list");
  const tags: Record<string, string> = {};
  for (const tag of raw as Record<string, unknown>[]) {
    const key = tag?.Key;
    const value = tag?.Value;
    if (typeof key !== "string" || key.length < 1 || key.length > 128)
      throw validation("One or more parameter values were invalid: Tag key must be 1 to 128 characters long");
    if (typeof value !== "string" || value.length > 256)
      throw validation(
        "One or more parameter values were invalid: Tag value must be at most 256 characters long",
      );
    tags[key] = value;
  }
  return tags;
}

function checkTagCount(tags: Record<string, string>): void {
  if (Object.keys(tags).length > MAX_TAGS)
    throw new AwsError(
      "LimitExceededException",
      `The number of tags on a resource exceeds the limit of ${MAX_TAGS}`,
    );
}

export const tableOperations: Record<string, Operation> = {
  CreateTable(input, context) {
    const name = tableNameOf(input);
    for (const setting of NOT_EMULATED) {
      if (input[setting] !== undefined && input[setting] !== null)
        throw validation(`${setting} are not emulated: create the table without them`);
    }
    if ((input.StreamSpecification as { StreamEnabled?: unknown } | undefined)?.StreamEnabled === true)
      throw validation("Streams are not emulated: create the table without StreamSpecification");
    const { keySchema, definitions } = readKeySchema(input);
    const throughput = readThroughput(input);
    const tags = readTags(input.Tags);
    checkTagCount(tags);
    const deletionProtection = read(input).optionalBool("DeletionProtectionEnabled") ?? false;
    const tables = context.region.dynamodb.tables;
    if (tables.has(name)) throw new AwsError("ResourceInUseException", `Table already exists: ${name}`);
    if (tables.size >= MAX_TABLES)
      throw new AwsError(
        "LimitExceededException",
        `Subscriber limit exceeded: Number of tables exceeds the limit of ${MAX_TABLES}`,
      );
    const table: Table = {
      name,
      arn: arn("dynamodb", context.region.name, `table/${name}`),
      id: tableId(context),
      status: "CREATING",
      createdAt: context.now,
      deletingSince: undefined,
      keySchema,
      attributeDefinitions: definitions,
      ...throughput,
      deletionProtection,
      tags,
      items: new Map(),
    };
    tables.set(name, table);
    return { TableDescription: describeTable(table) };
  },

  DescribeTable(input, context) {
    return { Table: describeTable(tableNamed(input, context)) };
  },

  DeleteTable(input, context) {
    const table = tableNamed(input, context);
    if (table.status === "CREATING")
      throw new AwsError(
        "ResourceInUseException",
        `Attempt to change a resource which is still in use: Table is being created: ${table.name}`,
      );
    if (table.status === "DELETING")
      throw new AwsError(
        "ResourceInUseException",
        `Attempt to change a resource which is still in use: Table is being deleted: ${table.name}`,
      );
    if (table.deletionProtection)
      throw validation(
        "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
      );
    table.status = "DELETING";
    table.deletingSince = context.now;
    return { TableDescription: describeTable(table) };
  },

  ListTables(input, context) {
    const args = read(input);
    const limit = args.optionalInt("Limit") ?? 100;
    if (limit < 1 || limit > 100)
      throw constraint(
        limit,
        "limit",
        `Member must have value ${limit < 1 ? "greater than or equal to 1" : "less than or equal to 100"}`,
      );
    const start = args.optionalString("ExclusiveStartTableName");
    const names = [...context.region.dynamodb.tables.keys()]
      .sort()
      .filter((name) => start === undefined || name > start);
    const page = names.slice(0, limit);
    return {
      TableNames: page,
      ...(names.length > limit ? { LastEvaluatedTableName: page.at(-1) } : {}),
    };
  },

  TagResource(input, context) {
    const args = read(input);
    const table = tableByArn(args.string("ResourceArn"), context);
    const merged = { ...table.tags, ...readTags(input.Tags) };
    checkTagCount(merged);
    table.tags = merged;
    return {};
  },

  UntagResource(input, context) {
    const args = read(input);
    const table = tableByArn(args.string("ResourceArn"), context);
    const keys = new Set(args.stringList("TagKeys"));
    table.tags = Object.fromEntries(Object.entries(table.tags).filter(([key]) => !keys.has(key)));
    return {};
  },

  ListTagsOfResource(input, context) {
    const table = tableByArn(read(input).string("ResourceArn"), context);
    return { Tags: Object.entries(table.tags).map(([Key, Value]) => ({ Key, Value })) };
  },
};

/** A table id shaped like AWS's (a UUID). */
function tableId(context: OperationContext): string {
  const hex = context.random.hex(32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
