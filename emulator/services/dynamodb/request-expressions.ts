/**
 * The expressions of one request, compiled together: they share ExpressionAttributeNames and
 * ExpressionAttributeValues, and a placeholder none of them uses is an error.
 */
import { type Condition, parseCondition } from "./condition-expression.ts";
import { validation } from "./errors.ts";
import { type DocumentPath, readExpressionAttributes } from "./expression-attributes.ts";
import { ExpressionError, operatorCount } from "./expression-syntax.ts";
import { parseProjection } from "./projection-expression.ts";
import { parseUpdate, type UpdateExpression } from "./update-expression.ts";

export type ExpressionParameter =
  | "UpdateExpression"
  | "ConditionExpression"
  | "KeyConditionExpression"
  | "FilterExpression"
  | "ProjectionExpression";

export interface RequestExpressions {
  update?: UpdateExpression;
  condition?: Condition;
  keyCondition?: Condition;
  filter?: Condition;
  projection?: DocumentPath[];
}

/** "The maximum length of any expression string is 4 KB" (DynamoDB limits). */
const MAX_EXPRESSION_BYTES = 4096;
/** "The maximum number of operators or functions allowed in an … expression is 300." */
const MAX_OPERATORS = 300;

/** Pre-expression parameters; the emulator speaks expressions only. */
const LEGACY_PARAMETERS: Record<string, string> = {
  Expected: "ConditionExpression",
  ConditionalOperator: "ConditionExpression or FilterExpression",
  AttributeUpdates: "UpdateExpression",
  AttributesToGet: "ProjectionExpression",
  ScanFilter: "FilterExpression",
  QueryFilter: "FilterExpression",
  KeyConditions: "KeyConditionExpression",
};

function compile<T>(parameter: ExpressionParameter, source: unknown, parse: (source: string) => T): T {
  if (typeof source !== "string") throw validation(`Invalid ${parameter}: it must be a string`);
  if (source.trim() === "") throw validation(`Invalid ${parameter}: The expression can not be empty;`);
  const size = Buffer.byteLength(source, "utf8");
  if (size > MAX_EXPRESSION_BYTES)
    throw validation(
      `Invalid ${parameter}: Expression size has exceeded the maximum allowed size; expression size: ${size}`,
    );
  const operators = operatorCount(source);
  if (operators > MAX_OPERATORS)
    throw validation(
      `Invalid ${parameter}: The expression contains too many operators; operator count: ${operators}`,
    );
  try {
    return parse(source);
  } catch (error) {
    if (error instanceof ExpressionError) throw validation(`Invalid ${parameter}: ${error.message}`);
    throw error;
  }
}

/** Compiles the `accepted` expression parameters present in `input`, in the order DynamoDB checks them. */
export function compileExpressions(
  input: Record<string, unknown>,
  accepted: readonly ExpressionParameter[],
): RequestExpressions {
  for (const [legacy, instead] of Object.entries(LEGACY_PARAMETERS)) {
    if (input[legacy] !== undefined && input[legacy] !== null)
      throw validation(`The legacy parameter ${legacy} is not emulated; use ${instead}`);
  }
  const present = accepted.filter((name) => input[name] !== undefined && input[name] !== null);
  const attributes = readExpressionAttributes(
    input,
    present,
    accepted.filter((name) => name !== "ProjectionExpression"),
  );
  const has = (name: ExpressionParameter) => present.includes(name);
  const expressions: RequestExpressions = {};
  if (has("UpdateExpression"))
    expressions.update = compile("UpdateExpression", input.UpdateExpression, (source) =>
      parseUpdate(source, attributes),
    );
  if (has("ConditionExpression"))
    expressions.condition = compile("ConditionExpression", input.ConditionExpression, (source) =>
      parseCondition(source, attributes),
    );
  if (has("KeyConditionExpression"))
    expressions.keyCondition = compile("KeyConditionExpression", input.KeyConditionExpression, (source) =>
      parseCondition(source, attributes),
    );
  if (has("FilterExpression"))
    expressions.filter = compile("FilterExpression", input.FilterExpression, (source) =>
      parseCondition(source, attributes),
    );
  if (has("ProjectionExpression"))
    expressions.projection = compile("ProjectionExpression", input.ProjectionExpression, (source) =>
      parseProjection(source, attributes),
    );
  attributes.assertAllUsed();
  return expressions;
}
