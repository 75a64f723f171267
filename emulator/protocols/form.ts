/**
 * Decodes the form bodies of awsQuery (ELBv2) and ec2Query (EC2) into plain nested values:
 * `Subnets.member.1=a&Subnets.member.2=b` → `{ Subnets: ["a", "b"] }`,
 * `Filter.1.Name=vpc-id&Filter.1.Value.1=v` → `{ Filter: [{ Name: "vpc-id", Value: ["v"] }] }`.
 * Scalars stay strings (the wire has no types); handlers read them with the helpers in `input.ts`.
 */
import { AwsError } from "../errors.ts";

export type FormValue = string | FormValue[] | { [key: string]: FormValue };

/** Object keys that would reach the prototype chain are refused, never assigned. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export function decodeForm(body: string): Record<string, FormValue> {
  const root: Record<string, unknown> = Object.create(null);
  for (const [key, value] of new URLSearchParams(body)) {
    const segments = key.split(".");
    let node = root;
    segments.forEach((segment, index) => {
      if (segment === "" || FORBIDDEN_KEYS.has(segment)) {
        throw new AwsError("MalformedQueryString", `invalid parameter name: ${key}`);
      }
      if (index === segments.length - 1) {
        node[segment] = value;
        return;
      }
      const next = node[segment];
      if (typeof next === "string")
        throw new AwsError("MalformedQueryString", `conflicting parameters: ${key}`);
      node[segment] ??= Object.create(null);
      node = node[segment] as Record<string, unknown>;
    });
  }
  return normalize(root) as Record<string, FormValue>;
}

/** Numbered keys become arrays; awsQuery's `member` wrapper disappears. */
function normalize(node: unknown): FormValue {
  if (typeof node === "string") return node;
  const object = node as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && keys[0] === "member") return normalize(object.member);
  if (keys.length > 0 && keys.every((key) => /^[1-9]\d*$/.test(key))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((index) => normalize(object[String(index)]));
  }
  const result: Record<string, FormValue> = {};
  for (const key of keys) result[key] = normalize(object[key]);
  return result;
}
