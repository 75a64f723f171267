/** GetItem, PutItem, UpdateItem and DeleteItem: single-item reads and conditional writes. */
import type { Input } from "../../protocols/input.ts";
import type { Operation } from "../service-definition.ts";
import { type Item, itemSize, MAX_ITEM_BYTES, readItem } from "./attribute-values.ts";
import { projectPaths } from "./document-paths.ts";
import { conditionalCheckFailed, validation } from "./errors.ts";
import { evaluateCondition } from "./evaluate-condition.ts";
import { checkItemKey, encodeKey, keyAttributes, readKey } from "./keys.ts";
import { compileExpressions } from "./request-expressions.ts";
import type { Table } from "./state.ts";
import { activeTable, read } from "./tables.ts";
import { applyUpdate } from "./update-expression.ts";

type ReturnValues = "NONE" | "ALL_OLD" | "UPDATED_OLD" | "ALL_NEW" | "UPDATED_NEW";
const RETURN_VALUES: readonly ReturnValues[] = ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"];

const missingMember = (member: string) =>
  validation(
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  );

const enumProblem = (value: string, member: string, allowed: readonly string[]) =>
  validation(
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(", ")}]`,
  );

function readReturnValues(input: Input, onlyOld: boolean): ReturnValues {
  const value = read(input).optionalString("ReturnValues") ?? "NONE";
  if (!RETURN_VALUES.includes(value as ReturnValues)) throw enumProblem(value, "returnValues", RETURN_VALUES);
  if (onlyOld && value !== "NONE" && value !== "ALL_OLD")
    throw validation("ReturnValues can only be ALL_OLD or NONE");
  return value as ReturnValues;
}

/** Whether a failed condition should carry the old item (`ReturnValuesOnConditionCheckFailure: ALL_OLD`). */
function returnsOldOnFailure(input: Input): boolean {
  const value = read(input).optionalString("ReturnValuesOnConditionCheckFailure") ?? "NONE";
  if (value !== "NONE" && value !== "ALL_OLD")
    throw enumProblem(value, "returnValuesOnConditionCheckFailure", ["ALL_OLD", "NONE"]);
  return value === "ALL_OLD";
}

/** `ReturnConsumedCapacity`: TOTAL and INDEXES get capacity units computed from the item sizes. */
export function consumedCapacity(input: Input, table: Table, units: number) {
  const mode = read(input).optionalString("ReturnConsumedCapacity") ?? "NONE";
  if (!["NONE", "TOTAL", "INDEXES"].includes(mode))
    throw enumProblem(mode, "returnConsumedCapacity", ["INDEXES", "TOTAL", "NONE"]);
  if (mode === "NONE") return {};
  return {
    ConsumedCapacity: {
      TableName: table.name,
      CapacityUnits: units,
      ...(mode === "INDEXES" ? { Table: { CapacityUnits: units } } : {}),
    },
  };
}

/** One write unit per started kilobyte of the larger of the old and new item. */
const writeUnits = (...items: (Item | undefined)[]) =>
  Math.max(1, ...items.map((item) => (item ? Math.ceil(itemSize(item) / 1024) : 1)));

/** One read unit per started 4 KB, half that for an eventually consistent read. */
export const readUnits = (bytes: number, consistent: boolean) =>
  (Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 2 : 1)) / 2;

/** Checks the condition against the stored item; a failure changes nothing. */
function checkCondition(
  input: Input,
  condition: Parameters<typeof evaluateCondition>[0] | undefined,
  old: Item | undefined,
) {
  if (condition && !evaluateCondition(condition, old))
    throw conditionalCheckFailed(returnsOldOnFailure(input) ? old : undefined);
}

const attributes = (item: Item | undefined) =>
  item === undefined || Object.keys(item).length === 0 ? {} : { Attributes: structuredClone(item) };

export const itemOperations: Record<string, Operation> = {
  GetItem(input, context) {
    const expressions = compileExpressions(input, ["ProjectionExpression"]);
    const consistent = read(input).optionalBool("ConsistentRead") ?? false;
    const table = activeTable(input, context);
    const key = readKey(table.keySchema, input.Key);
    const item = table.items.get(encodeKey(table.keySchema, key));
    const capacity = consumedCapacity(input, table, readUnits(item ? itemSize(item) : 0, consistent));
    if (!item) return capacity;
    const returned = expressions.projection
      ? projectPaths(item, expressions.projection)
      : structuredClone(item);
    return { Item: returned, ...capacity };
  },

  PutItem(input, context) {
    const expressions = compileExpressions(input, ["ConditionExpression"]);
    const returnValues = readReturnValues(input, true);
    returnsOldOnFailure(input);
    if (input.Item === undefined || input.Item === null) throw missingMember("item");
    const item = readItem(input.Item, "Item");
    const table = activeTable(input, context);
    checkItemKey(table.keySchema, item);
    if (itemSize(item) > MAX_ITEM_BYTES) throw validation("Item size has exceeded the maximum allowed size");
    const storageKey = encodeKey(table.keySchema, item);
    const old = table.items.get(storageKey);
    checkCondition(input, expressions.condition, old);
    const capacity = consumedCapacity(input, table, writeUnits(old, item));
    table.items.set(storageKey, item);
    return { ...(returnValues === "ALL_OLD" ? attributes(old) : {}), ...capacity };
  },

  UpdateItem(input, context) {
    const expressions = compileExpressions(input, ["UpdateExpression", "ConditionExpression"]);
    const returnValues = readReturnValues(input, false);
    returnsOldOnFailure(input);
    const table = activeTable(input, context);
    const key = readKey(table.keySchema, input.Key);
    const targets = expressions.update?.actions.map((action) => action.path) ?? [];
    for (const attribute of keyAttributes(table.keySchema)) {
      if (targets.some((path) => path[0] === attribute.name))
        throw validation(
          `One or more parameter values were invalid: Cannot update attribute ${attribute.name}. This attribute is part of the key`,
        );
    }
    const storageKey = encodeKey(table.keySchema, key);
    const old = table.items.get(storageKey);
    checkCondition(input, expressions.condition, old);
    const base = old ?? key;
    const next = expressions.update ? applyUpdate(expressions.update, base) : structuredClone(base);
    if (itemSize(next) > MAX_ITEM_BYTES)
      throw validation("Item size to update has exceeded the maximum allowed size");
    const capacity = consumedCapacity(input, table, writeUnits(old, next));
    table.items.set(storageKey, next);
    const returned: Record<ReturnValues, Item | undefined> = {
      NONE: undefined,
      ALL_OLD: old,
      ALL_NEW: next,
      UPDATED_OLD: old && projectPaths(old, targets),
      UPDATED_NEW: projectPaths(next, targets),
    };
    return { ...attributes(returned[returnValues]), ...capacity };
  },

  DeleteItem(input, context) {
    const expressions = compileExpressions(input, ["ConditionExpression"]);
    const returnValues = readReturnValues(input, true);
    returnsOldOnFailure(input);
    const table = activeTable(input, context);
    const key = readKey(table.keySchema, input.Key);
    const storageKey = encodeKey(table.keySchema, key);
    const old = table.items.get(storageKey);
    checkCondition(input, expressions.condition, old);
    const capacity = consumedCapacity(input, table, writeUnits(old));
    table.items.delete(storageKey);
    return { ...(returnValues === "ALL_OLD" ? attributes(old) : {}), ...capacity };
  },
};
