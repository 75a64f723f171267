/**
 * Rule conditions. `path-pattern` and `host-header` take a single value in `Values` or a list in
 * their `*Config`; both forms are kept as one and read back in both, as AWS does. The other fields
 * are written and read through their `*Config` only.
 */
import type { Input, InputReader } from "../../protocols/input.ts";
import { optionalEnum, read, structures, validationError } from "./errors.ts";
import type { RuleCondition } from "./state.ts";

const FIELDS = [
  "http-header",
  "http-request-method",
  "host-header",
  "path-pattern",
  "query-string",
  "source-ip",
] as const;
type Field = (typeof FIELDS)[number];

const CONFIG_OF: Record<Field, string> = {
  "http-header": "HttpHeaderConfig",
  "http-request-method": "HttpRequestMethodConfig",
  "host-header": "HostHeaderConfig",
  "path-pattern": "PathPatternConfig",
  "query-string": "QueryStringConfig",
  "source-ip": "SourceIpConfig",
};

/** Fields a rule may hold once; `http-header` and `query-string` may repeat. */
const AT_MOST_ONCE: readonly Field[] = ["http-request-method", "host-header", "path-pattern", "source-ip"];
/** The Application Load Balancer quota on condition values per rule. */
const MAX_CONDITION_VALUES = 5;
const MAX_VALUE_LENGTH = 128;
const MAX_HEADER_NAME_LENGTH = 40;

/** The `Conditions` of a CreateRule or ModifyRule call, checked as a set. */
export function readConditions(conditions: Input[]): RuleCondition[] {
  if (conditions.length === 0) throw validationError("A rule must have at least one condition");
  const parsed = conditions.map(readCondition);
  for (const field of AT_MOST_ONCE) {
    if (parsed.filter((condition) => condition.field === field).length > 1)
      throw validationError(`A rule can have only one '${field}' condition`);
  }
  const values = parsed.reduce((total, condition) => total + valuesOf(condition).length, 0);
  if (values > MAX_CONDITION_VALUES)
    throw validationError(
      `A rule can have at most ${MAX_CONDITION_VALUES} condition values in total, not ${values}`,
    );
  return parsed;
}

function readCondition(condition: Input): RuleCondition {
  const args = read(condition);
  const field = optionalEnum(args, "Field", FIELDS);
  if (field === undefined) throw validationError("A condition field must be specified");
  if (args.has("RegexValues")) throw validationError("The emulator does not support RegexValues conditions");
  for (const other of FIELDS) {
    if (other !== field && args.has(CONFIG_OF[other]))
      throw validationError(`${CONFIG_OF[other]} can be specified only for '${other}' conditions`);
  }
  const config = args.optionalObject(CONFIG_OF[field]);
  const configArgs = config ? read(config) : undefined;
  if (configArgs?.has("RegexValues"))
    throw validationError("The emulator does not support RegexValues conditions");
  const plain = args.stringList("Values");
  if (field === "path-pattern" || field === "host-header") {
    if (plain.length > 0 && configArgs)
      throw validationError(`A '${field}' condition takes Values or ${CONFIG_OF[field]}, not both`);
    if (plain.length > 1)
      throw validationError(`Values takes a single '${field}' value; use ${CONFIG_OF[field]} for several`);
    return { field, values: checkedValues(configArgs ? configArgs.stringList("Values") : plain, field) };
  }
  if (plain.length > 0)
    throw validationError(`Values can be specified only for 'host-header' and 'path-pattern' conditions`);
  if (!configArgs) throw validationError(`A '${field}' condition needs ${CONFIG_OF[field]}`);
  switch (field) {
    case "http-header":
      return {
        field,
        headerName: headerName(configArgs),
        values: checkedValues(configArgs.stringList("Values"), field),
      };
    case "query-string":
      return { field, pairs: queryPairs(configArgs) };
    case "http-request-method": {
      const values = checkedValues(configArgs.stringList("Values"), field);
      const invalid = values.find((value) => !/^[A-Z_-]{1,40}$/.test(value));
      if (invalid !== undefined)
        throw validationError(
          `HTTP request method '${invalid}' may contain only A-Z, hyphens and underscores`,
        );
      return { field, values };
    }
    case "source-ip": {
      const values = checkedValues(configArgs.stringList("Values"), field);
      const invalid = values.find((value) => !/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(value));
      if (invalid !== undefined) throw validationError(`Source IP '${invalid}' is not a CIDR block`);
      return { field, values };
    }
  }
}

function checkedValues(values: string[], field: Field): string[] {
  if (values.length === 0) throw validationError(`A '${field}' condition needs at least one value`);
  const tooLong = values.find((value) => value.length === 0 || value.length > MAX_VALUE_LENGTH);
  if (tooLong !== undefined)
    throw validationError(`Condition values must be 1 to ${MAX_VALUE_LENGTH} characters long`);
  return values;
}

function headerName(config: InputReader): string {
  const name = config.optionalString("HttpHeaderName");
  if (name === undefined) throw validationError("An 'http-header' condition needs an HttpHeaderName");
  // RFC 7230 token characters; the host header has its own condition.
  if (name.length > MAX_HEADER_NAME_LENGTH || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
    throw validationError(`HTTP header name '${name}' is not a valid header name of at most 40 characters`);
  if (name.toLowerCase() === "host")
    throw validationError("Use a 'host-header' condition to match the host header");
  return name;
}

function queryPairs(config: InputReader): { key: string | undefined; value: string }[] {
  const pairs = structures(config, "Values").map((pair) => {
    const pairArgs = read(pair);
    const value = pairArgs.optionalString("Value");
    if (value === undefined) throw validationError("Each query-string condition value needs a Value");
    return { key: pairArgs.optionalString("Key"), value };
  });
  if (pairs.length === 0) throw validationError("A 'query-string' condition needs at least one value");
  return pairs;
}

const valuesOf = (condition: RuleCondition): unknown[] =>
  "pairs" in condition ? condition.pairs : condition.values;

/** A condition as DescribeRules shows it. */
export function describeCondition(condition: RuleCondition) {
  const Field = condition.field;
  switch (condition.field) {
    case "path-pattern":
      return { Field, Values: condition.values, PathPatternConfig: { Values: condition.values } };
    case "host-header":
      return { Field, Values: condition.values, HostHeaderConfig: { Values: condition.values } };
    case "http-header":
      return {
        Field,
        HttpHeaderConfig: { HttpHeaderName: condition.headerName, Values: condition.values },
      };
    case "http-request-method":
      return { Field, HttpRequestMethodConfig: { Values: condition.values } };
    case "source-ip":
      return { Field, SourceIpConfig: { Values: condition.values } };
    case "query-string":
      return {
        Field,
        QueryStringConfig: { Values: condition.pairs.map(({ key, value }) => ({ Key: key, Value: value })) },
      };
  }
}
