import { describe, expect, it } from "vitest";
import type { Item } from "./attribute-values.ts";
import { parseCondition } from "./condition-expression.ts";
import { evaluateCondition } from "./evaluate-condition.ts";
import { ExpressionAttributes } from "./expression-attributes.ts";
import { ExpressionError } from "./expression-syntax.ts";

const ITEM: Item = {
  pk: { S: "web" },
  leaseOwner: { S: "a" },
  leaseCounter: { N: "5" },
  tags: { SS: ["x", "y"] },
  nested: { M: { parts: { L: [{ N: "1" }, { S: "two" }] } } },
  flag: { BOOL: true },
};

const VALUES: Item = {
  ":a": { S: "a" },
  ":x": { S: "x" },
  ":we": { S: "we" },
  ":e": { S: "e" },
  ":five": { N: "5" },
  ":fiveText": { S: "5" },
  ":six": { N: "6" },
  ":one": { N: "1" },
  ":two": { N: "2" },
  ":twoText": { S: "two" },
  ":true": { BOOL: true },
  ":false": { BOOL: false },
  ":N": { S: "N" },
  ":SS": { S: "SS" },
  ":bad": { S: "X" },
};

const parse = (expression: string) =>
  parseCondition(expression, new ExpressionAttributes({ "#o": "leaseOwner", "#n": "nested" }, VALUES));
const holds = (expression: string, item: Item | undefined) => evaluateCondition(parse(expression), item);

describe("evaluating conditions", () => {
  it.each([
    ["leaseOwner = :a", true, "equal strings"],
    ["leaseOwner <> :a", false, "<> of equal values"],
    ["absent = :a", false, "an absent attribute equals nothing"],
    ["absent <> :a", true, "an absent attribute differs from everything"],
    ["leaseCounter = :fiveText", false, "a number never equals a string"],
    ["leaseCounter < :six", true, "numbers order numerically"],
    ["leaseCounter < :x", false, "ordering across types is false, not an error"],
    ["flag < :true", false, "booleans have no order"],
    ["leaseCounter BETWEEN :five AND :six", true, "BETWEEN is inclusive"],
    ["leaseCounter BETWEEN :one AND :two", false, "outside the range"],
    ["leaseOwner IN (:x, :a)", true, "IN matches any candidate"],
    ["absent IN (:x, :a)", false, "an absent attribute is in no list"],
    ["attribute_exists(pk)", true, "the key exists"],
    ["attribute_not_exists(pk)", false, "so it is not absent"],
    ["attribute_not_exists(absent)", true, "an absent attribute"],
    ["attribute_type(leaseCounter, :N)", true, "a number is N"],
    ["attribute_type(tags, :SS)", true, "a string set is SS"],
    ["begins_with(pk, :we)", true, "string prefix"],
    ["contains(pk, :e)", true, "substring of a string"],
    ["contains(tags, :x)", true, "member of a set"],
    ["contains(nested.parts, :one)", true, "element of a list, by value"],
    ["size(tags) = :two", true, "size of a set is its member count"],
    ["size(absent) = :two", false, "size of nothing is nothing"],
    ["nested.parts[1] = :twoText", true, "a nested path with a list index"],
    ["#n.parts[0] = :one", true, "a name placeholder as the first step"],
    ["#o = :a", true, "a name placeholder stands for the attribute"],
    ["NOT leaseOwner = :a", false, "NOT negates"],
    ["leaseOwner = :x OR leaseCounter = :five", true, "OR needs one side"],
    ["leaseOwner = :x OR leaseCounter = :five AND flag = :false", false, "AND binds tighter than OR"],
    ["(leaseOwner = :x OR leaseCounter = :five) AND flag = :true", true, "parentheses group"],
    [
      "not leaseOwner = :x and leaseCounter = :five",
      true,
      "keywords ignore case; NOT binds tighter than AND",
    ],
    ["(leaseCounter) = :five", true, "a parenthesised operand"],
  ])("%s → %s (%s)", (expression, expected) => {
    expect(holds(expression, ITEM)).toBe(expected);
  });

  it("evaluates against no item (a write to a new key) as if every attribute were absent", () => {
    expect(holds("attribute_not_exists(pk)", undefined)).toBe(true);
    expect(holds("leaseOwner = :a", undefined)).toBe(false);
    expect(holds("leaseOwner <> :a", undefined)).toBe(true);
  });
});

describe("refusing malformed conditions", () => {
  it.each([
    ["leaseOwner =", 'Syntax error; token: "<EOF>", near: "="', "nothing after the comparator"],
    ["leaseOwner == :a", 'Syntax error; token: "=", near: "== :a"', "no == operator"],
    ["leaseOwner = :a AND", 'Syntax error; token: "<EOF>", near: "AND"', "a dangling AND"],
    ["pk", 'Syntax error; token: "<EOF>", near: "pk"', "a path alone is not a condition"],
    ["pk = :a @", 'Syntax error; token: "@", near: ":a @"', "an unknown character"],
    ["pk = :a)", 'Syntax error; token: ")", near: ":a)"', "an unbalanced parenthesis"],
    ["foo(pk)", "Invalid function name; function: foo", "unknown function"],
    [
      "size(pk)",
      "The function is not allowed to be used this way in an expression; function: size",
      "size is not a condition",
    ],
    [
      "attribute_exists(pk) = :a",
      "The function is not allowed to be used this way in an expression; function: attribute_exists",
      "a condition function is not an operand",
    ],
    [
      "status = :a",
      "Attribute name is a reserved keyword; reserved keyword: status",
      "reserved words need #placeholders",
    ],
    [
      "#nope = :a",
      "An expression attribute name used in the document path is not defined; attribute name: #nope",
      "undefined name placeholder",
    ],
    [
      "pk = :nope",
      "An expression attribute value used in expression is not defined; attribute value: :nope",
      "undefined value placeholder",
    ],
    [
      "attribute_exists(:a)",
      "Operator or function requires a document path; operator or function: attribute_exists",
      "attribute_exists takes a path",
    ],
    [
      "attribute_exists(pk, leaseOwner)",
      "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2",
      "wrong arity",
    ],
    [
      "begins_with(pk, :five)",
      "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
      "begins_with takes strings or binaries",
    ],
    [
      "attribute_type(pk, :bad)",
      "Invalid attribute type name found; type: X, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
      "unknown type name",
    ],
    [
      "pk = pk",
      "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [pk]",
      "comparing a path with itself",
    ],
    [
      "leaseCounter BETWEEN :six AND :five",
      "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:6}, upper bound operand: AttributeValue: {N:5}",
      "inverted bounds",
    ],
    ["((pk = :a))", "The expression has redundant parentheses;", "double parentheses"],
    [
      "foo(status)",
      "Invalid function name; function: foo",
      "an unknown function is reported before a reserved word",
    ],
  ])("%s → %s (%s)", (expression, message) => {
    expect(() => parse(expression)).toThrow(ExpressionError);
    expect(() => parse(expression)).toThrow(message);
  });

  it("reports unused placeholders only once every expression of the request is resolved", () => {
    const attributes = new ExpressionAttributes({ "#unused": "x" }, { ":a": { S: "a" }, ":x": { S: "x" } });
    parseCondition("pk = :a", attributes);
    expect(() => attributes.assertAllUsed()).toThrow(
      "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}",
    );
  });
});
