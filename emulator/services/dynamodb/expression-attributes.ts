/**
 * `ExpressionAttributeNames` and `ExpressionAttributeValues`: read and checked with AWS's messages,
 * resolved by the expressions of one request, and refused when one of them goes unused.
 */
import { type AttributeValue, type Item, readAttributeValue } from "./attribute-values.ts";
import { validation } from "./errors.ts";
import { ExpressionError, type ParsedPath } from "./expression-syntax.ts";
import { isReservedWord } from "./reserved-words.ts";

/** A path with its placeholders resolved: attribute names and list indexes. */
export type DocumentPath = (string | number)[];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Problems found while resolving an expression, kept by kind so the one AWS reports first wins
 * whatever order the walk met them in.
 */
export class ExpressionIssues {
  readonly #found = new Map<string, string>();

  add(kind: string, message: string): void {
    if (!this.#found.has(kind)) this.#found.set(kind, message);
  }

  /** Throws the first problem, by `order` of kinds. */
  throwFirst(order: readonly string[]): void {
    for (const kind of order) {
      const message = this.#found.get(kind);
      if (message !== undefined) throw new ExpressionError(message);
    }
  }
}

export class ExpressionAttributes {
  readonly #names: Record<string, string>;
  readonly #values: Item;
  readonly #unusedNames: Set<string>;
  readonly #unusedValues: Set<string>;

  constructor(names: Record<string, string>, values: Item) {
    this.#names = names;
    this.#values = values;
    this.#unusedNames = new Set(Object.keys(names));
    this.#unusedValues = new Set(Object.keys(values));
  }

  /** Resolves a written path; undefined placeholders and reserved words go to `issues`. */
  path(parsed: ParsedPath, issues: ExpressionIssues): DocumentPath {
    return parsed.elements.map((element) => {
      if (element.kind === "index") return element.index;
      if (element.kind === "identifier") {
        if (isReservedWord(element.name))
          issues.add("reserved", `Attribute name is a reserved keyword; reserved keyword: ${element.name}`);
        return element.name;
      }
      const name = this.#names[element.name];
      if (name === undefined) {
        issues.add(
          "undefined",
          `An expression attribute name used in the document path is not defined; attribute name: ${element.name}`,
        );
        return element.name;
      }
      this.#unusedNames.delete(element.name);
      return name;
    });
  }

  /** Resolves a `:value` placeholder. */
  value(placeholder: string, issues: ExpressionIssues): AttributeValue | undefined {
    const value = this.#values[placeholder];
    if (value === undefined) {
      issues.add(
        "undefined",
        `An expression attribute value used in expression is not defined; attribute value: ${placeholder}`,
      );
      return undefined;
    }
    this.#unusedValues.delete(placeholder);
    return value;
  }

  /** After every expression of the request is resolved: AWS refuses placeholders nothing used. */
  assertAllUsed(): void {
    if (this.#unusedNames.size > 0)
      throw validation(
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${[...this.#unusedNames].join(", ")}}`,
      );
    if (this.#unusedValues.size > 0)
      throw validation(
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${[...this.#unusedValues].join(", ")}}`,
      );
  }
}

/**
 * Reads both maps from a request. `expressions` are the request's expression parameters that are
 * present; `valueExpressions` those that may use values (all but ProjectionExpression).
 */
export function readExpressionAttributes(
  input: Record<string, unknown>,
  expressions: readonly string[],
  valueExpressionNames: readonly string[],
): ExpressionAttributes {
  const rawNames = input.ExpressionAttributeNames;
  const rawValues = input.ExpressionAttributeValues;
  const names: Record<string, string> = {};
  const values: Item = {};
  if (rawNames !== undefined && rawNames !== null) {
    if (!isRecord(rawNames)) throw validation("ExpressionAttributeNames must be a map");
    if (expressions.length === 0)
      throw validation("ExpressionAttributeNames can only be specified when using expressions");
    if (Object.keys(rawNames).length === 0) throw validation("ExpressionAttributeNames must not be empty");
    for (const [key, name] of Object.entries(rawNames)) {
      if (!/^#[A-Za-z0-9_]+$/.test(key))
        throw validation(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${key}"`);
      if (typeof name !== "string" || name === "")
        throw validation(
          `ExpressionAttributeNames contains invalid value: Empty attribute name for key ${key}`,
        );
      names[key] = name;
    }
  }
  if (rawValues !== undefined && rawValues !== null) {
    if (!isRecord(rawValues)) throw validation("ExpressionAttributeValues must be a map");
    const usingValues = expressions.filter((name) => name !== "ProjectionExpression");
    if (usingValues.length === 0) {
      const absent =
        valueExpressionNames.length === 0
          ? ""
          : `: ${valueExpressionNames.join(" and ")} ${valueExpressionNames.length > 1 ? "are" : "is"} null`;
      throw validation(`ExpressionAttributeValues can only be specified when using expressions${absent}`);
    }
    if (Object.keys(rawValues).length === 0) throw validation("ExpressionAttributeValues must not be empty");
    for (const [key, value] of Object.entries(rawValues)) {
      if (!/^:[A-Za-z0-9_]+$/.test(key))
        throw validation(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${key}"`);
      try {
        values[key] = readAttributeValue(value);
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        throw validation(`ExpressionAttributeValues contains invalid value: ${error.message} for key ${key}`);
      }
    }
  }
  return new ExpressionAttributes(names, values);
}
