/**
 * Plain-language messages for zod's built-in checks. Fields with their own message (in the schema)
 * keep it; this covers the generic cases: wrong type, out of range, wrong literal.
 * Messages name the received type, never the value: a value may be a secret.
 */
import type { z } from "zod";

type RawIssue = z.core.$ZodRawIssue;

/** What a YAML value is, in the words of someone reading the file. */
export function describeValueKind(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  return `a ${typeof value}`;
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "a mapping (key: value)",
  array: "a list",
  record: "a mapping (key: value)",
};

/** The message for one zod issue, or undefined to keep zod's own. */
export function describeIssue(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type": {
      const expected = EXPECTED[String(issue.expected)] ?? String(issue.expected);
      if (issue.input === undefined) return `required: expected ${expected}`;
      return `expected ${expected}, got ${describeValueKind(issue.input)}`;
    }
    case "too_small":
      if (issue.origin === "string")
        return issue.minimum === 1 ? "must not be empty" : `at least ${issue.minimum} characters`;
      if (issue.origin === "array") return `at least ${issue.minimum} item${issue.minimum === 1 ? "" : "s"}`;
      return `must be ${issue.inclusive === false ? ">" : ">="} ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "string") return `at most ${issue.maximum} characters`;
      if (issue.origin === "array") return `at most ${issue.maximum} items`;
      return `must be ${issue.inclusive === false ? "<" : "<="} ${issue.maximum}`;
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
    case "invalid_format":
      return "has the wrong format";
    case "invalid_key":
      return issue.issues[0]?.message ?? "invalid key";
    case "invalid_union":
      return `expected one of the allowed forms, got ${describeValueKind(issue.input)}`;
    default:
      return undefined;
  }
}
