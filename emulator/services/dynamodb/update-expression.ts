/**
 * Update expressions: `SET a = :v, b = b + :one, c = if_not_exists(c, :zero), d = list_append(d, :l)`,
 * `REMOVE a, b[0]`, `ADD n :inc` (numbers and sets), `DELETE s :members`. Parsed and resolved like
 * conditions, then applied to a copy of the item, every right-hand side read from the item as it was
 * before the update, as DynamoDB does.
 */
import { type AttributeValue, type Item, typeOf } from "./attribute-values.ts";
import { removeValueAt, setValueAt, valueAt } from "./document-paths.ts";
import { validation } from "./errors.ts";
import { type DocumentPath, type ExpressionAttributes, ExpressionIssues } from "./expression-attributes.ts";
import {
  Cursor,
  formatPath,
  type ParsedOperand,
  type ParsedPath,
  parsePath,
  parsePlainOperand,
} from "./expression-syntax.ts";
import { addDecimals, decimalLimitProblem, decimalOf, formatDecimal, subtractDecimals } from "./numbers.ts";

export type UpdateOperand =
  | { kind: "path"; path: DocumentPath }
  | { kind: "value"; value: AttributeValue }
  | { kind: "if_not_exists"; path: DocumentPath; fallback: UpdateOperand }
  | { kind: "list_append"; left: UpdateOperand; right: UpdateOperand };

export type SetValue =
  | { kind: "operand"; operand: UpdateOperand }
  | { kind: "+" | "-"; left: UpdateOperand; right: UpdateOperand };

export type UpdateAction =
  | { kind: "SET"; path: DocumentPath; value: SetValue }
  | { kind: "REMOVE"; path: DocumentPath }
  | { kind: "ADD" | "DELETE"; path: DocumentPath; value: AttributeValue };

export interface UpdateExpression {
  actions: UpdateAction[];
}

type SectionName = "SET" | "REMOVE" | "ADD" | "DELETE";
const SECTIONS = new Set<string>(["SET", "REMOVE", "ADD", "DELETE"]);

type ParsedSetValue =
  | { kind: "operand"; operand: ParsedOperand }
  | { kind: "+" | "-"; left: ParsedOperand; right: ParsedOperand };

type ParsedAction =
  | { kind: "SET"; path: ParsedPath; value: ParsedSetValue }
  | { kind: "REMOVE"; path: ParsedPath }
  | { kind: "ADD" | "DELETE"; path: ParsedPath; value: string };

/** The order in which DynamoDB reports an update expression's problems when it has several. */
const ISSUE_ORDER = [
  "reserved",
  "unknownFunction",
  "section",
  "undefined",
  "pathOverlap",
  "pathConflict",
  "operandType",
  "function",
];

const TYPE_WORDS: Partial<Record<string, string>> = {
  S: "STRING",
  N: "NUMBER",
  B: "BINARY",
  NULL: "NULL",
  BOOL: "BOOLEAN",
  L: "LIST",
  M: "MAP",
};

function parseActions(source: string): { actions: ParsedAction[]; repeated: SectionName | undefined } {
  const cursor = new Cursor(source);
  const actions: ParsedAction[] = [];
  const seen = new Set<SectionName>();
  let repeated: SectionName | undefined;
  const operand = (): ParsedOperand => parsePlainOperand(cursor, operand);
  do {
    const token = cursor.current;
    if (token.kind !== "identifier" || !SECTIONS.has(token.text.toUpperCase())) throw cursor.fail();
    cursor.advance();
    const section = token.text.toUpperCase() as SectionName;
    if (seen.has(section)) repeated ??= section;
    seen.add(section);
    do {
      const path = parsePath(cursor);
      if (section === "REMOVE") actions.push({ kind: "REMOVE", path });
      else if (section === "SET") {
        cursor.expectSymbol("=");
        const left = operand();
        const sign = cursor.isSymbol("+") ? "+" : cursor.isSymbol("-") ? "-" : undefined;
        if (sign) cursor.advance();
        const value: ParsedSetValue = sign
          ? { kind: sign, left, right: operand() }
          : { kind: "operand", operand: left };
        actions.push({ kind: "SET", path, value });
      } else {
        if (cursor.current.kind !== "value") throw cursor.fail();
        actions.push({ kind: section, path, value: cursor.advance().text });
      }
    } while (cursor.acceptSymbol(","));
  } while (cursor.current.kind !== "eof");
  return { actions, repeated };
}

