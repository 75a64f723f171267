import { describe, expect, it } from "vitest";
import { CliError } from "./cli-error.ts";
import { formatDuration, parseDuration } from "./duration.ts";

describe("parseDuration", () => {
  it.each([
    ["15m", 900_000, "minutes"],
    ["90s", 90_000, "seconds"],
    ["1m30s", 90_000, "compound, as Go and Kubernetes write it"],
    ["1h2m3s", 3_723_000, "every unit at once"],
    ["500ms", 500, "milliseconds"],
    ["30", 30_000, "a plain number is seconds"],
    ["1.5s", 1500, "fractions"],
    [" 2m ", 120_000, "surrounding spaces"],
  ])("%s → %d ms (%s)", (text, ms) => {
    expect(parseDuration("--timeout", text)).toBe(ms);
  });

  it.each([
    ["", "empty"],
    ["m", "a unit without a number"],
    ["1x", "an unknown unit"],
    ["1m 30s", "spaces between parts"],
    ["-5s", "negative"],
    ["1m30", "a trailing number without its unit"],
  ])("refuses %j (%s), naming the option", (text) => {
    expect(() => parseDuration("--timeout", text)).toThrow(CliError);
    expect(() => parseDuration("--timeout", text)).toThrow(/^--timeout .*: expected a duration like 15m/);
  });

  it("refuses a value outside the option's bounds, saying what they are", () => {
    expect(() => parseDuration("--resync", "0s", { minMs: 1000, maxMs: 86_400_000 })).toThrow(
      "--resync 0s: must be between 1s and 24h",
    );
    expect(() => parseDuration("--pass-timeout", "500ms", { minMs: 1000 })).toThrow(
      "--pass-timeout 500ms: must be at least 1s",
    );
    expect(parseDuration("--resync", "1s", { minMs: 1000 })).toBe(1000);
  });
});

describe("formatDuration", () => {
  it.each([
    [500, "500ms"],
    [1000, "1s"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [86_400_000, "24h"],
  ])("%d ms → %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
