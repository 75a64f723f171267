import { describe, expect, it } from "vitest";
import { AwsError } from "../../errors.ts";
import {
  addDecimals,
  canonicalNumber,
  compareDecimals,
  decimalOf,
  formatDecimal,
  subtractDecimals,
} from "./numbers.ts";

describe("canonicalNumber", () => {
  it.each([
    ["1", "1", "an integer stays as it is"],
    ["1.50", "1.5", "trailing fraction zeros go"],
    ["007", "7", "leading zeros go"],
    ["1e2", "100", "exponent notation becomes plain"],
    ["1.5E-3", "0.0015", "negative exponents become a fraction"],
    ["-0.0", "0", "negative zero is zero"],
    [".5", "0.5", "a bare fraction is a number"],
    ["+3", "3", "an explicit plus sign is accepted"],
    ["12345678901234567890123456789012345678", "12345678901234567890123456789012345678", "38 digits fit"],
  ])("%s → %s (%s)", (input, expected) => {
    expect(canonicalNumber(input)).toBe(expected);
  });

  it.each([
    ["abc", "The parameter cannot be converted to a numeric value: abc", "not a number"],
    ["", "The parameter cannot be converted to a numeric value", "empty"],
    ["1.2.3", "The parameter cannot be converted to a numeric value: 1.2.3", "two points"],
    ["1e126", "Number overflow", "magnitude above 10^125"],
    ["1e-131", "Number underflow", "magnitude below 10^-130"],
    ["123456789012345678901234567890123456789", "more than 38 significant digits", "39 digits"],
  ])("refuses %j (%s)", (input, message) => {
    expect(() => canonicalNumber(input)).toThrow(AwsError);
    expect(() => canonicalNumber(input)).toThrow(message);
  });
});

describe("decimal arithmetic", () => {
  it("adds integers beyond 2^53 exactly (a counter never loses precision)", () => {
    const big = decimalOf("9007199254740993");
    expect(formatDecimal(addDecimals(big, decimalOf("1")))).toBe("9007199254740994");
  });

  it("adds fractions exactly where a double would not", () => {
    expect(formatDecimal(addDecimals(decimalOf("0.1"), decimalOf("0.2")))).toBe("0.3");
  });

  it("subtracts into negatives and back to zero", () => {
    expect(formatDecimal(subtractDecimals(decimalOf("1"), decimalOf("3")))).toBe("-2");
    expect(formatDecimal(subtractDecimals(decimalOf("2.5"), decimalOf("2.50")))).toBe("0");
  });

  it.each([
    ["1", "2", -1, "smaller"],
    ["10", "9", 1, "numeric, not lexical, order"],
    ["1.0", "1", 0, "equal after normalising"],
    ["-5", "-50", 1, "negatives"],
  ])("compares %s and %s (%s)", (a, b, expected) => {
    expect(compareDecimals(decimalOf(a), decimalOf(b))).toBe(expected);
  });
});