class UpdateResolver {
  readonly #attributes: ExpressionAttributes;
  readonly issues = new ExpressionIssues();

  constructor(attributes: ExpressionAttributes) {
    this.#attributes = attributes;
  }

  path(parsed: ParsedPath): DocumentPath {
    return this.#attributes.path(parsed, this.issues);
  }

  value(placeholder: string): AttributeValue {
    return this.#attributes.value(placeholder, this.issues) ?? { NULL: true };
  }

  operand(node: ParsedOperand): UpdateOperand {
    if (node.kind === "path") return { kind: "path", path: this.path(node) };
    if (node.kind === "value") return { kind: "value", value: this.value(node.name) };
    const args = node.args.map((arg) => this.operand(arg));
    if (node.name !== "if_not_exists" && node.name !== "list_append") {
      this.issues.add("unknownFunction", `Invalid function name; function: ${node.name}`);
      return { kind: "value", value: { NULL: true } };
    }
    const [left, right] = args as [UpdateOperand, UpdateOperand];
    if (args.length !== 2) {
      this.issues.add(
        "function",
        `Incorrect number of operands for operator or function; operator or function: ${node.name}, number of operands: ${args.length}`,
      );
      return { kind: "value", value: { NULL: true } };
    }
    if (node.name === "if_not_exists") {
      if (left.kind !== "path") {
        this.issues.add(
          "function",
          "Operator or function requires a document path; operator or function: if_not_exists",
        );
        return right;
      }
      return { kind: "if_not_exists", path: left.path, fallback: right };
    }
    this.#literalsOfType("list_append", [left, right], "L");
    return { kind: "list_append", left, right };
  }

  #literalsOfType(operator: string, operands: UpdateOperand[], type: string): void {
    for (const operand of operands) {
      if (operand.kind === "value" && typeOf(operand.value) !== type)
        this.issues.add(
          "function",
          `Incorrect operand type for operator or function; operator or function: ${operator}, operand type: ${typeOf(operand.value)}`,
        );
    }
  }

  action(parsed: ParsedAction): UpdateAction {
    const path = this.path(parsed.path);
    if (parsed.kind === "REMOVE") return { kind: "REMOVE", path };
    if (parsed.kind === "SET") {
      const value = parsed.value;
      if (value.kind === "operand")
        return { kind: "SET", path, value: { kind: "operand", operand: this.operand(value.operand) } };
      const left = this.operand(value.left);
      const right = this.operand(value.right);
      this.#literalsOfType(value.kind, [left, right], "N");
      return { kind: "SET", path, value: { kind: value.kind, left, right } };
    }
    const literal = this.value(parsed.value);
    const type = typeOf(literal);
    const allowed = parsed.kind === "ADD" ? ["N", "SS", "NS", "BS"] : ["SS", "NS", "BS"];
    if (!allowed.includes(type))
      this.issues.add(
        "operandType",
        `Incorrect operand type for operator or function; operator: ${parsed.kind}, operand type: ${TYPE_WORDS[type] ?? type}`,
      );
    return { kind: parsed.kind, path, value: literal };
  }

  /** Two actions on the same path, or on a path and one inside it, are refused. */
  checkOverlaps(paths: DocumentPath[]): void {
    for (const [index, second] of paths.entries()) {
      for (const first of paths.slice(0, index)) {
        const shared = Math.min(first.length, second.length);
        let diverged = false;
        for (let step = 0; step < shared; step++) {
          if (typeof first[step] !== typeof second[step]) {
            this.issues.add(
              "pathConflict",
              `Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ${formatPath(first)}, path two: ${formatPath(second)}`,
            );
            diverged = true;
            break;
          }
          if (first[step] !== second[step]) {
            diverged = true;
            break;
          }
        }
        if (!diverged)
          this.issues.add(
            "pathOverlap",
            `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${formatPath(first)}, path two: ${formatPath(second)}`,
          );
      }
    }
  }
}

