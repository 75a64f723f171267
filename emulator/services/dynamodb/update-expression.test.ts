import { describe, expect, it } from "vitest";
import { AwsError } from "../../errors.ts";
import type { Item } from "./attribute-values.ts";
import { ExpressionAttributes } from "./expression-attributes.ts";
import { ExpressionError } from "./expression-syntax.ts";
import { applyUpdate, parseUpdate } from "./update-expression.ts";

const ITEM: Item = {
  pk: { S: "web" },
  leaseOwner: { S: "a" },
  leaseCounter: { N: "5" },
  tags: { SS: ["x", "y"] },
  nested: { M: { parts: { L: [{ N: "1" }, { S: "two" }] } } },
  flag: { BOOL: true },
};

const VALUES: Item = {
  ":v": { S: "v" },
  ":w": { S: "w" },
  ":one": { N: "1" },
  ":six": { N: "6" },
  ":zero": { N: "0" },
  ":z": { SS: ["z"] },
  ":xy": { SS: ["x", "y"] },
  ":list": { L: [{ BOOL: false }] },
};

const parse = (expression: string) =>
  parseUpdate(expression, new ExpressionAttributes({ "#c": "leaseCounter" }, VALUES));
const apply = (expression: string, item: Item = ITEM) => applyUpdate(parse(expression), item);

describe("applying updates", () => {
  it.each<[string, Item, string]>([
    ["SET a = :v", { a: { S: "v" } }, "SET adds an attribute"],
    ["SET leaseCounter = leaseCounter + :one", { leaseCounter: { N: "6" } }, "increment"],
    ["SET #c = #c - :six", { leaseCounter: { N: "-1" } }, "decrement below zero, through a placeholder"],
    ["SET c = if_not_exists(c, :zero) + :one", { c: { N: "1" } }, "a counter that starts at zero"],
    [
      "SET leaseCounter = if_not_exists(leaseCounter, :zero)",
      { leaseCounter: { N: "5" } },
      "if_not_exists keeps what exists",
    ],
    [
      "SET a = leaseCounter, leaseCounter = :one",
      { a: { N: "5" }, leaseCounter: { N: "1" } },
      "right-hand sides read the old item",
    ],
    [
      "SET nested.parts[5] = :v",
      { nested: { M: { parts: { L: [{ N: "1" }, { S: "two" }, { S: "v" }] } } } },
      "an index past the end appends",
    ],
    [
      "SET nested.parts[0] = :v",
      { nested: { M: { parts: { L: [{ S: "v" }, { S: "two" }] } } } },
      "an index in range replaces",
    ],
    [
      "SET l = list_append(nested.parts, :list)",
      { l: { L: [{ N: "1" }, { S: "two" }, { BOOL: false }] } },
      "list_append concatenates",
    ],
    ["ADD leaseCounter :one", { leaseCounter: { N: "6" } }, "ADD to a number"],
    ["ADD fresh :one", { fresh: { N: "1" } }, "ADD to nothing starts from the value"],
    ["ADD tags :z", { tags: { SS: ["x", "y", "z"] } }, "ADD to a set is a union"],
    ["DELETE tags :z", { tags: { SS: ["x", "y"] } }, "DELETE of an absent member changes nothing"],
    [
      "REMOVE nested.parts[0]",
      { nested: { M: { parts: { L: [{ S: "two" }] } } } },
      "REMOVE of a list element shifts the rest",
    ],
  ])("%s (%s)", (expression, changed) => {
    expect(apply(expression)).toEqual({ ...ITEM, ...changed });
  });

  it.each<[string, string[], string]>([
    ["REMOVE leaseOwner, flag", ["leaseOwner", "flag"], "REMOVE several"],
    ["DELETE tags :xy", ["tags"], "a set emptied by DELETE is removed"],
    ["REMOVE absent, flag", ["flag"], "REMOVE of a absent attribute succeeds"],
  ])("%s (%s)", (expression, removed) => {
    const expected = Object.fromEntries(Object.entries(ITEM).filter(([name]) => !removed.includes(name)));
    expect(apply(expression)).toEqual(expected);
  });

  it("runs several sections, in any order and any case", () => {
    expect(apply("remove flag set a = :v add leaseCounter :one")).toEqual({
      ...Object.fromEntries(Object.entries(ITEM).filter(([name]) => name !== "flag")),
      a: { S: "v" },
      leaseCounter: { N: "6" },
    });
  });

  it("never changes the item it was given", () => {
    const before = structuredClone(ITEM);
    apply("SET leaseCounter = leaseCounter + :one REMOVE flag ADD tags :z");
    expect(ITEM).toEqual(before);
  });

  it.each([
    [
      "SET a = absent + :one",
      "The provided expression refers to an attribute that does not exist in the item",
      "arithmetic on nothing",
    ],
    [
      "SET a = leaseOwner + :one",
      "An operand in the update expression has an incorrect data type",
      "arithmetic on a string",
    ],
    [
      "ADD leaseOwner :one",
      "An operand in the update expression has an incorrect data type",
      "ADD a number to a string",
    ],
    [
      "ADD tags :one",
      "An operand in the update expression has an incorrect data type",
      "ADD a number to a set",
    ],
    [
      "SET a.b = :v",
      "The document path provided in the update expression is invalid for update",
      "the parent map is absent",
    ],
  ])("refuses %s when applied (%s)", (expression, message) => {
    expect(() => apply(expression)).toThrow(AwsError);
    expect(() => apply(expression)).toThrow(message);
  });
});

describe("refusing malformed updates", () => {
  it.each([
    ["SET a", 'Syntax error; token: "<EOF>", near: "a"', "no assignment"],
    ["SET a = :v,", 'Syntax error; token: "<EOF>", near: ","', "a dangling comma"],
    ["UPSERT a = :v", 'Syntax error; token: "UPSERT", near: "UPSERT a"', "unknown section"],
    [
      "ADD hits : incr",
      'Syntax error; token: ":", near: "hits : incr"',
      "a lone colon, shown between its neighbours as AWS does",
    ],
    [
      "SET a = :v SET b = :w",
      'The "SET" section can only be used once in an update expression;',
      "a section twice",
    ],
    [
      "SET a = :v, a = :w",
      "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]",
      "the same path twice",
    ],
    [
      "SET nested.x = :v REMOVE nested",
      "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [nested, x], path two: [nested]",
      "a path and its parent",
    ],
    [
      "SET a[0] = :v, a.b = :w",
      "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, [0]], path two: [a, b]",
      "a list index and a map key at the same step",
    ],
    ["SET a = foo(:v)", "Invalid function name; function: foo", "unknown function"],
    [
      "SET a = :v + :one",
      "Incorrect operand type for operator or function; operator or function: +, operand type: S",
      "arithmetic on a string literal",
    ],
    [
      "ADD a :v",
      "Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
      "ADD takes numbers and sets",
    ],
    [
      "DELETE tags :one",
      "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER",
      "DELETE takes sets",
    ],
    [
      "SET a = if_not_exists(:v, :w)",
      "Operator or function requires a document path; operator or function: if_not_exists",
      "if_not_exists checks a path",
    ],
    ["SET size = :v", "Attribute name is a reserved keyword; reserved keyword: size", "reserved word"],
    [
      "SET a = :nope",
      "An expression attribute value used in expression is not defined; attribute value: :nope",
      "undefined value",
    ],
  ])("%s → %s (%s)", (expression, message) => {
    expect(() => parse(expression)).toThrow(ExpressionError);
    expect(() => parse(expression)).toThrow(message);
  });
});
