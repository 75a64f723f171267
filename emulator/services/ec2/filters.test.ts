import { describe, expect, it } from "vitest";
import { readFilters, wildcardPattern } from "./filters.ts";

describe("wildcard filter values", () => {
  it.each([
    ["web-*", "web-alb", true, "* matches any run"],
    ["web-*", "api-alb", false, "the literal part must match"],
    ["web-?lb", "web-alb", true, "? matches one character"],
    ["web-?lb", "web-lb", false, "? needs exactly one character"],
    ["a\\*b", "a*b", true, "an escaped * is literal"],
    ["a\\*b", "axb", false, "an escaped * is not a wildcard"],
    ["a.b", "axb", false, "regular-expression characters are literal"],
    ["web", "web-alb", false, "a value matches whole, not as a prefix"],
  ])("%s against %s → %s (%s)", (pattern, value, matches) => {
    expect(wildcardPattern(pattern).test(value)).toBe(matches);
  });
});

describe("readFilters", () => {
  const resources = [
    { name: "a", tags: new Map([["team", "x"]]) },
    { name: "b", tags: new Map([["team", "y"]]) },
    { name: "c", tags: new Map<string, string>() },
  ];
  const names = (filters: unknown) =>
    resources
      .filter(readFilters({ Filter: filters }, { name: (resource) => resource.name }))
      .map((r) => r.name);

  it("ORs values and ANDs filters, tags included", () => {
    expect(names([{ Name: "name", Value: ["a", "c"] }])).toEqual(["a", "c"]);
    expect(
      names([
        { Name: "name", Value: ["a", "c"] },
        { Name: "tag-key", Value: ["team"] },
      ]),
    ).toEqual(["a"]);
    expect(names([{ Name: "tag:team", Value: ["*"] }])).toEqual(["a", "b"]);
    expect(names([{ Name: "tag-value", Value: ["y"] }])).toEqual(["b"]);
  });

  it("matches nothing for a filter without values, and refuses unknown names", () => {
    expect(names([{ Name: "name" }])).toEqual([]);
    expect(() => names([{ Name: "colour", Value: ["red"] }])).toThrow(
      expect.objectContaining({ code: "InvalidParameterValue" }),
    );
  });
});
