import { describe, expect, it } from "vitest";
import { closestMatch } from "./did-you-mean.ts";

describe("closestMatch", () => {
  it.each([
    ["a transposition", "imgae", "image"],
    ["a case slip", "healthcheck", "healthCheck"],
    ["a missing letter", "desiredCont", "desiredCount"],
  ])("finds the intended key after %s", (_reason, input, expected) => {
    expect(closestMatch(input, ["image", "port", "healthCheck", "desiredCount"])).toBe(expected);
  });

  it("suggests nothing for an unrelated word", () => {
    expect(closestMatch("zzzzzzzz", ["image", "port"])).toBeUndefined();
  });
});
