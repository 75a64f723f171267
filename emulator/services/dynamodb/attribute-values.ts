/**
 * DynamoDB's AttributeValue: one type tag per value (`{"S":"x"}`, `{"N":"1"}`, `{"M":{…}}`…), read
 * from requests with AWS's validation messages, compared with AWS's rules (strings and binaries by
 * their bytes, numbers numerically, sets without order) and sized the way the 400 KB limit counts.
 */
import { validation } from "./errors.ts";
import { canonicalNumber, compareDecimals, decimalOf, significantDigits } from "./numbers.ts";

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Item }
  | { L: AttributeValue[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };

export type Item = Record<string, AttributeValue>;

export type AttributeType = "S" | "N" | "B" | "BOOL" | "NULL" | "M" | "L" | "SS" | "NS" | "BS";

export const ATTRIBUTE_TYPES: readonly AttributeType[] = [
  "S",
  "N",
  "B",
  "BOOL",
  "NULL",
  "M",
  "L",
  "SS",
  "NS",
  "BS",
];

/** AWS allows 32 levels of nested lists and maps. */
const MAX_NESTING = 32;

/** The type tag of a value. */
export function typeOf(value: AttributeValue): AttributeType {
  return Object.keys(value)[0] as AttributeType;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function readSet(type: "SS" | "NS" | "BS", raw: unknown): string[] {
  if (!Array.isArray(raw) || !raw.every((element) => typeof element === "string"))
    throw validation(`Supplied AttributeValue has an invalid ${type} value: it must be a list of strings`);
  if (raw.length === 0) {
    throw validation(
      type === "BS"
        ? "One or more parameter values were invalid: Binary sets should not be empty"
        : `One or more parameter values were invalid: An ${type === "SS" ? "string" : "number"} set  may not be empty`,
    );
  }
  const elements = type === "NS" ? raw.map(canonicalNumber) : (raw as string[]);
  if (new Set(elements).size !== elements.length) {
    throw validation(
      type === "NS"
        ? "Input collection contains duplicates"
        : `One or more parameter values were invalid: Input collection [${elements.join(", ")}] contains duplicates.`,
    );
  }
  return elements;
}

/** Reads a value from a request: exactly one known type, well formed; numbers made canonical. */
export function readAttributeValue(raw: unknown, depth = 0): AttributeValue {
  if (!isRecord(raw)) throw validation("Supplied AttributeValue must be a structure");
  const types = Object.keys(raw).filter((key) => raw[key] !== undefined && raw[key] !== null);
  if (types.length === 0)
    throw validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  if (types.length > 1)
    throw validation(
      "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
    );
  const type = types[0] as string;
  const value = raw[type];
  if (depth > MAX_NESTING) throw validation("Nesting Levels have exceeded supported limits");
  switch (type) {
    case "S":
      if (typeof value !== "string") throw validation("Supplied AttributeValue S must be a string");
      return { S: value };
    case "N":
      if (typeof value !== "string") throw validation("Supplied AttributeValue N must be a string");
      return { N: canonicalNumber(value) };
    case "B":
      if (typeof value !== "string") throw validation("Supplied AttributeValue B must be base64 text");
      return { B: value };
    case "BOOL":
      if (typeof value !== "boolean") throw validation("Supplied AttributeValue BOOL must be a boolean");
      return { BOOL: value };
    case "NULL":
      if (value !== true)
        throw validation(
          "One or more parameter values were invalid: Null attribute value types must have the value of true",
        );
      return { NULL: true };
    case "M": {
      if (!isRecord(value)) throw validation("Supplied AttributeValue M must be a map");
      const map: Item = {};
      for (const [name, element] of Object.entries(value)) map[name] = readAttributeValue(element, depth + 1);
      return { M: map };
    }
    case "L":
      if (!Array.isArray(value)) throw validation("Supplied AttributeValue L must be a list");
      return { L: value.map((element) => readAttributeValue(element, depth + 1)) };
    case "SS":
    case "NS":
    case "BS":
      return { [type]: readSet(type, value) } as AttributeValue;
    default:
      throw validation(
        `Supplied AttributeValue has an unsupported datatype ${type}, must contain exactly one of the supported datatypes`,
      );
  }
}

/** Reads a map of attribute values (an item, a key); `what` names it in the error. */
export function readItem(raw: unknown, what: string): Item {
  if (!isRecord(raw)) throw validation(`${what} must be a map of attribute values`);
  const item: Item = {};
  for (const [name, value] of Object.entries(raw)) item[name] = readAttributeValue(value);
  return item;
}

const bytesOf = (value: string, type: "S" | "B"): Buffer =>
  type === "S" ? Buffer.from(value, "utf8") : Buffer.from(value, "base64");

/**
 * How two scalars of the same type order: strings and binaries by their UTF-8 or raw bytes, numbers
 * numerically. Undefined when they are not both S, both N or both B (such comparisons are false).
 */
export function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  if ("N" in a && "N" in b) return compareDecimals(decimalOf(a.N), decimalOf(b.N));
  if ("S" in a && "S" in b) return Buffer.compare(bytesOf(a.S, "S"), bytesOf(b.S, "S"));
  if ("B" in a && "B" in b) return Buffer.compare(bytesOf(a.B, "B"), bytesOf(b.B, "B"));
  return undefined;
}

const sameMembers = (a: readonly string[], b: readonly string[], equal: (x: string, y: string) => boolean) =>
  a.length === b.length && a.every((x) => b.some((y) => equal(x, y)));

/** Deep equality as DynamoDB's `=` sees it: same type and value; sets regardless of order. */
export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  switch (type) {
    case "S":
    case "N":
    case "B":
      return compareScalars(a, b) === 0;
    case "BOOL":
      return (a as { BOOL: boolean }).BOOL === (b as { BOOL: boolean }).BOOL;
    case "NULL":
      return true;
    case "SS":
      return sameMembers((a as { SS: string[] }).SS, (b as { SS: string[] }).SS, (x, y) => x === y);
    case "NS":
      return sameMembers(
        (a as { NS: string[] }).NS,
        (b as { NS: string[] }).NS,
        (x, y) => compareDecimals(decimalOf(x), decimalOf(y)) === 0,
      );
    case "BS":
      return sameMembers((a as { BS: string[] }).BS, (b as { BS: string[] }).BS, (x, y) =>
        bytesOf(x, "B").equals(bytesOf(y, "B")),
      );
    case "L": {
      const left = (a as { L: AttributeValue[] }).L;
      const right = (b as { L: AttributeValue[] }).L;
      return (
        left.length === right.length &&
        left.every((element, index) => valuesEqual(element, right[index] as AttributeValue))
      );
    }
    case "M": {
      const left = (a as { M: Item }).M;
      const right = (b as { M: Item }).M;
      const names = Object.keys(left);
      return (
        names.length === Object.keys(right).length &&
        names.every(
          (name) => right[name] !== undefined && valuesEqual(left[name] as AttributeValue, right[name]),
        )
      );
    }
  }
}

