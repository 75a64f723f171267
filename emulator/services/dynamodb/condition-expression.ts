/**
 * Condition expressions (ConditionExpression, FilterExpression, KeyConditionExpression): a recursive
 * descent parser over the shared tokens, then a resolving pass that substitutes placeholders and
 * reports problems in the order DynamoDB does. Precedence, loosest first: OR, AND, NOT, then
 * comparisons, BETWEEN, IN and functions; parentheses group.
 */
import {
  ATTRIBUTE_TYPES,
  type AttributeType,
  type AttributeValue,
  compareScalars,
  typeOf,
} from "./attribute-values.ts";
import { type DocumentPath, type ExpressionAttributes, ExpressionIssues } from "./expression-attributes.ts";
import { Cursor, formatPath, type ParsedOperand, parsePlainOperand } from "./expression-syntax.ts";

export type Comparator = "=" | "<>" | "<" | "<=" | ">" | ">=";

/** An operand with its placeholders resolved. */
export type Operand =
  | { kind: "path"; path: DocumentPath }
  | { kind: "value"; value: AttributeValue }
  | { kind: "size"; operand: Operand };

export type Condition =
  | { kind: "compare"; comparator: Comparator; left: Operand; right: Operand }
  | { kind: "between"; operand: Operand; low: Operand; high: Operand }
  | { kind: "in"; operand: Operand; candidates: Operand[] }
  | { kind: "attribute_exists" | "attribute_not_exists"; operand: Operand }
  | { kind: "attribute_type"; operand: Operand; type: Operand }
  | { kind: "begins_with" | "contains"; left: Operand; right: Operand }
  | { kind: "and" | "or"; left: Condition; right: Condition }
  | { kind: "not"; condition: Condition };

type ParsedNode =
  | ParsedOperand
  | { kind: "compare"; comparator: Comparator; left: ParsedOperand; right: ParsedOperand }
  | { kind: "between"; operand: ParsedOperand; low: ParsedOperand; high: ParsedOperand }
  | { kind: "in"; operand: ParsedOperand; candidates: ParsedOperand[] }
  | { kind: "and" | "or"; left: ParsedNode; right: ParsedNode }
  | { kind: "not"; condition: ParsedNode };

const COMPARATORS = new Set<string>(["=", "<>", "<", "<=", ">", ">="]);
const FUNCTION_ARITY: Record<string, number> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
};
/** DynamoDB allows up to 100 values in an IN list. */
const MAX_IN_OPERANDS = 100;
/** The order in which DynamoDB reports a condition's problems when it has several. */
const ISSUE_ORDER = [
  "parens",
  "unknownFunction",
  "misusedFunction",
  "reserved",
  "undefined",
  "operandCount",
  "distinct",
  "operandType",
];

const isOperand = (node: ParsedNode): node is ParsedOperand =>
  node.kind === "path" || node.kind === "value" || node.kind === "call";

class ConditionParser {
  readonly cursor: Cursor;
  /** Nodes already wrapped in parentheses: a second pair is "redundant parentheses". */
  readonly #parenthesized = new WeakSet<object>();
  redundantParentheses = false;

  constructor(source: string) {
    this.cursor = new Cursor(source);
  }

  parse(): ParsedNode {
    const node = this.#asCondition(this.#or());
    this.cursor.expectEnd();
    return node;
  }

