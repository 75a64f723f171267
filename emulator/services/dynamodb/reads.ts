/**
 * Scan and Query: pages bounded by Limit (items evaluated, before the filter) and by 1 MB of data
 * read, continued through ExclusiveStartKey / LastEvaluatedKey, as DynamoDB pages them.
 */
import type { Input } from "../../protocols/input.ts";
import type { Operation } from "../service-definition.ts";
import { type AttributeValue, compareScalars, type Item, itemSize, typeOf } from "./attribute-values.ts";
import type { Condition, Operand } from "./condition-expression.ts";
import { projectPaths } from "./document-paths.ts";
import { validation } from "./errors.ts";
import { evaluateCondition } from "./evaluate-condition.ts";
import { consumedCapacity, readUnits } from "./items.ts";
import {
  compareScanOrder,
  compareSortKeys,
  type KeySchema,
  keyAttributes,
  keyOf,
  partitionHash,
  readKey,
} from "./keys.ts";
import { compileExpressions, type RequestExpressions } from "./request-expressions.ts";
import type { Table } from "./state.ts";
import { activeTable, read } from "./tables.ts";

/** "A single Scan operation reads up to … a maximum of 1 MB of data" (the same for Query). */
const MAX_PAGE_BYTES = 1024 * 1024;
const MAX_SEGMENTS = 1_000_000;

const SELECT_VALUES = ["ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"];

interface ReadOptions {
  limit: number | undefined;
  consistent: boolean;
  count: boolean;
}