/** Parses and resolves an update expression; throws ExpressionError with AWS's message. */
export function parseUpdate(source: string, attributes: ExpressionAttributes): UpdateExpression {
  const { actions: parsed, repeated } = parseActions(source);
  const resolver = new UpdateResolver(attributes);
  if (repeated)
    resolver.issues.add(
      "section",
      `The "${repeated}" section can only be used once in an update expression;`,
    );
  const actions = parsed.map((action) => resolver.action(action));
  resolver.checkOverlaps(actions.map((action) => action.path));
  resolver.issues.throwFirst(ISSUE_ORDER);
  return { actions };
}

const INCORRECT_TYPE = "An operand in the update expression has an incorrect data type";
const INVALID_PATH = "The document path provided in the update expression is invalid for update";

function evaluate(operand: UpdateOperand, old: Item): AttributeValue {
  switch (operand.kind) {
    case "value":
      return operand.value;
    case "path": {
      const value = valueAt(old, operand.path);
      if (value === undefined)
        throw validation("The provided expression refers to an attribute that does not exist in the item");
      return value;
    }
    case "if_not_exists":
      return valueAt(old, operand.path) ?? evaluate(operand.fallback, old);
    case "list_append": {
      const left = evaluate(operand.left, old);
      const right = evaluate(operand.right, old);
      if (!("L" in left) || !("L" in right)) throw validation(INCORRECT_TYPE);
      return { L: [...left.L, ...right.L] };
    }
  }
}

function checkedNumber(value: ReturnType<typeof addDecimals>): AttributeValue {
  const problem = decimalLimitProblem(value);
  if (problem) throw validation(problem);
  return { N: formatDecimal(value) };
}

function setValue(value: SetValue, old: Item): AttributeValue {
  if (value.kind === "operand") return evaluate(value.operand, old);
  const left = evaluate(value.left, old);
  const right = evaluate(value.right, old);
  if (!("N" in left) || !("N" in right)) throw validation(INCORRECT_TYPE);
  const combine = value.kind === "+" ? addDecimals : subtractDecimals;
  return checkedNumber(combine(decimalOf(left.N), decimalOf(right.N)));
}

type SetType = "SS" | "NS" | "BS";
const membersOf = (value: AttributeValue, type: SetType): string[] =>
  (value as Record<SetType, string[]>)[type];
const sameMember = (type: SetType, a: string, b: string): boolean =>
  type === "NS" ? formatDecimal(decimalOf(a)) === formatDecimal(decimalOf(b)) : a === b;

function added(existing: AttributeValue | undefined, operand: AttributeValue): AttributeValue {
  if (existing === undefined) return structuredClone(operand);
  if ("N" in operand) {
    if (!("N" in existing)) throw validation(INCORRECT_TYPE);
    return checkedNumber(addDecimals(decimalOf(existing.N), decimalOf(operand.N)));
  }
  const type = typeOf(operand) as SetType;
  if (typeOf(existing) !== type) throw validation(INCORRECT_TYPE);
  const members = [...membersOf(existing, type)];
  for (const member of membersOf(operand, type))
    if (!members.some((present) => sameMember(type, present, member))) members.push(member);
  return { [type]: members } as AttributeValue;
}

function deleted(existing: AttributeValue, operand: AttributeValue): AttributeValue | undefined {
  const type = typeOf(operand) as SetType;
  if (typeOf(existing) !== type) throw validation(INCORRECT_TYPE);
  const removing = membersOf(operand, type);
  const members = membersOf(existing, type).filter(
    (member) => !removing.some((gone) => sameMember(type, gone, member)),
  );
  return members.length === 0 ? undefined : ({ [type]: members } as AttributeValue);
}

/** Applies an update to a copy of `old` (an empty item for a new key) and returns the new item. */
export function applyUpdate(update: UpdateExpression, old: Item): Item {
  const next = structuredClone(old);
  for (const action of update.actions) {
    let written = true;
    switch (action.kind) {
      case "SET":
        written = setValueAt(next, action.path, structuredClone(setValue(action.value, old)));
        break;
      case "REMOVE":
        written = removeValueAt(next, action.path);
        break;
      case "ADD":
        written = setValueAt(next, action.path, added(valueAt(old, action.path), action.value));
        break;
      case "DELETE": {
        const existing = valueAt(old, action.path);
        if (existing === undefined) break;
        const remaining = deleted(existing, action.value);
        written = remaining ? setValueAt(next, action.path, remaining) : removeValueAt(next, action.path);
        break;
      }
    }
    if (!written) throw validation(INVALID_PATH);
  }
  return next;
}