  /** A path or a value where a condition belongs is a syntax error at the current token. */
  #asCondition(node: ParsedNode): ParsedNode {
    if (node.kind === "path" || node.kind === "value") throw this.cursor.fail();
    return node;
  }

  #asOperand(node: ParsedNode): ParsedOperand {
    if (!isOperand(node)) throw this.cursor.fail();
    return node;
  }

  #or(): ParsedNode {
    let left = this.#and();
    while (this.cursor.isKeyword("OR")) {
      left = this.#asCondition(left);
      this.cursor.advance();
      left = { kind: "or", left, right: this.#asCondition(this.#and()) };
    }
    return left;
  }

  #and(): ParsedNode {
    let left = this.#not();
    while (this.cursor.isKeyword("AND")) {
      left = this.#asCondition(left);
      this.cursor.advance();
      left = { kind: "and", left, right: this.#asCondition(this.#not()) };
    }
    return left;
  }

  #not(): ParsedNode {
    if (!this.cursor.isKeyword("NOT")) return this.#comparison();
    this.cursor.advance();
    return { kind: "not", condition: this.#asCondition(this.#not()) };
  }

  #comparison(): ParsedNode {
    const left = this.#unary();
    const token = this.cursor.current;
    if (token.kind === "symbol" && COMPARATORS.has(token.text)) {
      const operand = this.#asOperand(left);
      this.cursor.advance();
      return { kind: "compare", comparator: token.text as Comparator, left: operand, right: this.#operand() };
    }
    if (this.cursor.isKeyword("BETWEEN")) {
      const operand = this.#asOperand(left);
      this.cursor.advance();
      const low = this.#operand();
      if (!this.cursor.isKeyword("AND")) throw this.cursor.fail();
      this.cursor.advance();
      return { kind: "between", operand, low, high: this.#operand() };
    }
    if (this.cursor.isKeyword("IN")) {
      const operand = this.#asOperand(left);
      this.cursor.advance();
      this.cursor.expectSymbol("(");
      const candidates = [this.#operand()];
      while (this.cursor.acceptSymbol(",")) candidates.push(this.#operand());
      this.cursor.expectSymbol(")");
      return { kind: "in", operand, candidates };
    }
    return left;
  }

  #operand(): ParsedOperand {
    return this.#asOperand(this.#unary());
  }

  /** A parenthesised condition or operand, or a plain operand. */
  #unary(): ParsedNode {
    if (!this.cursor.acceptSymbol("(")) return parsePlainOperand(this.cursor, () => this.#operand());
    const inner = this.#or();
    this.cursor.expectSymbol(")");
    if (this.#parenthesized.has(inner)) this.redundantParentheses = true;
    this.#parenthesized.add(inner);
    return inner;
  }
}

/** Resolves a parsed condition against the request's placeholders, collecting problems as it goes. */
class ConditionResolver {
  readonly #attributes: ExpressionAttributes;
  readonly issues = new ExpressionIssues();

  constructor(attributes: ExpressionAttributes) {
    this.#attributes = attributes;
  }

  condition(node: ParsedNode): Condition {
    switch (node.kind) {
      case "and":
      case "or":
        return { kind: node.kind, left: this.condition(node.left), right: this.condition(node.right) };
      case "not":
        return { kind: "not", condition: this.condition(node.condition) };
      case "compare": {
        const left = this.operand(node.left);
        const right = this.operand(node.right);
        this.#checkDistinct(node.comparator, [left, right]);
        return { kind: "compare", comparator: node.comparator, left, right };
      }
      case "between": {
        const low = this.operand(node.low);
        const high = this.operand(node.high);
        this.#checkBounds(low, high);
        return { kind: "between", operand: this.operand(node.operand), low, high };
      }
      case "in":
        if (node.candidates.length > MAX_IN_OPERANDS)
          this.issues.add(
            "operandCount",
            `Too many operands for operator or function; operator or function: IN, number of operands: ${node.candidates.length}`,
          );
        return {
          kind: "in",
          operand: this.operand(node.operand),
          candidates: node.candidates.map((candidate) => this.operand(candidate)),
        };
      case "call":
        return this.#functionCondition(node.name, node.args);
      default:
        // The parser lets no bare path or value through to a condition position.
        throw new Error(`unexpected ${node.kind} in condition position`);
    }
  }

  operand(node: ParsedOperand): Operand {
    if (node.kind === "path") return { kind: "path", path: this.#attributes.path(node, this.issues) };
    if (node.kind === "value") {
      const value = this.#attributes.value(node.name, this.issues);
      return { kind: "value", value: value ?? { NULL: true } };
    }
    if (node.name !== "size") {
      this.issues.add(
        node.name in FUNCTION_ARITY ? "misusedFunction" : "unknownFunction",
        node.name in FUNCTION_ARITY
          ? `The function is not allowed to be used this way in an expression; function: ${node.name}`
          : `Invalid function name; function: ${node.name}`,
      );
      return { kind: "value", value: { NULL: true } };
    }
    const args = node.args.map((arg) => this.operand(arg));
    this.#checkArity("size", args);
    const [operand = { kind: "value", value: { NULL: true } }] = args;
    if (operand.kind === "value" && ["N", "BOOL", "NULL"].includes(typeOf(operand.value)))
      this.#wrongType("size", typeOf(operand.value));
    return { kind: "size", operand };
  }

  #functionCondition(name: string, argNodes: ParsedOperand[]): Condition {
    const always: Condition = { kind: "attribute_exists", operand: { kind: "value", value: { NULL: true } } };
    if (!(name in FUNCTION_ARITY)) {
      this.issues.add("unknownFunction", `Invalid function name; function: ${name}`);
      return always;
    }
    if (name === "size") {
      this.issues.add(
        "misusedFunction",
        "The function is not allowed to be used this way in an expression; function: size",
      );
      return always;
    }
    const args = argNodes.map((arg) => this.operand(arg));
    if (!this.#checkArity(name, args)) return always;
    const [first, second] = args as [Operand, Operand];
    switch (name) {
      case "attribute_exists":
      case "attribute_not_exists":
        if (first.kind !== "path")
          this.issues.add(
            "operandType",
            `Operator or function requires a document path; operator or function: ${name}`,
          );
        return { kind: name, operand: first };
      case "attribute_type":
        this.#checkDistinct(name, args);
        if (second.kind !== "value" || !("S" in second.value)) {
          this.#wrongType(
            name,
            second.kind === "value" ? typeOf(second.value) : "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}",
          );
        } else if (!ATTRIBUTE_TYPES.includes(second.value.S as AttributeType)) {
          this.issues.add(
            "operandType",
            `Invalid attribute type name found; type: ${second.value.S}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`,
          );
        }
        return { kind: "attribute_type", operand: first, type: second };
      default: {
        this.#checkDistinct(name, args);
        if (name === "begins_with") {
          for (const arg of args) {
            if (arg.kind === "value" && !("S" in arg.value) && !("B" in arg.value))
              this.#wrongType(name, typeOf(arg.value));
          }
        }
        return { kind: name as "begins_with" | "contains", left: first, right: second };
      }
    }
  }

  #checkArity(name: string, args: Operand[]): boolean {
    if (args.length === FUNCTION_ARITY[name]) return true;
    this.issues.add(
      "operandCount",
      `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`,
    );
    return false;
  }

  #wrongType(name: string, type: string): void {
    this.issues.add(
      "operandType",
      `Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${type}`,
    );
  }

  /** `a = a`: AWS refuses an operator whose operands are the same path. */
  #checkDistinct(operator: string, [first, second]: Operand[]): void {
    if (first?.kind !== "path" || second?.kind !== "path") return;
    if (
      first.path.length !== second.path.length ||
      first.path.some((step, index) => step !== second.path[index])
    )
      return;
    this.issues.add(
      "distinct",
      `The first operand must be distinct from the remaining operands for this operator or function; operator: ${operator}, first operand: ${formatPath(first.path)}`,
    );
  }

  #checkBounds(low: Operand, high: Operand): void {
    if (low.kind !== "value" || high.kind !== "value") return;
    const show = (value: AttributeValue) => `AttributeValue: {${typeOf(value)}:${Object.values(value)[0]}}`;
    const bounds = `lower bound operand: ${show(low.value)}, upper bound operand: ${show(high.value)}`;
    if (typeOf(low.value) !== typeOf(high.value))
      this.issues.add(
        "operandType",
        `The BETWEEN operator requires same data type for lower and upper bounds; ${bounds}`,
      );
    else if ((compareScalars(low.value, high.value) ?? 0) > 0)
      this.issues.add(
        "operandType",
        `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ${bounds}`,
      );
  }
}

/** Parses and resolves a condition; throws ExpressionError with AWS's message (without the "Invalid …:" prefix). */
export function parseCondition(source: string, attributes: ExpressionAttributes): Condition {
  const parser = new ConditionParser(source);
  const parsed = parser.parse();
  const resolver = new ConditionResolver(attributes);
  if (parser.redundantParentheses) resolver.issues.add("parens", "The expression has redundant parentheses;");
  const condition = resolver.condition(parsed);
  resolver.issues.throwFirst(ISSUE_ORDER);
  return condition;
}
