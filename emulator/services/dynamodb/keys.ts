/**
 * A table's primary key: a partition (HASH) attribute and an optional sort (RANGE) attribute, each a
 * string, number or binary. Keys are checked against the schema with AWS's messages, encoded for
 * storage, and ordered the way a scan walks a table: by a hash of the partition key, then by sort key.
 */
import {
  type AttributeValue,
  compareScalars,
  type Item,
  readItem,
  typeOf,
  valueSize,
} from "./attribute-values.ts";
import { validation } from "./errors.ts";

export type KeyType = "S" | "N" | "B";

export interface KeyAttribute {
  name: string;
  type: KeyType;
}

export interface KeySchema {
  hash: KeyAttribute;
  range: KeyAttribute | undefined;
}

const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;

/** The schema's key attributes, partition key first. */
export function keyAttributes(schema: KeySchema): KeyAttribute[] {
  return schema.range ? [schema.hash, schema.range] : [schema.hash];
}

const scalarText = (value: AttributeValue): string => Object.values(value)[0] as string;

/** Empty and oversized key values, refused wherever a key is given. */
function checkKeyValue(attribute: KeyAttribute, value: AttributeValue, isHash: boolean): void {
  if (scalarText(value) === "") {
    throw validation(
      `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${attribute.type === "B" ? "binary" : "string"} value. Key: ${attribute.name}`,
    );
  }
  const size = valueSize(value);
  if (isHash && size > MAX_PARTITION_KEY_BYTES)
    throw validation(
      "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
    );
  if (!isHash && size > MAX_SORT_KEY_BYTES)
    throw validation(
      "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
    );
}

/** A `Key` parameter (GetItem, UpdateItem, DeleteItem, ExclusiveStartKey): exactly the key attributes, of their types. */
export function readKey(schema: KeySchema, raw: unknown, prefix = ""): Item {
  if (raw === undefined || raw === null)
    throw validation(
      "1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null",
    );
  const key = readItem(raw, "Key");
  const attributes = keyAttributes(schema);
  const mismatch = `${prefix}The provided key element does not match the schema`;
  if (Object.keys(key).length !== attributes.length) throw validation(mismatch);
  for (const attribute of attributes) {
    const value = key[attribute.name];
    if (value === undefined || typeOf(value) !== attribute.type) throw validation(mismatch);
    checkKeyValue(attribute, value, attribute === schema.hash);
  }
  return key;
}

/** An item to put must hold every key attribute with its declared type. */
export function checkItemKey(schema: KeySchema, item: Item): void {
  for (const attribute of keyAttributes(schema)) {
    const value = item[attribute.name];
    if (value === undefined)
      throw validation(
        `One or more parameter values were invalid: Missing the key ${attribute.name} in the item`,
      );
    if (typeOf(value) !== attribute.type)
      throw validation(
        `One or more parameter values were invalid: Type mismatch for key ${attribute.name} expected: ${attribute.type} actual: ${typeOf(value)}`,
      );
    checkKeyValue(attribute, value, attribute === schema.hash);
  }
}

/** Just the key attributes of an item. */
export function keyOf(schema: KeySchema, item: Item): Item {
  return Object.fromEntries(
    keyAttributes(schema).map((attribute) => [attribute.name, item[attribute.name] as AttributeValue]),
  );
}

/** A stable string for a key (numbers are canonical, so equal numbers encode equally). */
export function encodeKey(schema: KeySchema, key: Item): string {
  return JSON.stringify(
    keyAttributes(schema).map((attribute) => scalarText(key[attribute.name] as AttributeValue)),
  );
}

/** FNV-1a over the partition key's text: DynamoDB spreads partitions by a hash, so a scan is in no useful order. */
export function partitionHash(value: AttributeValue): number {
  const text = `${typeOf(value)}:${scalarText(value)}`;
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Compares two items' sort keys (0 without a sort key). */
export function compareSortKeys(schema: KeySchema, a: Item, b: Item): number {
  if (!schema.range) return 0;
  return compareScalars(a[schema.range.name] as AttributeValue, b[schema.range.name] as AttributeValue) ?? 0;
}

/** The order a scan walks a table in: partitions by hash, items of a partition by sort key. */
export function compareScanOrder(schema: KeySchema, a: Item, b: Item): number {
  const left = a[schema.hash.name] as AttributeValue;
  const right = b[schema.hash.name] as AttributeValue;
  const byHash = partitionHash(left) - partitionHash(right);
  if (byHash !== 0) return byHash;
  return (compareScalars(left, right) ?? 0) || compareSortKeys(schema, a, b);
}
