/**
 * DynamoDB numbers: decimal strings on the wire, up to 38 significant digits, magnitudes from 1E-130
 * to under 1E126. Held as an exact coefficient × 10^exponent (a BigInt and an integer), so a counter
 * incremented a billion times never drifts the way a double would.
 */
import { validation } from "./errors.ts";

/** `coefficient × 10^exponent`, normalised: no trailing zeros in the coefficient; zero is `0 × 10^0`. */
export interface Decimal {
  coefficient: bigint;
  exponent: number;
}

const MAX_SIGNIFICANT_DIGITS = 38;
/** The largest and smallest power of ten a number's leading digit may have. */
const MAX_MAGNITUDE = 125;
const MIN_MAGNITUDE = -130;
const NUMBER_SYNTAX = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,9}))?$/;

function normalise(coefficient: bigint, exponent: number): Decimal {
  if (coefficient === 0n) return { coefficient: 0n, exponent: 0 };
  while (coefficient % 10n === 0n) {
    coefficient /= 10n;
    exponent += 1;
  }
  return { coefficient, exponent };
}

/** Parses a decimal string, or returns undefined when it is not one. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = NUMBER_SYNTAX.exec(text);
  if (!match) return undefined;
  const [, sign, whole = "", fraction = "", exponent = "0"] = match;
  if (whole === "" && fraction === "") return undefined;
  const digits = `${whole}${fraction}`.replace(/^0+/, "") || "0";
  const coefficient = BigInt(digits) * (sign === "-" ? -1n : 1n);
  return normalise(coefficient, Number(exponent) - fraction.length);
}

const digitCount = (value: Decimal): number =>
  value.coefficient === 0n
    ? 1
    : (value.coefficient < 0n ? -value.coefficient : value.coefficient).toString().length;

/** Why DynamoDB would refuse to store this number, or undefined when it fits. */
export function decimalLimitProblem(value: Decimal): string | undefined {
  if (value.coefficient === 0n) return undefined;
  const digits = digitCount(value);
  const magnitude = digits - 1 + value.exponent;
  if (magnitude > MAX_MAGNITUDE)
    return "Number overflow. Attempting to store a number with magnitude larger than supported range";
  if (magnitude < MIN_MAGNITUDE)
    return "Number underflow. Attempting to store a number with magnitude smaller than supported range";
  if (digits > MAX_SIGNIFICANT_DIGITS)
    return "Attempting to store more than 38 significant digits in a Number";
  return undefined;
}

/** Reads a wire number, checks DynamoDB's limits and returns its canonical text ("1.50" → "1.5", "1e2" → "100"). */
export function canonicalNumber(text: string): string {
  const value = parseDecimal(text);
  if (value === undefined)
    throw validation(
      text === ""
        ? "The parameter cannot be converted to a numeric value"
        : `The parameter cannot be converted to a numeric value: ${text}`,
    );
  const problem = decimalLimitProblem(value);
  if (problem) throw validation(problem);
  return formatDecimal(value);
}

/** Plain notation, never exponent notation, as DynamoDB returns numbers. */
export function formatDecimal(value: Decimal): string {
  const negative = value.coefficient < 0n;
  const digits = (negative ? -value.coefficient : value.coefficient).toString();
  let text: string;
  if (value.exponent >= 0) text = digits + "0".repeat(value.exponent);
  else {
    const point = digits.length + value.exponent;
    text =
      point > 0 ? `${digits.slice(0, point)}.${digits.slice(point)}` : `0.${"0".repeat(-point)}${digits}`;
  }
  return negative ? `-${text}` : text;
}

function aligned(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const exponent = Math.min(a.exponent, b.exponent);
  return [
    a.coefficient * 10n ** BigInt(a.exponent - exponent),
    b.coefficient * 10n ** BigInt(b.exponent - exponent),
    exponent,
  ];
}

/** Exact sum. */
export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const [x, y, exponent] = aligned(a, b);
  return normalise(x + y, exponent);
}

/** Exact difference. */
export function subtractDecimals(a: Decimal, b: Decimal): Decimal {
  return addDecimals(a, { coefficient: -b.coefficient, exponent: b.exponent });
}

/** -1, 0 or 1. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Parses a number already validated (stored or from a checked request). */
export function decimalOf(text: string): Decimal {
  const value = parseDecimal(text);
  if (value === undefined) throw new Error(`not a number: ${text}`);
  return value;
}

/** Digits of a number, for DynamoDB's size accounting. */
export function significantDigits(text: string): number {
  return digitCount(decimalOf(text));
}