function readOptions(input: Input, expressions: RequestExpressions): ReadOptions {
  const args = read(input);
  const limit = args.optionalInt("Limit");
  if (limit !== undefined && limit < 1)
    throw validation(
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  const select =
    args.optionalString("Select") ?? (expressions.projection ? "SPECIFIC_ATTRIBUTES" : "ALL_ATTRIBUTES");
  if (!SELECT_VALUES.includes(select))
    throw validation(
      `1 validation error detected: Value '${select}' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]`,
    );
  if (select === "ALL_PROJECTED_ATTRIBUTES")
    throw validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
  if (expressions.projection && select !== "SPECIFIC_ATTRIBUTES")
    throw validation(`Cannot specify the ProjectionExpression when choosing to get ${select}`);
  if (args.has("IndexName"))
    throw validation(`The table does not have the specified index: ${args.optionalString("IndexName")}`);
  return { limit, consistent: args.optionalBool("ConsistentRead") ?? false, count: select === "COUNT" };
}

/** Reads `candidates` (in order, after the start key) into one page. */
function page(
  input: Input,
  table: Table,
  candidates: Item[],
  options: ReadOptions,
  expressions: RequestExpressions,
) {
  const items: Item[] = [];
  let scanned = 0;
  let bytes = 0;
  let last: Item | undefined;
  for (const item of candidates) {
    const size = itemSize(item);
    if (scanned > 0 && bytes + size > MAX_PAGE_BYTES) break;
    scanned++;
    bytes += size;
    last = item;
    if (!expressions.filter || evaluateCondition(expressions.filter, item)) items.push(item);
    if (scanned === options.limit) break;
  }
  // DynamoDB stops at the limit without looking ahead, so a page that ends exactly at the last item still
  // returns a LastEvaluatedKey (and the next page is empty); only a read that ran off the end omits it.
  const stoppedEarly = last !== undefined && (scanned === options.limit || scanned < candidates.length);
  return {
    ...(options.count
      ? {}
      : {
          Items: items.map((item) =>
            expressions.projection ? projectPaths(item, expressions.projection) : structuredClone(item),
          ),
        }),
    Count: items.length,
    ScannedCount: scanned,
    ...(stoppedEarly ? { LastEvaluatedKey: keyOf(table.keySchema, last as Item) } : {}),
    ...consumedCapacity(input, table, readUnits(bytes, options.consistent)),
  };
}

function readSegment(input: Input): { segment: number; total: number } | undefined {
  const args = read(input);
  const segment = args.optionalInt("Segment");
  const total = args.optionalInt("TotalSegments");
  if (segment === undefined && total === undefined) return undefined;
  if (total === undefined)
    throw validation(
      "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
    );
  if (segment === undefined)
    throw validation(
      "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
    );
  if (total < 1 || total > MAX_SEGMENTS)
    throw validation(
      `1 validation error detected: Value '${total}' at 'totalSegments' failed to satisfy constraint: Member must have value between 1 and ${MAX_SEGMENTS}`,
    );
  if (segment < 0 || segment >= total)
    throw validation(
      `The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${segment} is not less than TotalSegments: ${total}`,
    );
  return { segment, total };
}

/** What a KeyConditionExpression asks for: the partition key's value and an optional sort key condition. */
interface KeyCondition {
  partition: AttributeValue;
  sort: Condition | undefined;
}

const KEY_COMPARATORS = new Set(["=", "<", "<=", ">", ">="]);

/** The single key attribute a key condition part is about (the path on either side), with its values. */
function keyConditionParts(condition: Condition): Condition[] {
  if (condition.kind === "and")
    return [...keyConditionParts(condition.left), ...keyConditionParts(condition.right)];
  if (condition.kind === "or" || condition.kind === "not" || condition.kind === "in")
    throw validation(`Invalid operator used in KeyConditionExpression: ${condition.kind.toUpperCase()}`);
  if (condition.kind === "compare" && !KEY_COMPARATORS.has(condition.comparator))
    throw validation(`Invalid operator used in KeyConditionExpression: ${condition.comparator}`);
  if (condition.kind !== "compare" && condition.kind !== "between" && condition.kind !== "begins_with")
    throw validation(`Invalid operator used in KeyConditionExpression: ${condition.kind}`);
  return [condition];
}

function operandsOf(condition: Condition): Operand[] {
  if (condition.kind === "compare" || condition.kind === "begins_with")
    return [condition.left, condition.right];
  if (condition.kind === "between") return [condition.operand, condition.low, condition.high];
  return [];
}

function readKeyCondition(schema: KeySchema, condition: Condition | undefined): KeyCondition {
  if (!condition)
    throw validation(
      "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
    );
  const byAttribute = new Map<string, Condition>();
  for (const part of keyConditionParts(condition)) {
    const paths = operandsOf(part).filter((operand) => operand.kind === "path");
    if (paths.length !== 1)
      throw validation(
        "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
      );
    const path = (paths[0] as { path: (string | number)[] }).path;
    if (path.length > 1)
      throw validation("KeyConditionExpressions cannot have conditions on nested attributes");
    const name = path[0] as string;
    if (byAttribute.has(name))
      throw validation("KeyConditionExpressions must only contain one condition per key");
    byAttribute.set(name, part);
  }
  const partition = byAttribute.get(schema.hash.name);
  if (!partition) throw validation(`Query condition missed key schema element: ${schema.hash.name}`);
  const sortName = schema.range?.name;
  if ([...byAttribute.keys()].some((name) => name !== schema.hash.name && name !== sortName))
    throw validation("Query key condition not supported");
  if (partition.kind !== "compare" || partition.comparator !== "=")
    throw validation("Query key condition not supported");
  const value = operandsOf(partition).find((operand) => operand.kind === "value");
  if (value?.kind !== "value" || typeOf(value.value) !== schema.hash.type)
    throw validation(
      "One or more parameter values were invalid: Condition parameter type does not match schema type",
    );
  const sort = sortName === undefined ? undefined : byAttribute.get(sortName);
  for (const operand of sort ? operandsOf(sort) : []) {
    if (operand.kind === "value" && typeOf(operand.value) !== schema.range?.type)
      throw validation(
        "One or more parameter values were invalid: Condition parameter type does not match schema type",
      );
  }
  return { partition: value.value, sort };
}

/** Key attributes may not be filtered on in a Query (they belong in the key condition). */
function checkFilterAvoidsKeys(schema: KeySchema, filter: Condition | undefined): void {
  if (!filter) return;
  const names = new Set<string>();
  const visit = (node: Condition | Operand): void => {
    if (node.kind === "path") names.add(node.path[0] as string);
    else if (node.kind === "size") visit(node.operand);
    else if (node.kind === "and" || node.kind === "or") [node.left, node.right].forEach(visit);
    else if (node.kind === "not") visit(node.condition);
    else if (node.kind === "in") [node.operand, ...node.candidates].forEach(visit);
    else if (node.kind === "attribute_exists" || node.kind === "attribute_not_exists") visit(node.operand);
    else if (node.kind === "attribute_type") [node.operand, node.type].forEach(visit);
    else if (node.kind !== "value") operandsOf(node).forEach(visit);
  };
  visit(filter);
  for (const attribute of keyAttributes(schema)) {
    if (names.has(attribute.name))
      throw validation(
        `Filter Expression can only contain non-primary key attributes: Primary key attribute: ${attribute.name}`,
      );
  }
}

export const readOperations: Record<string, Operation> = {
  Scan(input, context) {
    const expressions = compileExpressions(input, ["FilterExpression", "ProjectionExpression"]);
    const options = readOptions(input, expressions);
    const segment = readSegment(input);
    const table = activeTable(input, context);
    const start =
      input.ExclusiveStartKey === undefined || input.ExclusiveStartKey === null
        ? undefined
        : readKey(table.keySchema, input.ExclusiveStartKey, "The provided starting key is invalid: ");
    const schema = table.keySchema;
    const candidates = [...table.items.values()]
      .filter(
        (item) =>
          !segment ||
          partitionHash(item[schema.hash.name] as AttributeValue) % segment.total === segment.segment,
      )
      .sort((a, b) => compareScanOrder(schema, a, b))
      .filter((item) => !start || compareScanOrder(schema, start, item) < 0);
    return page(input, table, candidates, options, expressions);
  },

  Query(input, context) {
    const expressions = compileExpressions(input, [
      "KeyConditionExpression",
      "FilterExpression",
      "ProjectionExpression",
    ]);
    const options = readOptions(input, expressions);
    const forward = read(input).optionalBool("ScanIndexForward") ?? true;
    const table = activeTable(input, context);
    const schema = table.keySchema;
    const keyCondition = readKeyCondition(schema, expressions.keyCondition);
    checkFilterAvoidsKeys(schema, expressions.filter);
    const start =
      input.ExclusiveStartKey === undefined || input.ExclusiveStartKey === null
        ? undefined
        : readKey(schema, input.ExclusiveStartKey, "The provided starting key is invalid: ");
    if (start && compareScalars(start[schema.hash.name] as AttributeValue, keyCondition.partition) !== 0)
      throw validation("The provided starting key is outside query boundaries based on provided conditions");
    const direction = forward ? 1 : -1;
    const candidates = [...table.items.values()]
      .filter(
        (item) => compareScalars(item[schema.hash.name] as AttributeValue, keyCondition.partition) === 0,
      )
      .filter((item) => !keyCondition.sort || evaluateCondition(keyCondition.sort, item))
      .sort((a, b) => direction * compareSortKeys(schema, a, b))
      .filter((item) => !start || direction * compareSortKeys(schema, start, item) < 0);
    return page(input, table, candidates, options, expressions);
  },
};
