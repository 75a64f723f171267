/**
 * Evaluating a resolved condition against an item (or against nothing, for a write to a new key).
 * DynamoDB's rules: a comparison between different types is false (and `<>` true); ordering exists
 * only for strings, numbers and binaries; a missing attribute satisfies nothing but `<>` and
 * attribute_not_exists.
 */
import { type AttributeValue, compareScalars, type Item, typeOf, valuesEqual } from "./attribute-values.ts";
import type { Condition, Operand } from "./condition-expression.ts";
import { valueAt } from "./document-paths.ts";

function sizeOf(value: AttributeValue): number | undefined {
  if ("S" in value) return value.S.length;
  if ("B" in value) return Buffer.from(value.B, "base64").length;
  if ("L" in value) return value.L.length;
  if ("M" in value) return Object.keys(value.M).length;
  if ("SS" in value) return value.SS.length;
  if ("NS" in value) return value.NS.length;
  if ("BS" in value) return value.BS.length;
  return undefined;
}

/** An operand's value in `item`; undefined when its path is missing. */
export function evaluateOperand(operand: Operand, item: Item | undefined): AttributeValue | undefined {
  if (operand.kind === "value") return operand.value;
  if (operand.kind === "path") return valueAt(item, operand.path);
  const value = evaluateOperand(operand.operand, item);
  const size = value === undefined ? undefined : sizeOf(value);
  return size === undefined ? undefined : { N: String(size) };
}

function compare(
  comparator: string,
  left: AttributeValue | undefined,
  right: AttributeValue | undefined,
): boolean {
  if (comparator === "<>") {
    if (left === undefined || right === undefined) return left !== right;
    return !valuesEqual(left, right);
  }
  if (left === undefined || right === undefined) return false;
  if (comparator === "=") return valuesEqual(left, right);
  const order = compareScalars(left, right);
  if (order === undefined) return false;
  switch (comparator) {
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    default:
      return order >= 0;
  }
}

function contains(container: AttributeValue | undefined, element: AttributeValue | undefined): boolean {
  if (container === undefined || element === undefined) return false;
  if ("S" in container) return "S" in element && container.S.includes(element.S);
  if ("B" in container)
    return "B" in element && Buffer.from(container.B, "base64").includes(Buffer.from(element.B, "base64"));
  if ("SS" in container) return "S" in element && container.SS.includes(element.S);
  if ("NS" in container)
    return "N" in element && container.NS.some((member) => valuesEqual({ N: member }, element));
  if ("BS" in container)
    return "B" in element && container.BS.some((member) => valuesEqual({ B: member }, element));
  if ("L" in container) return container.L.some((member) => valuesEqual(member, element));
  return false;
}

function beginsWith(value: AttributeValue | undefined, prefix: AttributeValue | undefined): boolean {
  if (value === undefined || prefix === undefined) return false;
  if ("S" in value && "S" in prefix) return value.S.startsWith(prefix.S);
  if ("B" in value && "B" in prefix) {
    const bytes = Buffer.from(value.B, "base64");
    const start = Buffer.from(prefix.B, "base64");
    return bytes.subarray(0, start.length).equals(start);
  }
  return false;
}

/** Whether `item` (undefined: no item) satisfies `condition`. */
export function evaluateCondition(condition: Condition, item: Item | undefined): boolean {
  const value = (operand: Operand) => evaluateOperand(operand, item);
  switch (condition.kind) {
    case "and":
      return evaluateCondition(condition.left, item) && evaluateCondition(condition.right, item);
    case "or":
      return evaluateCondition(condition.left, item) || evaluateCondition(condition.right, item);
    case "not":
      return !evaluateCondition(condition.condition, item);
    case "compare":
      return compare(condition.comparator, value(condition.left), value(condition.right));
    case "between": {
      const subject = value(condition.operand);
      return compare(">=", subject, value(condition.low)) && compare("<=", subject, value(condition.high));
    }
    case "in": {
      const subject = value(condition.operand);
      return (
        subject !== undefined &&
        condition.candidates.some((candidate) => compare("=", subject, value(candidate)))
      );
    }
    case "attribute_exists":
      return value(condition.operand) !== undefined;
    case "attribute_not_exists":
      return value(condition.operand) === undefined;
    case "attribute_type": {
      const subject = value(condition.operand);
      const type = value(condition.type);
      return subject !== undefined && type !== undefined && "S" in type && typeOf(subject) === type.S;
    }
    case "begins_with":
      return beginsWith(value(condition.left), value(condition.right));
    case "contains":
      return contains(value(condition.left), value(condition.right));
  }
}