const numberSize = (text: string): number => {
  const digits = significantDigits(text);
  return 1 + Math.ceil(digits / 2) + (text.startsWith("-") ? 1 : 0);
};

/** A value's size in bytes by DynamoDB's published rules (strings UTF-8, numbers ~1 byte per 2 digits, 3 bytes per list or map). */
export function valueSize(value: AttributeValue): number {
  if ("S" in value) return Buffer.byteLength(value.S, "utf8");
  if ("N" in value) return numberSize(value.N);
  if ("B" in value) return bytesOf(value.B, "B").length;
  if ("BOOL" in value || "NULL" in value) return 1;
  if ("SS" in value) return value.SS.reduce((sum, element) => sum + Buffer.byteLength(element, "utf8"), 0);
  if ("NS" in value) return value.NS.reduce((sum, element) => sum + numberSize(element), 0);
  if ("BS" in value) return value.BS.reduce((sum, element) => sum + bytesOf(element, "B").length, 0);
  if ("L" in value) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  return (
    3 +
    Object.entries(value.M).reduce(
      (sum, [name, element]) => sum + 1 + Buffer.byteLength(name) + valueSize(element),
      0,
    )
  );
}

/** An item's size: every attribute's name and value. */
export function itemSize(item: Item): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name, "utf8") + valueSize(value),
    0,
  );
}

/** The largest item DynamoDB stores: 400 KB. */
export const MAX_ITEM_BYTES = 400 * 1024;
